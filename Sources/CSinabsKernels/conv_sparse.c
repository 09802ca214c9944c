// Event-driven Conv2d (scatter.h), parallel over chunks of samples: each
// sample is scattered channels-last, then transposed into (N, C, H, W).
// Linear is the 1x1 case.
#include <stdlib.h>
#include "scatter.h"

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
  snk_scatter_plan plan;
  const float *input, *bias;
  float *output, *scratch;
  int64_t samples, chunks;
} scatter_job;

int64_t *snk_tap_table(int64_t size, int64_t taps, int64_t pad, int64_t dilation, int64_t stride,
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

SNK_MULTIVERSION_WIDE
static void scatter_chunk(void *context, int64_t begin, int64_t end) {
  const scatter_job *job = context;
  const snk_conv_shape *s = job->plan.s;
  const int64_t plane = s->out_h * s->out_w, O = s->out_channels;
  for (int64_t chunk = begin; chunk < end; chunk++) {
    float *acc = job->scratch + chunk * plane * O;
    const int64_t first = job->samples * chunk / job->chunks;
    const int64_t last = job->samples * (chunk + 1) / job->chunks;
    for (int64_t n = first; n < last; n++) {
      snk_scatter_sample(&job->plan, job->input + n * s->channels * s->height * s->width, acc);
      snk_transpose_out(acc, job->bias, job->output + n * O * plane, plane, O);
    }
  }
}

int32_t snk_conv_scatter(const snk_conv_shape *s, const float *input, int64_t samples,
                         const float *weight_t, const float *bias, float *output, float *scratch,
                         int64_t chunks) {
  if (chunks > samples) chunks = samples;
  if (chunks < 1) return 0;
  int64_t *rows = snk_tap_table(s->height, s->kernel_h, s->pad_h, s->dilation_h, s->stride_h, s->out_h);
  int64_t *cols = snk_tap_table(s->width, s->kernel_w, s->pad_w, s->dilation_w, s->stride_w, s->out_w);
  if (rows == NULL || cols == NULL) {
    free(rows);
    free(cols);
    return -1;
  }
  scatter_job job = {{s, weight_t, rows, cols}, input, bias, output, scratch, samples, chunks};
  // One item per chunk: each owns its scratch; the cost only has to say "big".
  snk_parallel_for(chunks, INT64_C(1) << 20, scatter_chunk, &job);
  free(rows);
  free(cols);
  return 0;
}
