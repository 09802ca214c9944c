// The event-driven convolution's inner pieces, shared by the layer kernel
// (conv_sparse.c) and the fused block (conv_block.c): every non-zero input
// adds value x weight to the outputs its kernel reaches, accumulated
// channels-last (one contiguous run of output channels per output pixel) so
// the inner loop is a vector multiply-add over output channels.
// Internal to CSinabsKernels.
#ifndef SNK_SCATTER_H
#define SNK_SCATTER_H

#include <string.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

/// What one scatter reads: geometry, transposed weight and the tap tables.
typedef struct snk_scatter_plan {
  const snk_conv_shape *s;
  const float *weight_t;
  const int64_t *rows, *cols;  // snk_tap_table of the height and the width
  // 1: the input is channels-last (pixels of `channels` values; the
  // pixel-major scatter only, snk_scatter_by_pixel), 0: planes.
  int channels_last;
} snk_scatter_plan;

/// Which output row (column) each input row (column) reaches through each
/// kernel tap, -1 for none (malloc'ed, NULL when out of memory): computed
/// once per call, so the event loop does no division by the stride.
int64_t *snk_tap_table(int64_t size, int64_t taps, int64_t pad, int64_t dilation, int64_t stride,
                       int64_t out_size);

// acc[0..count) += value * w[0..count): the hot loop, a vector FMA.
// One vector per step (no interleaving): output channel counts are often
// 16 or 32, which a 4-vector unrolled loop would leave to its scalar tail.
SNK_INLINE void snk_axpy(float *restrict acc, const float *restrict w, float value, int64_t count) {
#pragma clang loop vectorize_width(8) interleave_count(1)
  for (int64_t j = 0; j < count; j++) acc[j] += value * w[j];
}

typedef float snk_f8 __attribute__((vector_size(32)));

