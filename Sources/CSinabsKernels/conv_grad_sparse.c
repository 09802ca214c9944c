// Event-driven Conv2d weight gradient: dW[o][c][ky][kx] = sum over samples
// and output pixels of dY[o][pixel] x X[c][the pixel's input at that tap].
// Only non-zero inputs contribute, so (like the forward scatter) each event
// adds value x (the dY of the pixels it reached) to its kernel taps: dY is
// laid out channels-last per sample, the inner loop a vector multiply-add
// over output channels. Chunks of samples run in parallel, each into its own
// accumulator (channels, kh, kw, out_channels / groups), summed at the end.
#include <stdlib.h>
#include "scatter.h"

typedef struct grad_job {
  snk_scatter_plan plan;
  const float *input, *grad_output;
  float *scratch;  // per chunk: accumulator, then one sample's dY channels-last
  int64_t samples, chunks, per_chunk;
} grad_job;

int64_t snk_conv_weight_grad_scratch(const snk_conv_shape *s) {
  return s->channels * s->kernel_h * s->kernel_w * (s->out_channels / s->groups) +
         s->out_h * s->out_w * s->out_channels;
}

// acc_t += value x dyt at every tap input (c, iy, ix) reached (the adjoint of
// snk_scatter_event).
SNK_INLINE void gather_event(const snk_scatter_plan *plan, float *acc_t, const float *dyt, int64_t c,
                             int64_t iy, int64_t ix, float value) {
  const snk_conv_shape *s = plan->s;
  const int64_t cg = s->channels / s->groups, og = s->out_channels / s->groups;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, OW = s->out_w, O = s->out_channels;
  const int64_t group_offset = (c / cg) * og;
  float *ac = acc_t + c * kh * kw * og;
  const int64_t *rows = plan->rows + iy * kh, *cols = plan->cols + ix * kw;
  for (int64_t ky = 0; ky < kh; ky++) {
    if (rows[ky] < 0) continue;
    const float *dy_row = dyt + rows[ky] * OW * O + group_offset;
    for (int64_t kx = 0; kx < kw; kx++) {
      if (cols[kx] < 0) continue;
      snk_axpy(ac + (ky * kw + kx) * og, dy_row + cols[kx] * O, value, og);
    }
  }
}

// 3x3 kernels with groups == 1 and 16 or 32 output channels (nv vectors):
// the 9 taps x nv vectors of channel c's accumulator stay in registers over
// all of c's events in one sample. A tap whose output lies outside the plane
// (border pixels) reads a row of zeros instead of branching.
SNK_INLINE void gather_plane_3x3(const snk_scatter_plan *plan, float *ac, const float *dyt, const float *x,
                                 const int nv) {
  static const float zeros[32];
  const snk_conv_shape *s = plan->s;
  const int64_t H = s->height, W = s->width, OW = s->out_w, O = s->out_channels;
  snk_f16 a[9][2];
  for (int t = 0; t < 9; t++)
    for (int v = 0; v < nv; v++) a[t][v] = (snk_f16){0};
  for (int64_t iy = 0; iy < H; iy++) {
    const int64_t *rows = plan->rows + iy * 3;
    const float *row = x + iy * W;
    for (int64_t ix = 0; ix < W; ix++) {
      const float value = row[ix];
      if (value == 0.0f) continue;
      const int64_t *cols = plan->cols + ix * 3;
      for (int t = 0; t < 9; t++) {
        const int64_t oy = rows[t / 3], ox = cols[t % 3];
        const float *d = (oy >= 0 && ox >= 0) ? dyt + (oy * OW + ox) * O : zeros;
        for (int v = 0; v < nv; v++) {
          snk_f16 dv;
          memcpy(&dv, d + 16 * v, sizeof dv);
          a[t][v] += value * dv;
        }
      }
    }
  }
  for (int t = 0; t < 9; t++) {
    for (int v = 0; v < nv; v++) {
      snk_f16 m;
      memcpy(&m, ac + t * O + 16 * v, sizeof m);
      m += a[t][v];
      memcpy(ac + t * O + 16 * v, &m, sizeof m);
    }
  }
}

