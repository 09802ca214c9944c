// Fused inference block: event-driven Conv2d -> neuron step -> average pool,
// one frame at a time. On workload B the first block's conv output and spikes
// are 30 MB each: run layer by layer they go to memory and back three times;
// here a frame's stay in cache. Everything inside a frame is channels-last
// (the scatter's layout): the neuron steps run on the accumulator rows as the
// scatter left them (no transpose), zero them while they are in L1, and a 2x2
// pool reads each pair of spike rows at once; only the pooled frame (a
// quarter of the spikes) is transposed to the output's planes. The neuron
// states of a sample are transposed to channels-last once for its frames.
// Chunks of samples run in parallel, each sample's frames in time order.
#include <stdlib.h>
#include "exact_recip.h"
#include "scatter.h"

typedef struct block_job {
  const snk_conv_block *block;
  snk_scatter_plan plan;
  // Bands of output rows step and pool together: `band_rows` rows each up to
  // row `paired` (pairs for a 2x2 pool), then the rows below the last window.
  int64_t band_rows, paired;
  int pool_2x2;
  snk_conv_block_result *results;  // one per chunk
} block_job;

// Per-chunk scratch, in frames of N = out_channels x out_h x out_w floats.
enum { ACC, SPIKES, POOLED, V_MEM, I_SYN, B, THRESHOLD, SCRATCH_FRAMES };
// Neurons per band without the 2x2 pool: its spikes stay in L1.
enum { BAND_NEURONS = 2048 };

int64_t snk_conv_block_scratch(const snk_conv_shape *s) {
  return SCRATCH_FRAMES * s->out_channels * s->out_h * s->out_w;
}

static int64_t output_per_frame(const snk_conv_block *block) {
  const snk_conv_shape *s = block->conv;
  if (block->pool) return block->pool->planes * block->pool->out_h * block->pool->out_w;
  return s->out_channels * s->out_h * s->out_w;
}

// sinabs' SumPool2d(2) and friends: 2x2 windows, stride 2, inside the frame.
static int is_pool_2x2(const snk_pool_shape *p) {
  return p && p->kernel_h == 2 && p->kernel_w == 2 && p->stride_h == 2 && p->stride_w == 2 &&
         p->pad_h == 0 && p->pad_w == 0 && p->dilation_h == 1 && p->dilation_w == 1 &&
         2 * p->out_h <= p->height && 2 * p->out_w <= p->width;
}

/// What a chunk works on: its scratch and the sample whose frames it runs.
typedef struct block_frame {
  const block_job *job;
  float *scratch;
  // Where this frame's 2x2-pooled rows (or, without a pool, spikes) go,
  // channels-last: the output itself when the block hands it on so.
  float *pooled, *spikes;
  int64_t N, O, plane;
  snk_neuron_io io;  // batch 1, time 1; pointers set per step
} block_frame;

// The channels-last states of the sample: in before its frames (to), out after.
SNK_MULTIVERSION_WIDE
static void move_states(block_frame *f, int64_t n, int to_channels_last) {
  const snk_conv_block *block = f->job->block;
  float *const nchw[] = {block->v_mem, block->i_syn, block->b, block->threshold};
  for (int k = 0; k < 4; k++) {
    if (nchw[k] == NULL) continue;
    float *sample = nchw[k] + n * f->N, *cl = f->scratch + (V_MEM + k) * f->N;
    if (to_channels_last) {
      snk_transpose_in(sample, cl, f->plane, f->O);
    } else {
      snk_transpose_out(cl, NULL, sample, f->plane, f->O);
    }
  }
}

// Neurons [first, first + count) of the frame (channels-last) take one step
// on their accumulator `acc` (+ bias: the conv output), spikes to `spikes`;
// the accumulator is zeroed for the next scatter.
SNK_INLINE double step(block_frame *f, float *acc, int64_t first, int64_t count, float *spikes) {
  const snk_conv_block *block = f->job->block;
  if (block->bias && f->O % 16 == 0) {  // 16 channels a vector (see pool_pair)
    for (int64_t p = 0; p < count; p += f->O) {
      for (int64_t o = 0; o < f->O; o += 16) {
        snk_f16 a, b;
        memcpy(&a, acc + p + o, sizeof a);
        memcpy(&b, block->bias + o, sizeof b);
        a = a + b;
        memcpy(acc + p + o, &a, sizeof a);
      }
    }
  } else if (block->bias) {
    for (int64_t p = 0; p < count; p += f->O)
      for (int64_t o = 0; o < f->O; o++) acc[p + o] = acc[p + o] + block->bias[o];
  }
  snk_neuron_io *io = &f->io;
  io->neurons = io->input_stride = io->output_stride = count;
  io->input = acc;
  io->output = spikes;
  io->v_mem = f->scratch + V_MEM * f->N + first;
  io->i_syn = block->i_syn ? f->scratch + I_SYN * f->N + first : NULL;
  io->b = block->b ? f->scratch + B * f->N + first : NULL;
  io->threshold = block->threshold ? f->scratch + THRESHOLD * f->N + first : NULL;
  const double sum = snk_neuron_forward_serial(block->neuron, io);
  memset(acc, 0, (size_t)count * sizeof(float));
  return sum;
}