// Rows r[0..8) (pixels) of 8 channels each -> r[j] = channel j of the 8 pixels.
SNK_INLINE void snk_transpose8(snk_f8 r[8]) {
  snk_f8 t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int j = 0; j < 4; j++) {
    r[j] = __builtin_shufflevector(u[j], u[j + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[j + 4] = __builtin_shufflevector(u[j], u[j + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// y (O x plane) = acc (plane x O) transposed, + bias if not NULL (the same
// float adds as element by element; without bias a pure copy, -0.0 kept): 8 x 8 tiles in registers where O is a multiple of
// 8, the rest in blocks of pixels so the accumulator rows stay in L1.
SNK_INLINE void snk_transpose_out(const float *restrict acc, const float *restrict bias,
                                  float *restrict y, int64_t plane, int64_t O) {
  int64_t start = 0;
  if (O % 8 == 0) {
    for (; start + 8 <= plane; start += 8) {
      for (int64_t o0 = 0; o0 < O; o0 += 8) {
        snk_f8 r[8];
        for (int i = 0; i < 8; i++) memcpy(&r[i], acc + (start + i) * O + o0, sizeof r[i]);
        snk_transpose8(r);
        for (int j = 0; j < 8; j++) {
          const snk_f8 v = bias ? r[j] + bias[o0 + j] : r[j];
          memcpy(y + (o0 + j) * plane + start, &v, sizeof v);
        }
      }
    }
  }
  enum { PIXELS = 16 };
  for (int64_t p0 = start; p0 < plane; p0 += PIXELS) {
    const int64_t p1 = p0 + PIXELS < plane ? p0 + PIXELS : plane;
    for (int64_t o = 0; o < O; o++) {
      float *out = y + o * plane;
      if (bias) {
        for (int64_t p = p0; p < p1; p++) out[p] = acc[p * O + o] + bias[o];
      } else {
        for (int64_t p = p0; p < p1; p++) out[p] = acc[p * O + o];
      }
    }
  }
}

// acc (plane x O) = y (O x plane) transposed: the inverse of
// snk_transpose_out (without bias), 8 x 8 tiles where O is a multiple of 8.
SNK_INLINE void snk_transpose_in(const float *restrict y, float *restrict acc, int64_t plane, int64_t O) {
  int64_t start = 0;
  if (O % 8 == 0) {
    for (; start + 8 <= plane; start += 8) {
      for (int64_t o0 = 0; o0 < O; o0 += 8) {
        snk_f8 r[8];
        for (int j = 0; j < 8; j++) memcpy(&r[j], y + (o0 + j) * plane + start, sizeof r[j]);
        snk_transpose8(r);
        for (int i = 0; i < 8; i++) memcpy(acc + (start + i) * O + o0, &r[i], sizeof r[i]);
      }
    }
  }
  for (int64_t p = start; p < plane; p++)
    for (int64_t o = 0; o < O; o++) acc[p * O + o] = y[o * plane + p];
}

// All outputs reached by input (c, iy, ix) of one sample.
SNK_INLINE void snk_scatter_event(const snk_scatter_plan *plan, float *acc, int64_t c, int64_t iy,
                                  int64_t ix, float value) {
  const snk_conv_shape *s = plan->s;
  const int64_t cg = s->channels / s->groups, og = s->out_channels / s->groups;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, OW = s->out_w;
  const int64_t group_offset = (c / cg) * og;
  const float *wc = plan->weight_t + c * kh * kw * og;
  const int64_t *rows = plan->rows + iy * kh, *cols = plan->cols + ix * kw;
  for (int64_t ky = 0; ky < kh; ky++) {
    if (rows[ky] < 0) continue;
    float *acc_row = acc + rows[ky] * OW * s->out_channels + group_offset;
    for (int64_t kx = 0; kx < kw; kx++) {
      if (cols[kx] < 0) continue;
      snk_axpy(acc_row + cols[kx] * s->out_channels, wc + (ky * kw + kx) * og, value, og);
    }
  }
}

typedef float snk_f16 __attribute__((vector_size(64)));
typedef uint32_t snk_u16 __attribute__((vector_size(64)));
typedef _Bool snk_b16 __attribute__((ext_vector_type(16)));

// Bit j set where m[j] != 0, j < 16 (reads 16 masks: the array is padded).
SNK_INLINE uint32_t snk_nonzero16(const uint32_t *m) {
  snk_u16 v;
  memcpy(&v, m, sizeof v);
  return __builtin_bit_cast(uint16_t, __builtin_convertvector(v != 0, snk_b16));
}

// One input pixel's events into all nine outputs of a 3x3 kernel (a pixel
// whose taps all land inside the output): the nine outputs' channels stay in
// registers (nv x 9 vectors of 16: 18 of AVX-512's 32 for 32 channels) while
// every event adds to them, and go back to memory once. The same additions
// in the same order as tap by tap. (Border pixels sending their outside taps
// to a scratch vector instead measured no faster.)
SNK_INLINE void snk_scatter_3x3(float *acc, const int64_t *rows, const int64_t *cols, int64_t OW,
                                int64_t O, const float *x, int64_t plane, uint32_t mask,
                                const float *weight_t, const int nv) {
  float *out[9];
  snk_f16 a[9][2];
  for (int t = 0; t < 9; t++) {
    out[t] = acc + (rows[t / 3] * OW + cols[t % 3]) * O;
    for (int v = 0; v < nv; v++) memcpy(&a[t][v], out[t] + 16 * v, sizeof a[t][v]);
  }
  // The events straight from the mask: channel c's value x[c * plane] and
  // weights weight_t[c][tap][O].
  for (; mask != 0; mask &= mask - 1) {
    const int64_t c = __builtin_ctz(mask);
    const float value = x[c * plane];
    const float *w = weight_t + c * 9 * O;
    for (int t = 0; t < 9; t++) {
      for (int v = 0; v < nv; v++) {
        snk_f16 wv;
        memcpy(&wv, w + t * O + 16 * v, sizeof wv);
        a[t][v] += value * wv;
      }
    }
  }
  for (int t = 0; t < 9; t++)
    for (int v = 0; v < nv; v++) memcpy(out[t] + 16 * v, &a[t][v], sizeof a[t][v]);
}

// Pixel-major scatter: all of one input pixel's events reach the same
// outputs, so each output's nv vectors of channels are loaded and stored once
// per pixel and tap (not once per event: the stores were the bound). masks[p]
// has bit c set where channel c of pixel p is non-zero (groups == 1).
// VEC is a vector type of LANES floats; out_channels = nv x LANES.
#define SNK_SCATTER_PIXELS(NAME, VEC, LANES)                                                   \
  SNK_INLINE void NAME(const snk_scatter_plan *plan, const float *x, float *acc,              \
                       const uint32_t *masks, const int nv) {                                 \
    const snk_conv_shape *s = plan->s;                                                        \
    const int64_t H = s->height, W = s->width, HW = H * W, O = s->out_channels;               \
    const int64_t kh = s->kernel_h, kw = s->kernel_w, taps = kh * kw, OW = s->out_w;          \
    /* Where a pixel's channel c is: x[pixel * px_step + c * c_step]. */                      \
    const int64_t px_step = plan->channels_last ? s->channels : 1;                            \
    const int64_t c_step = plan->channels_last ? 1 : HW;                                      \
    for (int64_t iy = 0; iy < H; iy++) {                                                      \
      const int64_t *rows = plan->rows + iy * kh;                                             \
      for (int64_t ix0 = 0; ix0 < W; ix0 += 16) {                                             \
      /* Only the non-empty pixels of 16 (no branch per empty one). */                        \
      uint32_t busy = snk_nonzero16(masks + iy * W + ix0);                                    \
      if (W - ix0 < 16) busy &= (1u << (W - ix0)) - 1;                                        \
      for (; busy != 0; busy &= busy - 1) {                                                   \
        const int64_t ix = ix0 + __builtin_ctz(busy);                                         \
        const uint32_t mask = masks[iy * W + ix];                                             \
        const int64_t *cols = plan->cols + ix * kw;                                           \
        if (LANES == 16 && kh == 3 && kw == 3 && rows[0] >= 0 && rows[1] >= 0 &&             \
            rows[2] >= 0 && cols[0] >= 0 && cols[1] >= 0 && cols[2] >= 0) {                  \
          snk_scatter_3x3(acc, rows, cols, OW, O, x + (iy * W + ix) * px_step, c_step, mask,    \
                          plan->weight_t, nv);                                                \
          continue;                                                                           \
        }                                                                                     \
        /* The pixel's events once (not once per tap): value and weight base. */              \
        float values[32];                                                                     \
        const float *weights[32];                                                             \
        int events = 0;                                                                       \
        for (uint32_t m = mask; m != 0; m &= m - 1, events++) {                               \
          const int64_t c = __builtin_ctz(m);                                                 \
          values[events] = x[c * c_step + (iy * W + ix) * px_step];                           \
          weights[events] = plan->weight_t + c * taps * O;                                    \
        }                                                                                     \
        for (int64_t ky = 0; ky < kh; ky++) {                                                 \
          if (rows[ky] < 0) continue;                                                         \
          for (int64_t kx = 0; kx < kw; kx++) {                                               \
            if (cols[kx] < 0) continue;                                                       \
            float *out = acc + (rows[ky] * OW + cols[kx]) * O;                                \
            const int64_t tap_offset = (ky * kw + kx) * O;                                    \
            VEC a[32 / LANES];                                                                \
            for (int v = 0; v < nv; v++) memcpy(&a[v], out + LANES * v, sizeof a[v]);         \
            for (int e = 0; e < events; e++) {                                                \
              const float value = values[e];                                                  \
              const float *w = weights[e] + tap_offset;                                       \
              for (int v = 0; v < nv; v++) {                                                  \
                VEC wv;                                                                       \
                memcpy(&wv, w + LANES * v, sizeof wv);                                        \
                a[v] += value * wv;                                                           \
              }                                                                               \
            }                                                                                 \
            for (int v = 0; v < nv; v++) memcpy(out + LANES * v, &a[v], sizeof a[v]);         \
          }                                                                                   \
        }                                                                                     \
      }                                                                                       \
      }                                                                                       \
    }                                                                                         \
  }

SNK_SCATTER_PIXELS(snk_scatter_pixels8, snk_f8, 8)
SNK_SCATTER_PIXELS(snk_scatter_pixels16, snk_f16, 16)

enum { SNK_SCATTER_MAX_PIXELS = 4096 };

// masks[p] = bit c set where channel c (< 32) of pixel p is non-zero, for
// the `pixels` pixels of each of the `channels` planes of x: 16 pixels at a
// time with their mask in a register across the channels.
SNK_INLINE void snk_pixel_masks(const float *x, int64_t channels, int64_t pixels, uint32_t *masks) {
  int64_t p0 = 0;
  for (; p0 + 16 <= pixels; p0 += 16) {
    snk_u16 m = {0};
    for (int64_t c = 0; c < channels; c++) {
      snk_f16 v;
      memcpy(&v, x + c * pixels + p0, sizeof v);
      m |= (snk_u16)(v != 0.0f) & (1u << c);
    }
    memcpy(masks + p0, &m, sizeof m);
  }
  for (; p0 < pixels; p0++) {
    uint32_t m = 0;
    for (int64_t c = 0; c < channels; c++) m |= (uint32_t)(x[c * pixels + p0] != 0.0f) << c;
    masks[p0] = m;
  }
}

// snk_pixel_masks for channels-last pixels (channels <= 32).
SNK_INLINE void snk_pixel_masks_channels_last(const float *x, int64_t channels, int64_t pixels,
                                              uint32_t *masks) {
  if (channels == 16 || channels == 32) {
    for (int64_t p = 0; p < pixels; p++) {
      uint32_t m = 0;
      for (int64_t half = 0; half < channels / 16; half++) {
        snk_f16 v;
        memcpy(&v, x + p * channels + 16 * half, sizeof v);
        m |= (uint32_t)__builtin_bit_cast(uint16_t, __builtin_convertvector(v != 0.0f, snk_b16)) << (16 * half);
      }
      masks[p] = m;
    }
    return;
  }
  for (int64_t p = 0; p < pixels; p++) {
    uint32_t m = 0;
    for (int64_t c = 0; c < channels; c++) m |= (uint32_t)(x[p * channels + c] != 0.0f) << c;
    masks[p] = m;
  }
}

/// Whether the pixel-major scatter applies to the plan.
SNK_INLINE int snk_scatter_by_pixel(const snk_scatter_plan *plan) {
  const snk_conv_shape *s = plan->s;
  const int64_t O = s->out_channels;
  return s->groups == 1 && s->channels <= 32 && O % 8 == 0 && O <= 32 &&
         s->height * s->width <= SNK_SCATTER_MAX_PIXELS;
}

// acc (out_h x out_w x out_channels) += the convolution of one sample's
// input x (channels x height x width), without bias.
SNK_INLINE void snk_scatter_accumulate(const snk_scatter_plan *plan, const float *x, float *acc) {
  const snk_conv_shape *s = plan->s;
  const int64_t H = s->height, W = s->width;
  if (snk_scatter_by_pixel(plan)) {
    uint32_t masks[SNK_SCATTER_MAX_PIXELS + 16];  // + 16: snk_nonzero16 reads past a row
    if (plan->channels_last) {
      snk_pixel_masks_channels_last(x, s->channels, H * W, masks);
    } else {
      snk_pixel_masks(x, s->channels, H * W, masks);
    }
    memset(masks + H * W, 0, 16 * sizeof(uint32_t));
    // Out channels in vectors of 8 (8, 24) or 16 (16, 32: one AVX-512
    // register each, two AVX2 registers where that is what the clone has).
    switch (s->out_channels / 8) {
      case 1: snk_scatter_pixels8(plan, x, acc, masks, 1); return;
      case 2: snk_scatter_pixels16(plan, x, acc, masks, 1); return;
      case 3: snk_scatter_pixels8(plan, x, acc, masks, 3); return;
      default: snk_scatter_pixels16(plan, x, acc, masks, 2); return;
    }
  }
  for (int64_t c = 0; c < s->channels; c++) {
    for (int64_t iy = 0; iy < H; iy++) {
      const float *row = x + (c * H + iy) * W;
      int64_t ix = 0;
      // Eight inputs per test: a mask of the non-zero ones, then its set
      // bits, so the scan does not branch (and mispredict) per element.
      for (; ix + 8 <= W; ix += 8) {
        uint32_t mask = 0;
        for (int j = 0; j < 8; j++) mask |= (uint32_t)(row[ix + j] != 0.0f) << j;
        while (mask != 0) {
          const int j = __builtin_ctz(mask);
          mask &= mask - 1;
          snk_scatter_event(plan, acc, c, iy, ix + j, row[ix + j]);
        }
      }
      for (; ix < W; ix++) {
        if (row[ix] != 0.0f) snk_scatter_event(plan, acc, c, iy, ix, row[ix]);
      }
    }
  }
}

// acc (out_h x out_w x out_channels) = the convolution of one sample's input
// x (channels x height x width), without bias.
SNK_INLINE void snk_scatter_sample(const snk_scatter_plan *plan, const float *x, float *acc) {
  const snk_conv_shape *s = plan->s;
  memset(acc, 0, (size_t)(s->out_h * s->out_w * s->out_channels) * sizeof(float));
  snk_scatter_accumulate(plan, x, acc);
}

#endif
