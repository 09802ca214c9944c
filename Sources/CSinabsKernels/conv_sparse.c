// Event-driven Conv2d: spikes are mostly zero, so instead of multiplying
// every patch by the weights, each non-zero input adds value x weight to the
// outputs its kernel reaches. The accumulator is channels-last (one
// contiguous run of output channels per output pixel), so the inner loop is
// a vector multiply-add over output channels; a transpose at the end gives
// (N, C, H, W). Linear is the 1x1 case.
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
} scatter_job;

// acc[0..count) += value * w[0..count): the hot loop, a vector FMA.
SNK_INLINE void axpy(float *restrict acc, const float *restrict w, float value, int64_t count) {
  for (int64_t j = 0; j < count; j++) acc[j] += value * w[j];
}

// All outputs reached by input (c, iy, ix) of one sample.
SNK_INLINE void scatter_event(const snk_conv_shape *s, const float *weight_t, float *acc,
                              int64_t c, int64_t iy, int64_t ix, float value) {
  const int64_t cg = s->channels / s->groups, og = s->out_channels / s->groups;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, OH = s->out_h, OW = s->out_w;
  const int64_t group_offset = (c / cg) * og;
  const float *wc = weight_t + c * kh * kw * og;
  for (int64_t ky = 0; ky < kh; ky++) {
    const int64_t ty = iy + s->pad_h - ky * s->dilation_h;
    if (ty < 0 || ty % s->stride_h != 0) continue;
    const int64_t oy = ty / s->stride_h;
    if (oy >= OH) continue;
    for (int64_t kx = 0; kx < kw; kx++) {
      const int64_t tx = ix + s->pad_w - kx * s->dilation_w;
      if (tx < 0 || tx % s->stride_w != 0) continue;
      const int64_t ox = tx / s->stride_w;
      if (ox >= OW) continue;
      axpy(acc + (oy * OW + ox) * s->out_channels + group_offset, wc + (ky * kw + kx) * og, value, og);
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
          for (int64_t ix = 0; ix < W; ix++) {
            if (row[ix] != 0.0f) scatter_event(s, job->weight_t, acc, c, iy, ix, row[ix]);
          }
        }
      }
      float *y = job->output + n * O * plane;
      for (int64_t o = 0; o < O; o++) {
        const float b = job->bias ? job->bias[o] : 0.0f;
        for (int64_t p = 0; p < plane; p++) y[o * plane + p] = acc[p * O + o] + b;
      }
    }
  }
}

void snk_conv_scatter(const snk_conv_shape *s, const float *input, int64_t samples,
                      const float *weight_t, const float *bias, float *output, float *scratch,
                      int64_t chunks) {
  if (chunks > samples) chunks = samples;
  if (chunks < 1) return;
  scatter_job job = {s, input, weight_t, bias, output, scratch, samples, chunks};
  // One item per chunk: each owns its scratch; the cost only has to say "big".
  snk_parallel_for(chunks, INT64_C(1) << 20, scatter_chunk, &job);
}