// Pooled row py (channels-last) of a pair of spike rows: the same sums in the
// same order as snk_avg_pool_forward.
SNK_INLINE void pool_pair(const snk_conv_block *block, const float *r0, int64_t O, float *dst) {
  const snk_pool_shape *pool = block->pool;
  const int64_t PW = pool->out_w, row = pool->width * O;
  const float *r1 = r0 + row;
  const float divisor = (float)(block->pool_divisor_override > 0 ? block->pool_divisor_override : 4);
  const float scale = block->pool_scale, recip = 1.0f / divisor;
  const int exact = snk_has_exact_recip(divisor);
  // Window (px, o) = the pixels 2px and 2px + 1 of both rows, channel o.
  // Written for a vector of LANES channels at a time (16 where the channel
  // count allows: a vectorised loop over 16 channels alone would run its
  // scalar remainder).
#define SNK_POOL_ROW(VEC, LANES, DIVIDE)                                               \
  for (int64_t px = 0; px < PW; px++) {                                                \
    const float *a = r0 + 2 * px * O, *b = r1 + 2 * px * O;                            \
    for (int64_t o = 0; o < O; o += LANES) {                                           \
      VEC a0, a1, b0, b1;                                                              \
      memcpy(&a0, a + o, sizeof a0);                                                   \
      memcpy(&a1, a + O + o, sizeof a1);                                               \
      memcpy(&b0, b + o, sizeof b0);                                                   \
      memcpy(&b1, b + O + o, sizeof b1);                                               \
      const VEC window = (((0.0f + a0) + a1) + b0) + b1;                               \
      const VEC pooled = (DIVIDE) * scale;                                             \
      memcpy(dst + px * O + o, &pooled, sizeof pooled);                                \
    }                                                                                  \
  }
  if (O % 16 == 0) {
    if (exact) {
      SNK_POOL_ROW(snk_f16, 16, window * recip)
    } else {
      SNK_POOL_ROW(snk_f16, 16, window / divisor)
    }
  } else if (exact) {
    SNK_POOL_ROW(float, 1, window * recip)
  } else {
    SNK_POOL_ROW(float, 1, window / divisor)
  }
#undef SNK_POOL_ROW
}

// Output rows [oy0, oy1) after the scatter: their neurons step, then (2x2) pool.
SNK_INLINE double finish_band(block_frame *f, int64_t oy0, int64_t oy1) {
  const block_job *job = f->job;
  const snk_conv_block *block = job->block;
  const int64_t O = f->O, row = block->conv->out_w * O;
  const int64_t first = oy0 * row, count = (oy1 - oy0) * row;
  float *acc = f->scratch + ACC * f->N + first, *spikes = f->scratch + SPIKES * f->N;
  if (!job->pool_2x2) return step(f, acc, first, count, f->spikes + first);
  const double sum = step(f, acc, first, count, spikes);
  if (oy1 <= job->paired) pool_pair(block, spikes, O, f->pooled + oy0 / 2 * block->pool->out_w * O);
  return sum;
}

// One frame: scatter, then band by band step and pool; then the pooled frame
// (or the spikes, through any other pool) into the output's planes.
SNK_MULTIVERSION_WIDE
static double run_frame(block_frame *f, const float *x, float *out) {
  const block_job *job = f->job;
  const snk_conv_block *block = job->block;
  const int64_t O = f->O;
  float *acc = f->scratch + ACC * f->N, *spikes = f->scratch + SPIKES * f->N;
  float *pooled = f->scratch + POOLED * f->N;
  const int hand_off = block->output_channels_last && (job->pool_2x2 || block->pool == NULL);
  f->pooled = hand_off ? out : pooled;
  f->spikes = hand_off ? out : spikes;
  double sum = 0.0;
  snk_scatter_accumulate(&job->plan, x, acc);
  for (int64_t oy0 = 0; oy0 < job->paired; oy0 += job->band_rows) {
    sum += finish_band(f, oy0, oy0 + job->band_rows < job->paired ? oy0 + job->band_rows : job->paired);
  }
  if (job->paired < block->conv->out_h) sum += finish_band(f, job->paired, block->conv->out_h);
  if (hand_off) {
    return sum;
  } else if (job->pool_2x2) {
    snk_transpose_out(pooled, NULL, out, block->pool->out_h * block->pool->out_w, O);
  } else if (block->pool == NULL) {
    snk_transpose_out(spikes, NULL, out, f->plane, O);
  } else {
    snk_transpose_out(spikes, NULL, pooled, f->plane, O);
    snk_avg_pool_forward_serial(block->pool, pooled, out, block->pool_count_include_pad,
                                block->pool_divisor_override, block->pool_scale);
  }
  return sum;
}

