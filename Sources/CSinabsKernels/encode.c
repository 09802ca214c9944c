// Input encoders: rate coding and stochastic rounding from counter-based
// SplitMix64 draws. Draw k of the stream seeded with s is mix(s + (k+1) *
// gamma), exactly the k-th output of a sequential SplitMix64(seed: s), so a
// stream can resume at any draw and each element's draw is independent of the
// others: the loops carry no dependency, vectorize, and split across threads
// with results that do not depend on the split.
#include <math.h>
#include <stdatomic.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

#define GAMMA 0x9E3779B97F4A7C15ull

SNK_INLINE float uniform_at(uint64_t seed, uint64_t draw) {
  uint64_t z = seed + (draw + 1) * GAMMA;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (float)(z >> 40) * 0x1p-24f;  // 24 random bits: [0, 1)
}

// Work is split in blocks of BLOCK outputs; spikes are counted in int32 per
// block (an int64 counter halves the vector width), then summed in int64.
enum { BLOCK = 1 << 14, DRAW_COST = 8 };

typedef struct encode_job {
  const float *input;  // rate code: `count` inputs repeated per step; threshold: one per output
  int64_t count, total;
  float norm, scale;
  int32_t mode;  // ENCODE_*
  uint64_t seed, first_draw;
  float *out;
  atomic_llong spikes;
} encode_job;

enum { ENCODE_UNIFORM, ENCODE_RATE, ENCODE_RATE_SIGNED, ENCODE_THRESHOLD, ENCODE_STOCHASTIC_ROUND };

SNK_INLINE int32_t encode_span(const encode_job *job, const float *x, int64_t n, uint64_t draw, float *y) {
  const uint64_t seed = job->seed;
  const float norm = job->norm, scale = job->scale;
  int32_t spikes = 0;
  switch (job->mode) {
  case ENCODE_UNIFORM:
    for (int64_t i = 0; i < n; i++) y[i] = uniform_at(seed, draw + (uint64_t)i);
    break;
  case ENCODE_RATE:
    for (int64_t i = 0; i < n; i++) {
      const int32_t fire = uniform_at(seed, draw + (uint64_t)i) < x[i] / norm * scale;
      y[i] = fire ? 1.0f : 0.0f;
      spikes += fire;
    }
    break;
  case ENCODE_RATE_SIGNED:
    for (int64_t i = 0; i < n; i++) {
      const float sign = x[i] > 0.0f ? 1.0f : x[i] < 0.0f ? -1.0f : 0.0f;
      const int32_t fire = uniform_at(seed, draw + (uint64_t)i) < fabsf(x[i]) / norm * scale && sign != 0.0f;
      y[i] = fire ? sign : 0.0f;
      spikes += fire;
    }
    break;
  case ENCODE_THRESHOLD:
    for (int64_t i = 0; i < n; i++) {
      const int32_t fire = uniform_at(seed, draw + (uint64_t)i) * scale < x[i];
      y[i] = fire ? 1.0f : 0.0f;
      spikes += fire;
    }
    break;
  default:  // ENCODE_STOCHASTIC_ROUND: ReLU, then up with probability frac
    for (int64_t i = 0; i < n; i++) {
      const float r = x[i] < 0.0f ? 0.0f : x[i];
      const float low = floorf(r);
      y[i] = low + (uniform_at(seed, draw + (uint64_t)i) < r - low ? 1.0f : 0.0f);
    }
  }
  return spikes;
}

// Blocks [begin, end): output positions p, input p % count (rate code) or p.
SNK_MULTIVERSION
static void encode_blocks(void *context, int64_t begin, int64_t end) {
  encode_job *job = context;
  const int repeats = job->mode == ENCODE_RATE || job->mode == ENCODE_RATE_SIGNED;
  int64_t spikes = 0;
  for (int64_t block = begin; block < end; block++) {
    int64_t p = block * BLOCK;
    const int64_t stop = p + BLOCK < job->total ? p + BLOCK : job->total;
    while (p < stop) {
      const int64_t i = repeats ? p % job->count : p;
      int64_t n = stop - p;
      if (repeats && n > job->count - i) n = job->count - i;
      spikes += encode_span(job, job->input ? job->input + i : NULL, n, job->first_draw + (uint64_t)p, job->out + p);
      p += n;
    }
  }
  atomic_fetch_add(&job->spikes, spikes);
}

static int64_t encode(encode_job *job) {
  if (job->total <= 0) return 0;
  atomic_init(&job->spikes, 0);
  snk_parallel_for((job->total + BLOCK - 1) / BLOCK, (int64_t)BLOCK * DRAW_COST, encode_blocks, job);
  return atomic_load(&job->spikes);
}

void snk_uniform_fill(uint64_t seed, uint64_t first_draw, int64_t count, float *out) {
  encode_job job = {.count = count, .total = count, .mode = ENCODE_UNIFORM, .seed = seed,
                    .first_draw = first_draw, .out = out};
  encode(&job);
}

int64_t snk_rate_code(const float *input, int64_t count, int64_t steps, float norm, float scale,
                      int32_t negative_spikes, uint64_t seed, uint64_t first_draw, float *out) {
  encode_job job = {.input = input, .count = count, .total = count * steps, .norm = norm, .scale = scale,
                    .mode = negative_spikes ? ENCODE_RATE_SIGNED : ENCODE_RATE, .seed = seed,
                    .first_draw = first_draw, .out = out};
  return encode(&job);
}

int64_t snk_threshold_draws(const float *signal, int64_t count, float scale, uint64_t seed,
                            uint64_t first_draw, float *out) {
  encode_job job = {.input = signal, .count = count, .total = count, .scale = scale, .mode = ENCODE_THRESHOLD,
                    .seed = seed, .first_draw = first_draw, .out = out};
  return encode(&job);
}

SNK_MULTIVERSION
void snk_relu_quantize(const float *input, int64_t count, int32_t mode, uint64_t seed,
                       uint64_t first_draw, float *out) {
  switch (mode) {
  case SNK_QUANTIZE_NONE:
    for (int64_t i = 0; i < count; i++) out[i] = input[i] < 0.0f ? 0.0f : input[i];
    break;
  case SNK_QUANTIZE_FLOOR:
    for (int64_t i = 0; i < count; i++) out[i] = floorf(input[i] < 0.0f ? 0.0f : input[i]);
    break;
  case SNK_QUANTIZE_ROUND:
    for (int64_t i = 0; i < count; i++) out[i] = nearbyintf(input[i] < 0.0f ? 0.0f : input[i]);
    break;
  default: {  // SNK_QUANTIZE_STOCHASTIC
    encode_job job = {.input = input, .count = count, .total = count, .mode = ENCODE_STOCHASTIC_ROUND,
                      .seed = seed, .first_draw = first_draw, .out = out};
    encode(&job);
  }
  }
}

SNK_MULTIVERSION
void snk_floor(const float *input, int64_t count, float *out) {
  for (int64_t i = 0; i < count; i++) out[i] = floorf(input[i]);
}