static int registers_fit(const snk_conv_shape *s) {
  return s->kernel_h == 3 && s->kernel_w == 3 && s->groups == 1 && (s->out_channels == 16 || s->out_channels == 32);
}

SNK_MULTIVERSION_WIDE
static void grad_chunk(void *context, int64_t begin, int64_t end) {
  const grad_job *job = context;
  const snk_conv_shape *s = job->plan.s;
  const int64_t H = s->height, W = s->width, plane = s->out_h * s->out_w, O = s->out_channels;
  const int64_t acc_count = s->channels * s->kernel_h * s->kernel_w * (O / s->groups);
  for (int64_t chunk = begin; chunk < end; chunk++) {
    float *acc = job->scratch + chunk * job->per_chunk, *dyt = acc + acc_count;
    memset(acc, 0, (size_t)acc_count * sizeof(float));
    const int64_t first = job->samples * chunk / job->chunks;
    const int64_t last = job->samples * (chunk + 1) / job->chunks;
    for (int64_t n = first; n < last; n++) {
      const float *dy = job->grad_output + n * O * plane;
      snk_transpose_in(dy, dyt, plane, O);
      const float *x = job->input + n * s->channels * H * W;
      if (registers_fit(s)) {
        const int nv = (int)(O / 16);
        for (int64_t c = 0; c < s->channels; c++) {
          if (nv == 1) gather_plane_3x3(&job->plan, acc + c * 9 * O, dyt, x + c * H * W, 1);
          else gather_plane_3x3(&job->plan, acc + c * 9 * O, dyt, x + c * H * W, 2);
        }
        continue;
      }
      for (int64_t c = 0; c < s->channels; c++) {
        for (int64_t iy = 0; iy < H; iy++) {
          const float *row = x + (c * H + iy) * W;
          for (int64_t ix = 0; ix < W; ix++) {
            if (row[ix] != 0.0f) gather_event(&job->plan, acc, dyt, c, iy, ix, row[ix]);
          }
        }
      }
    }
  }
}

int32_t snk_conv_weight_grad_sparse(const snk_conv_shape *s, const float *input, const float *grad_output,
                                    int64_t samples, float *grad_weight, float *scratch, int64_t chunks) {
  if (chunks > samples) chunks = samples;
  if (chunks < 1) return 0;
  int64_t *rows = snk_tap_table(s->height, s->kernel_h, s->pad_h, s->dilation_h, s->stride_h, s->out_h);
  int64_t *cols = snk_tap_table(s->width, s->kernel_w, s->pad_w, s->dilation_w, s->stride_w, s->out_w);
  if (rows == NULL || cols == NULL) {
    free(rows);
    free(cols);
    return -1;
  }
  const int64_t per_chunk = snk_conv_weight_grad_scratch(s);
  grad_job job = {{s, NULL, rows, cols}, input, grad_output, scratch, samples, chunks, per_chunk};
  snk_parallel_for_dynamic(chunks, INT64_C(1) << 20, grad_chunk, &job);
  // Sum the chunks' accumulators (channels, kh, kw, og) into dW (O, cg, kh, kw).
  const int64_t cg = s->channels / s->groups, og = s->out_channels / s->groups;
  const int64_t taps = s->kernel_h * s->kernel_w;
  for (int64_t o = 0; o < s->out_channels; o++) {
    const int64_t group = o / og, j = o % og;
    for (int64_t c = 0; c < cg; c++) {
      for (int64_t k = 0; k < taps; k++) {
        const int64_t at = ((group * cg + c) * taps + k) * og + j;
        float sum = 0.0f;
        for (int64_t chunk = 0; chunk < chunks; chunk++) sum += scratch[chunk * per_chunk + at];
        grad_weight[(o * cg + c) * taps + k] += sum;
      }
    }
  }
  free(rows);
  free(cols);
  return 0;
}
