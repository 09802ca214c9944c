// Event-driven Conv2d: spikes are mostly zero, so instead of multiplying
// every patch by the weights, each non-zero input adds value x weight to the
// outputs its kernel reaches. The accumulator is channels-last (one
// contiguous run of output channels per output pixel), so the inner loop is
// a vector multiply-add over output channels; a transpose at the end gives
// (N, C, H, W). Linear is the 1x1 case.
#include <stdlib.h>
#include <string.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

void snk_conv_transpose_weight(const snk_conv_shape *s, const float *weight, float *weight_t) {
  const int64_t cg = s->channels / s->groups, og = s->out_channels / s->groups;
  const int64_t taps = s->kernel_h * s->kernel_w;
  for (int64_t o = 0; o < s->out_channels; o++) {
    const int64_t group = o / og, j = o % og;
    for (int64_t c = 0; c < cg; c++) {
      const float *w = weight + (o * cg + c) * taps;
      float *t = weight_t + (group * cg + c) * taps * og + j;
      for (int64_t k = 0; k < taps; k++) t[k * og] = w[k];
    }
  }
}

typedef struct scatter_job {
  const snk_conv_shape *s;
  const float *input, *weight_t, *bias;
  float *output, *scratch;
  int64_t samples, chunks;
  const int64_t *rows, *cols;  // tap tables (tap_table)
} scatter_job;

// acc[0..count) += value * w[0..count): the hot loop, a vector FMA.
// One vector per step (no interleaving): output channel counts are often
// 16 or 32, which a 4-vector unrolled loop would leave to its scalar tail.
SNK_INLINE void axpy(float *restrict acc, const float *restrict w, float value, int64_t count) {
#pragma clang loop vectorize_width(8) interleave_count(1)
  for (int64_t j = 0; j < count; j++) acc[j] += value * w[j];
}

// y (O x plane) = acc (plane x O) transposed, + bias; in blocks of pixels so
// the accumulator rows being read stay in L1.
SNK_INLINE void transpose_out(const float *restrict acc, const float *restrict bias, float *restrict y,
                              int64_t plane, int64_t O) {
  enum { PIXELS = 16 };
  for (int64_t p0 = 0; p0 < plane; p0 += PIXELS) {
    const int64_t p1 = p0 + PIXELS < plane ? p0 + PIXELS : plane;
    for (int64_t o = 0; o < O; o++) {
      const float b = bias ? bias[o] : 0.0f;
      float *out = y + o * plane;
      for (int64_t p = p0; p < p1; p++) out[p] = acc[p * O + o] + b;
    }
  }
}

// Which output row (column) each input row (column) reaches through each
// kernel tap, -1 for none: computed once per call, so the event loop does no
// division by the stride.
static int64_t *tap_table(int64_t size, int64_t taps, int64_t pad, int64_t dilation, int64_t stride,
                          int64_t out_size) {
  int64_t *table = malloc((size_t)(size * taps) * sizeof(int64_t));
  if (table == NULL) return NULL;
  for (int64_t i = 0; i < size; i++) {
    for (int64_t k = 0; k < taps; k++) {
      const int64_t t = i + pad - k * dilation;
      const int64_t o = t / stride;
      table[i * taps + k] = (t < 0 || t % stride != 0 || o >= out_size) ? -1 : o;
    }
  }
  return table;
}

// All outputs reached by input (c, iy, ix) of one sample.
SNK_INLINE void scatter_event(const snk_conv_shape *s, const scatter_job *job, float *acc, int64_t c,
                              int64_t iy, int64_t ix, float value) {
  const int64_t cg = s->channels / s->groups, og = s->out_channels / s->groups;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, OW = s->out_w;
  const int64_t group_offset = (c / cg) * og;
  const float *wc = job->weight_t + c * kh * kw * og;
  const int64_t *rows = job->rows + iy * kh, *cols = job->cols + ix * kw;
  for (int64_t ky = 0; ky < kh; ky++) {
    if (rows[ky] < 0) continue;
    float *acc_row = acc + rows[ky] * OW * s->out_channels + group_offset;
    for (int64_t kx = 0; kx < kw; kx++) {
      if (cols[kx] < 0) continue;
      axpy(acc_row + cols[kx] * s->out_channels, wc + (ky * kw + kx) * og, value, og);
    }
  }
}

SNK_MULTIVERSION
static void scatter_chunk(void *context, int64_t begin, int64_t end) {
  const scatter_job *job = context;
  const snk_conv_shape *s = job->s;
  const int64_t H = s->height, W = s->width, plane = s->out_h * s->out_w, O = s->out_channels;
  for (int64_t chunk = begin; chunk < end; chunk++) {
    float *acc = job->scratch + chunk * plane * O;
    const int64_t first = job->samples * chunk / job->chunks;
    const int64_t last = job->samples * (chunk + 1) / job->chunks;
    for (int64_t n = first; n < last; n++) {
      memset(acc, 0, (size_t)(plane * O) * sizeof(float));
      const float *x = job->input + n * s->channels * H * W;
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
              scatter_event(s, job, acc, c, iy, ix + j, row[ix + j]);
            }
          }
          for (; ix < W; ix++) {
            if (row[ix] != 0.0f) scatter_event(s, job, acc, c, iy, ix, row[ix]);
          }
        }
      }
      transpose_out(acc, job->bias, job->output + n * O * plane, plane, O);
    }
  }
}

int32_t snk_conv_scatter(const snk_conv_shape *s, const float *input, int64_t samples,
                         const float *weight_t, const float *bias, float *output, float *scratch,
                         int64_t chunks) {
  if (chunks > samples) chunks = samples;
  if (chunks < 1) return 0;
  int64_t *rows = tap_table(s->height, s->kernel_h, s->pad_h, s->dilation_h, s->stride_h, s->out_h);
  int64_t *cols = tap_table(s->width, s->kernel_w, s->pad_w, s->dilation_w, s->stride_w, s->out_w);
  if (rows == NULL || cols == NULL) {
    free(rows);
    free(cols);
    return -1;
  }
  scatter_job job = {s, input, weight_t, bias, output, scratch, samples, chunks, rows, cols};
  // One item per chunk: each owns its scratch; the cost only has to say "big".
  snk_parallel_for(chunks, INT64_C(1) << 20, scatter_chunk, &job);
  free(rows);
  free(cols);
  return 0;
}
