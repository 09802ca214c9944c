// Pieces of one neuron step shared by the forward and backward kernels, so
// that backward recomputes exactly what forward did (same operations, same
// order, no FMA contraction: the including file sets FP_CONTRACT OFF).
// Internal to CSinabsKernels.
#ifndef SNK_NEURON_STEP_H
#define SNK_NEURON_STEP_H

#include <math.h>
#include "exact_recip.h"
#include "multiversion.h"
#include "sinabs_kernels.h"

#pragma STDC FP_CONTRACT OFF

/// Spikes emitted by membrane `v` at threshold `thr` (SNK_SPIKE_*, not NONE).
SNK_INLINE float snk_spike(int spike_fn, float v, float thr, float max_spikes) {
  switch (spike_fn) {
    case SNK_SPIKE_SINGLE:
      return (v - thr >= 0.0f) ? 1.0f : 0.0f;
    case SNK_SPIKE_MAX: {
      float s = (v > 0.0f ? 1.0f : 0.0f) * truncf(v / thr);
      return s > max_spikes ? max_spikes : s;
    }
    default:
      // torch's (v > 0) * trunc(v / thr): a product, so NaN stays NaN.
      return (v > 0.0f ? 1.0f : 0.0f) * truncf(v / thr);
  }
}

/// snk_spike's `v / thr` as `v * recip`, where recip = 1 / thr is exact
/// (snk_has_exact_recip): no division, the same spikes.
SNK_INLINE float snk_spike_recip(int spike_fn, float v, float recip, float max_spikes) {
  const float s = (v > 0.0f ? 1.0f : 0.0f) * truncf(v * recip);
  return spike_fn == SNK_SPIKE_MAX && s > max_spikes ? max_spikes : s;
}

/// The membrane after `s` spikes of membrane `u` (before min_v_mem).
/// sinabs' MembraneReset adds reset_value to every neuron; only spiking ones
/// reset here. A NaN spike count (NaN u) keeps the NaN membrane.
SNK_INLINE float snk_reset(float u, float s, float thr, int reset_to_value, int subtract_threshold,
                           float subtract_value, float reset_value) {
  const float subtracted = u - s * (subtract_threshold ? thr : subtract_value);
  const float reset = s > 0.0f ? reset_value : u;
  return reset_to_value ? reset : subtracted;
}

/// relu(v - min) + min, NaN-propagating like torch.relu.
SNK_INLINE float snk_clamp_min(float v, float min_v) {
  const float d = v - min_v;
  return (d < 0.0f ? 0.0f : d) + min_v;
}

/// The synaptic current of a step: alpha_syn * (i_prev + x) with tau_syn,
/// else the input itself.
SNK_INLINE float snk_synaptic_current(int has_syn, float a_syn, float i_prev, float x) {
  return has_syn ? a_syn * (i_prev + x) : x;
}

#endif
