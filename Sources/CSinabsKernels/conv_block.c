// Fused inference block: event-driven Conv2d -> neuron step -> average pool,
// one frame at a time. On workload B the first block's conv output and spikes
// are 30 MB each: run layer by layer they go to memory and back three times;
// here a frame's (74 KB) stay in L2. Chunks of samples run in parallel, each
// sample's frames in time order (its neuron states carry from frame to frame).
#include <stdlib.h>
#include "scatter.h"

typedef struct block_job {
  const snk_conv_block *block;
  snk_scatter_plan plan;
  double *spike_sums;  // one per chunk
} block_job;

int64_t snk_conv_block_scratch(const snk_conv_shape *s) {
  // Channels-last accumulator, conv output, spikes: one frame each.
  return 3 * s->out_channels * s->out_h * s->out_w;
}

static int64_t output_per_frame(const snk_conv_block *block) {
  const snk_conv_shape *s = block->conv;
  if (block->pool) return block->pool->planes * block->pool->out_h * block->pool->out_w;
  return s->out_channels * s->out_h * s->out_w;
}

SNK_MULTIVERSION
static void block_chunk(void *context, int64_t begin, int64_t end) {
  const block_job *job = context;
  const snk_conv_block *block = job->block;
  const snk_conv_shape *s = block->conv;
  const int64_t N = s->out_channels * s->out_h * s->out_w, plane = s->out_h * s->out_w;
  const int64_t in_frame = s->channels * s->height * s->width, out_frame = output_per_frame(block);
  for (int64_t chunk = begin; chunk < end; chunk++) {
    float *acc = block->scratch + chunk * snk_conv_block_scratch(s);
    float *conv_out = acc + N, *spikes = conv_out + N;
    const int64_t first = block->batch * chunk / block->chunks;
    const int64_t last = block->batch * (chunk + 1) / block->chunks;
    double sum = 0.0;
    for (int64_t n = first; n < last; n++) {
      snk_neuron_io io = {.batch = 1, .time = 1, .neurons = N, .input_stride = N, .output_stride = N};
      io.input = conv_out;
      io.v_mem = block->v_mem + n * N;
      io.i_syn = block->i_syn ? block->i_syn + n * N : NULL;
      io.b = block->b ? block->b + n * N : NULL;
      io.threshold = block->threshold ? block->threshold + n * N : NULL;
      for (int64_t t = 0; t < block->time; t++) {
        const int64_t frame = n * block->time + t;
        float *out = block->output + frame * out_frame;
        snk_scatter_sample(&job->plan, block->input + frame * in_frame, acc);
        snk_transpose_out(acc, block->bias, conv_out, plane, s->out_channels);
        io.output = block->pool ? spikes : out;
        sum += snk_neuron_forward_serial(block->neuron, &io);
        if (block->pool) {
          snk_avg_pool_forward_serial(block->pool, spikes, out, block->pool_count_include_pad,
                                      block->pool_divisor_override, block->pool_scale);
        }
      }
    }
    job->spike_sums[chunk] = sum;
  }
}

int32_t snk_conv_block_forward(const snk_conv_block *block, double *spike_sum) {
  const snk_conv_shape *s = block->conv;
  const int64_t chunks = block->chunks < block->batch ? block->chunks : block->batch;
  *spike_sum = 0.0;
  if (chunks < 1 || block->time < 1) return 0;
  int64_t *rows = snk_tap_table(s->height, s->kernel_h, s->pad_h, s->dilation_h, s->stride_h, s->out_h);
  int64_t *cols = snk_tap_table(s->width, s->kernel_w, s->pad_w, s->dilation_w, s->stride_w, s->out_w);
  double *sums = calloc((size_t)chunks, sizeof(double));
  if (rows == NULL || cols == NULL || sums == NULL) {
    free(rows);
    free(cols);
    free(sums);
    return -1;
  }
  snk_conv_block adjusted = *block;
  adjusted.chunks = chunks;
  block_job job = {&adjusted, {s, block->weight_t, rows, cols}, sums};
  // One item per chunk (each owns its scratch), claimed dynamically so that
  // a core shared with another process does less; the cost only says "big".
  snk_parallel_for_dynamic(chunks, INT64_C(1) << 20, block_chunk, &job);
  for (int64_t k = 0; k < chunks; k++) *spike_sum += sums[k];
  free(rows);
  free(cols);
  free(sums);
  return 0;
}