// Counted while the frame is in cache: the next block's density (and so
// its kernel) without a pass over the whole output.
SNK_INLINE int64_t count_nonzero(const float *x, int64_t count) {
  int64_t nonzero = 0;
  for (int64_t i = 0; i < count; i++) nonzero += x[i] != 0.0f;
  return nonzero;
}

SNK_MULTIVERSION_WIDE
static void block_chunk(void *context, int64_t begin, int64_t end) {
  const block_job *job = context;
  const snk_conv_block *block = job->block;
  const snk_conv_shape *s = block->conv;
  const int64_t in_frame = s->channels * s->height * s->width, out_frame = output_per_frame(block);
  for (int64_t chunk = begin; chunk < end; chunk++) {
    block_frame f = {.job = job, .scratch = block->scratch + chunk * snk_conv_block_scratch(s),
                     .O = s->out_channels, .plane = s->out_h * s->out_w};
    f.N = f.O * f.plane;
    f.io.batch = f.io.time = 1;
    memset(f.scratch + ACC * f.N, 0, (size_t)f.N * sizeof(float));
    const int64_t first = block->batch * chunk / block->chunks;
    const int64_t last = block->batch * (chunk + 1) / block->chunks;
    snk_conv_block_result result = {0.0, 0};
    for (int64_t n = first; n < last; n++) {
      move_states(&f, n, 1);
      for (int64_t t = 0; t < block->time; t++) {
        float *out = block->output + (n * block->time + t) * out_frame;
        result.spike_sum += run_frame(&f, block->input + (n * block->time + t) * in_frame, out);
        result.output_nonzero += count_nonzero(out, out_frame);
      }
      move_states(&f, n, 0);
    }
    job->results[chunk] = result;
  }
}

int32_t snk_conv_block_takes_channels_last(const snk_conv_shape *conv) {
  const snk_scatter_plan plan = {.s = conv};
  return snk_scatter_by_pixel(&plan);
}

int32_t snk_conv_block_writes_channels_last(const snk_pool_shape *pool) {
  return pool == NULL || is_pool_2x2(pool);
}

int32_t snk_conv_block_forward(const snk_conv_block *block, snk_conv_block_result *result) {
  const snk_conv_shape *s = block->conv;
  const int64_t chunks = block->chunks < block->batch ? block->chunks : block->batch;
  *result = (snk_conv_block_result){0.0, 0};
  if ((block->input_channels_last && !snk_conv_block_takes_channels_last(s)) ||
      (block->output_channels_last && !snk_conv_block_writes_channels_last(block->pool))) {
    return -2;
  }
  if (chunks < 1 || block->time < 1) return 0;
  int64_t *rows = snk_tap_table(s->height, s->kernel_h, s->pad_h, s->dilation_h, s->stride_h, s->out_h);
  int64_t *cols = snk_tap_table(s->width, s->kernel_w, s->pad_w, s->dilation_w, s->stride_w, s->out_w);
  snk_conv_block_result *results = calloc((size_t)chunks, sizeof *results);
  snk_conv_block adjusted = *block;
  adjusted.chunks = chunks;
  block_job job = {.block = &adjusted, .plan = {s, block->weight_t, rows, cols, block->input_channels_last != 0},
                   .pool_2x2 = is_pool_2x2(block->pool), .results = results};
  const int64_t row = s->out_w * s->out_channels;
  job.band_rows = job.pool_2x2 ? 2 : (BAND_NEURONS / row > 1 ? BAND_NEURONS / row : 1);
  job.paired = job.pool_2x2 ? 2 * block->pool->out_h : s->out_h;
  if (rows == NULL || cols == NULL || results == NULL) {
    free(rows);
    free(cols);
    free(results);
    return -1;
  }
  // One item per chunk (each owns its scratch), claimed dynamically so that
  // a core shared with another process does less; the cost only says "big".
  snk_parallel_for_dynamic(chunks, INT64_C(1) << 20, block_chunk, &job);
  for (int64_t k = 0; k < chunks; k++) {
    result->spike_sum += results[k].spike_sum;
    result->output_nonzero += results[k].output_nonzero;
  }
  free(rows);
  free(cols);
  free(results);
  return 0;
}

typedef struct planes_job {
  const float *from;
  float *to;
  int64_t plane, channels;
} planes_job;

SNK_MULTIVERSION
static void frames_to_planes(void *context, int64_t begin, int64_t end) {
  const planes_job *job = context;
  const int64_t frame = job->plane * job->channels;
  for (int64_t k = begin; k < end; k++) {
    snk_transpose_out(job->from + k * frame, NULL, job->to + k * frame, job->plane, job->channels);
  }
}

void snk_frames_to_planes(const float *channels_last, float *planes, int64_t frames, int64_t plane,
                          int64_t channels) {
  planes_job job = {channels_last, planes, plane, channels};
  snk_parallel_for(frames, plane * channels, frames_to_planes, &job);
}
