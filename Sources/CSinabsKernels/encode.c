// Input encoders: rate coding and stochastic rounding from counter-based
// SplitMix64 draws. Draw k of the stream seeded with s is mix(s + (k+1) *
// gamma), exactly the k-th output of a sequential SplitMix64(seed: s), so a
// stream can resume at any draw and each element's draw is independent of the
// others: the loops carry no dependency and vectorize.
#include <math.h>
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

SNK_MULTIVERSION
void snk_uniform_fill(uint64_t seed, uint64_t first_draw, int64_t count, float *out) {
  for (int64_t i = 0; i < count; i++) out[i] = uniform_at(seed, first_draw + (uint64_t)i);
}

// Spikes are counted in int32 per block of BLOCK elements (an int64 counter
// halves the vector width), then summed in int64.
enum { BLOCK = 1 << 16 };

SNK_INLINE int32_t rate_block(const float *input, int64_t n, float norm, float scale, int32_t negative_spikes,
                              uint64_t seed, uint64_t first_draw, float *out) {
  int32_t spikes = 0;
  if (negative_spikes) {
    for (int64_t i = 0; i < n; i++) {
      const float x = input[i];
      const float sign = x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : 0.0f;
      const int32_t fire = uniform_at(seed, first_draw + (uint64_t)i) < fabsf(x) / norm * scale && sign != 0.0f;
      out[i] = fire ? sign : 0.0f;
      spikes += fire;
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const int32_t fire = uniform_at(seed, first_draw + (uint64_t)i) < input[i] / norm * scale;
      out[i] = fire ? 1.0f : 0.0f;
      spikes += fire;
    }
  }
  return spikes;
}

SNK_MULTIVERSION
int64_t snk_rate_code(const float *input, int64_t count, int64_t steps, float norm, float scale,
                      int32_t negative_spikes, uint64_t seed, uint64_t first_draw, float *out) {
  int64_t spikes = 0;
  for (int64_t t = 0; t < steps; t++) {
    const uint64_t base = first_draw + (uint64_t)(t * count);
    for (int64_t begin = 0; begin < count; begin += BLOCK) {
      const int64_t n = count - begin < BLOCK ? count - begin : BLOCK;
      spikes += rate_block(input + begin, n, norm, scale, negative_spikes, seed, base + (uint64_t)begin,
                           out + t * count + begin);
    }
  }
  return spikes;
}

SNK_MULTIVERSION
int64_t snk_threshold_draws(const float *signal, int64_t count, float scale, uint64_t seed,
                            uint64_t first_draw, float *out) {
  int64_t spikes = 0;
  for (int64_t begin = 0; begin < count; begin += BLOCK) {
    const int64_t n = count - begin < BLOCK ? count - begin : BLOCK;
    int32_t block = 0;
    for (int64_t i = begin; i < begin + n; i++) {
      const int32_t fire = uniform_at(seed, first_draw + (uint64_t)i) * scale < signal[i];
      out[i] = fire ? 1.0f : 0.0f;
      block += fire;
    }
    spikes += block;
  }
  return spikes;
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
  default:  // SNK_QUANTIZE_STOCHASTIC
    for (int64_t i = 0; i < count; i++) {
      const float x = input[i] < 0.0f ? 0.0f : input[i];
      const float low = floorf(x);
      out[i] = low + (uniform_at(seed, first_draw + (uint64_t)i) < x - low ? 1.0f : 0.0f);
    }
  }
}

SNK_MULTIVERSION
void snk_floor(const float *input, int64_t count, float *out) {
  for (int64_t i = 0; i < count; i++) out[i] = floorf(input[i]);
}
