// Exact backpropagation through time for the LIF family: one fused pass
// backwards over time per block of neurons. Each step is rebuilt from the
// tape (the membrane u after integration, before the spike; i_syn and b
// before the step) with the same float operations as neuron_forward.c
// (neuron_step.h); the membrane before step t is recomputed from u of step
// t-1. Then the gradients are carried back through the same graph autograd
// builds from sinabs 3.1.3's step functions. Reading u instead of the state
// before the step spares IAF the input: 12 bytes per neuron-step (u, output
// gradient in; input gradient out) instead of 16.
//
// grad_input may be tape_u itself (the tape is dead after its backward): row
// t of u is last read at step t (and, for a one-step call without v_start,
// at step t+1 as the row before), and row t of the gradient is streamed out
// from block scratch only after step t's reads. Prefetches touch row t-1,
// which is still u.
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include "multiversion.h"
#include "sinabs_kernels.h"
#include "neuron_step.h"
#include "stream.h"

#pragma STDC FP_CONTRACT OFF

// Neurons per task: the block's scratch (v before the step, threshold,
// gradients, surrogate, three parameter accumulators: 18 KiB) stays in L1.
enum { BLOCK = 512 };

typedef struct backward_job {
  const snk_neuron_params *p;
  const snk_surrogate *sg;
  snk_neuron_grad_io *io;
  int64_t blocks_per_sample;
  pthread_mutex_t lock;
} backward_job;

typedef struct block_scratch {
  float v_prev[BLOCK];   // membrane before this step (after the last one)
  float thr[BLOCK];      // threshold of this step
  float gy[BLOCK];       // upstream gradient of the output + feedback
  float surrogate[BLOCK];
  float gx[BLOCK];       // dL/d(input) of the step, streamed out after
  float gu_next[BLOCK];  // dL/du of the step after (deferred d_alpha_mem term)
  // Per neuron over time in float (T terms), then over neurons in double.
  float d_mem[BLOCK], d_syn[BLOCK], d_adapt[BLOCK];
} block_scratch;

// exp(x) to ~2 ulp without a library call, so that surrogate loops
// vectorize (Cephes' polynomial; round-to-nearest by the 1.5 * 2^23 trick).
SNK_INLINE float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * (r * r) + r + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

// A normal density with its constants folded: exp(-(x - mu)^2 * inv_two_var) * norm.
typedef struct gaussian_terms { float mu, inv_two_var, norm; } gaussian_terms;

static gaussian_terms gaussian_of(float mu, float sigma) {
  return (gaussian_terms){mu, 1.0f / (2.0f * (sigma * sigma)), 1.0f / (sigma * 2.50662827463100050f)};
}

SNK_INLINE float gaussian(float x, gaussian_terms g) {
  const float d = x - g.mu;
  return exp_approx(-(d * d) * g.inv_two_var) * g.norm;
}

// surrogate[k] = d spikes / d u for the chosen sinabs surrogate function.
// Divisions by constants are multiplications by reciprocals (a few ulp from
// torch's order, far inside the 1e-4 tolerance); with a fixed threshold
// (all but ALIF) `thr` holds one value and 1/threshold is computed once.
SNK_MULTIVERSION
static void surrogate_row(const snk_surrogate *sg, const float *restrict u, const float *restrict thr,
                          const int fixed_thr, float *restrict out, int64_t m) {
  const float width = sg->grad_width, scale = sg->grad_scale, inv_width = 1.0f / sg->grad_width;
  const float t0 = thr[0], inv_t0 = 1.0f / thr[0];
  switch (sg->kind) {
    case SNK_SURROGATE_HEAVISIDE:
      if (fixed_thr) {
#pragma clang loop vectorize(enable)
        for (int64_t k = 0; k < m; k++) out[k] = u[k] >= t0 - sg->window ? inv_t0 : 0.0f;
      } else {
#pragma clang loop vectorize(enable)
        for (int64_t k = 0; k < m; k++) out[k] = (u[k] >= thr[k] - sg->window ? 1.0f : 0.0f) / thr[k];
      }
      break;
    case SNK_SURROGATE_GAUSSIAN: {
      const gaussian_terms g = gaussian_of(sg->mu, sg->sigma);
#pragma clang loop vectorize(enable)
      for (int64_t k = 0; k < m; k++) out[k] = gaussian(u[k] - thr[k], g) * scale;
      break;
    }
    case SNK_SURROGATE_MULTI_GAUSSIAN: {
      const float h = sg->h;
      const gaussian_terms centre = gaussian_of(sg->mu, sg->sigma);
      const gaussian_terms right = gaussian_of(sg->sigma, sg->s * sg->sigma);
      const gaussian_terms left = gaussian_of(-sg->sigma, sg->s * sg->sigma);
#pragma clang loop vectorize(enable)
      for (int64_t k = 0; k < m; k++) {
        const float x = u[k] - thr[k];
        out[k] = ((1.0f + h) * gaussian(x, centre) - h * gaussian(x, right) - h * gaussian(x, left)) * scale;
      }
      break;
    }
    case SNK_SURROGATE_PERIODIC_EXPONENTIAL:
      // v / threshold stays a division: floor() of it must match torch exactly.
#pragma clang loop vectorize(enable)
      for (int64_t k = 0; k < m; k++) {
        const float normalised = u[k] / thr[k] - 0.5f;
        const float periodic = thr[k] * (2.0f * (normalised - floorf(normalised)) - 1.0f);
        const float shifted = u[k] < thr[k] ? u[k] - thr[k] : periodic;
        out[k] = scale * exp_approx(-fabsf(shifted) * inv_width);
      }
      break;
    default:  // SingleExponential: grad_scale / w * exp(-|v - threshold| / w), w = threshold * grad_width
      if (fixed_thr) {
        const float inv_abs_width = 1.0f / (t0 * width), factor = scale / (t0 * width);
#pragma clang loop vectorize(enable)
        for (int64_t k = 0; k < m; k++) out[k] = factor * exp_approx(-fabsf(u[k] - t0) * inv_abs_width);
      } else {
#pragma clang loop vectorize(enable)
        for (int64_t k = 0; k < m; k++) {
          const float inv_abs_width = 1.0f / (thr[k] * width);
          out[k] = scale * inv_abs_width * exp_approx(-fabsf(u[k] - thr[k]) * inv_abs_width);
        }
      }
      break;
  }
}

// What a specialisation fixes at compile time.
typedef struct step_kind {
  int adaptive;  // ALIF
  int has_syn;   // tau_syn
  int spike_fn;  // SNK_SPIKE_*
  int plain;     // reset subtracts the threshold, no min_v_mem
  int leak;      // alpha_mem is trained (not IAF): accumulate d_alpha_mem
  int fused_exp; // SingleExponential surrogate at a fixed threshold, computed in the step loop
  int per_neuron; // alphas per neuron (p->alpha_*_v), else the scalars
} step_kind;

// The membrane after the previous step (before this one), from that step's
// u with the forward's operations: spike, reset, min_v_mem. `b_prev` is b
// before the previous step (ALIF's threshold then). Pointer parameters (not
// locals) so that `restrict` holds and the loop vectorizes without runtime
// overlap checks.
SNK_INLINE void previous_membrane(const snk_neuron_params *p, const step_kind kind, int64_t m,
                                  const float *restrict u_prev, const float *restrict b_prev,
                                  float *restrict v_prev) {
  const int adaptive = kind.adaptive, spike_fn = kind.spike_fn;
  const float threshold = p->threshold, adapt_scale = p->adapt_scale, max_spikes = p->max_spikes;
  const int reset_to_value = kind.plain ? 0 : p->reset_fn == SNK_RESET_TO_VALUE;
  const int subtract_threshold = kind.plain ? 1 : p->subtract_threshold;
  const int has_min = kind.plain ? 0 : p->has_min_v_mem;
  const float subtract_value = p->subtract_value, reset_value = p->reset_value, min_v = p->min_v_mem;
#pragma clang loop vectorize(enable)
  for (int64_t k = 0; k < m; k++) {
    float v = u_prev[k];
    if (spike_fn != SNK_SPIKE_NONE) {
      const float thr = adaptive ? threshold + adapt_scale * b_prev[k] : threshold;
      const float s = snk_spike(spike_fn, v, thr, max_spikes);
      v = snk_reset(v, s, thr, reset_to_value, subtract_threshold, subtract_value, reset_value);
    }
    if (has_min) v = snk_clamp_min(v, min_v);
    v_prev[k] = v;
  }
}

// One step backwards: from dL/d(states after the step) in gv, gi, gb and the
// output gradient to dL/d(states before it) and dL/d(input); parameter terms
// are added per neuron to d_mem, d_syn, d_adapt.
SNK_INLINE void reverse_step(const snk_neuron_params *p, const snk_surrogate *sg, const step_kind kind, int64_t m,
                             const float *restrict u,
                             const float *restrict thr, const float *restrict surrogate,
                             const float *restrict g_out, const float *restrict v_prev,
                             const int deferred, const int have_next, float *restrict gu_next,
                             const float *restrict x, const float *restrict i_prev,
                             const float *restrict b_prev, float *restrict gv, float *restrict gi,
                             float *restrict gb, float *restrict gx, float *restrict d_mem,
                             float *restrict d_syn, float *restrict d_adapt,
                             const float *restrict am_v, const float *restrict as_v,
                             const float *restrict aa_v) {
  const int adaptive = kind.adaptive, has_syn = kind.has_syn, spike_fn = kind.spike_fn;
  const float a_scalar = p->alpha_mem, one_minus_a_scalar = 1.0f - p->alpha_mem;
  const float a_syn_scalar = p->alpha_syn;
  const float a_adapt_scalar = p->alpha_adapt, one_minus_a_adapt_scalar = 1.0f - p->alpha_adapt;
  const float adapt_scale = p->adapt_scale, max_spikes = p->max_spikes;
  const int norm = p->norm_input;
  const int reset_to_value = kind.plain ? 0 : p->reset_fn == SNK_RESET_TO_VALUE;
  const int subtract_threshold = kind.plain ? 1 : p->subtract_threshold;
  const int has_min = kind.plain ? 0 : p->has_min_v_mem;
  const float subtract_value = p->subtract_value, reset_value = p->reset_value;
  const float min_v = p->min_v_mem;
  const int spikes = spike_fn != SNK_SPIKE_NONE;
  // Reset by subtracting the (adaptive) threshold sends gradient into b.
  const int reset_uses_threshold = !reset_to_value && subtract_threshold;
  // As surrogate_row's fixed-threshold SingleExponential, same operations.
  const float t0 = p->threshold, abs_width = t0 * sg->grad_width;
  const float inv_abs_width = 1.0f / abs_width, factor = sg->grad_scale / abs_width;
#pragma clang loop vectorize(enable)
  for (int64_t k = 0; k < m; k++) {
    const int pn = kind.per_neuron;
    const float a = pn ? am_v[k] : a_scalar, one_minus_a = pn ? 1.0f - a : one_minus_a_scalar;
    const float a_syn = pn && has_syn ? as_v[k] : a_syn_scalar;
    const float a_adapt = pn && adaptive ? aa_v[k] : a_adapt_scalar;
    const float one_minus_a_adapt = pn && adaptive ? 1.0f - a_adapt : one_minus_a_adapt_scalar;
    float sp = 0.0f, reset = u[k];
    if (spikes) {
      sp = snk_spike(spike_fn, u[k], thr[k], max_spikes);
      reset = snk_reset(u[k], sp, thr[k], reset_to_value, subtract_threshold, subtract_value, reset_value);
    }
    // relu(v - min) + min passes gradient where v - min > 0.
    const float g_reset = has_min ? (reset - min_v > 0.0f ? gv[k] : 0.0f) : gv[k];
    float gu;
    if (spikes) {
      float gs = g_out[k];
      if (adaptive) gs += gb[k] * one_minus_a_adapt;
      if (!reset_to_value) gs -= g_reset * (subtract_threshold ? thr[k] : subtract_value);
      // MembraneReset multiplies by (spikes == 0), a mask without gradient.
      const float sur = kind.fused_exp ? factor * exp_approx(-fabsf(u[k] - t0) * inv_abs_width) : surrogate[k];
      gu = gs * sur + (reset_to_value ? (sp == 0.0f ? g_reset : 0.0f) : g_reset);
      if (adaptive) {
        const float g_b = gb[k];
        d_adapt[k] += g_b * (b_prev[k] - sp);
        gb[k] = g_b * a_adapt - (reset_uses_threshold ? g_reset * sp * adapt_scale : 0.0f);
      }
    } else {
      gu = g_out[k] + g_reset;  // ExpLeak: the output is the membrane itself
    }
    // d_alpha_mem gets gu * (v before the step). Deferred: this step's
    // v after (its reset, recomputed here anyway) meets the later step's gu,
    // so v before the step is never rebuilt; run_block adds the first one.
    float dm;
    if (deferred) {
      const float v_after = has_min ? snk_clamp_min(reset, min_v) : reset;
      dm = have_next ? gu_next[k] * v_after : 0.0f;
      gu_next[k] = gu;
    } else {
      dm = gu * v_prev[k];
    }
    gv[k] = kind.leak ? gu * a : gu;

    const float i = snk_synaptic_current(has_syn, a_syn, has_syn ? i_prev[k] : 0.0f, x[k]);
    float g_i;  // dL / d(synaptic current before the (1 - alpha) scaling)
    if (adaptive) {  // ALIF stores and carries the scaled current
      const float g_stored = has_syn ? gu + gi[k] : gu;
      g_i = norm ? g_stored * one_minus_a : g_stored;
      if (norm) dm -= g_stored * i;
    } else {
      g_i = norm ? gu * one_minus_a : gu;
      if (norm) dm -= gu * i;
      if (has_syn) g_i += gi[k];
    }
    if (kind.leak) d_mem[k] += dm;
    if (has_syn) {
      d_syn[k] += g_i * (i_prev[k] + x[k]);
      gi[k] = g_i * a_syn;
      gx[k] = g_i * a_syn;
    } else {
      gx[k] = g_i;
    }
  }
}

SNK_INLINE void add_row(float *restrict to, const float *restrict from, int64_t m) {
  for (int64_t k = 0; k < m; k++) to[k] += from[k];
}

// One block of one sample backwards through all its time steps.
SNK_INLINE void run_block(const snk_neuron_params *p, const snk_surrogate *sg,
                          const snk_neuron_grad_io *io, block_scratch *s,
                          int64_t b, int64_t n0, int64_t n1, const step_kind kind) {
  const int adaptive = kind.adaptive, has_syn = kind.has_syn, spike_fn = kind.spike_fn;
  const int64_t N = io->neurons, m = n1 - n0;
  float *gv = io->grad_v + b * N + n0;
  float *gi = has_syn ? io->grad_i + b * N + n0 : 0;
  float *gb = adaptive ? io->grad_b + b * N + n0 : 0;
  const int spikes = spike_fn != SNK_SPIKE_NONE;
  const float *am_v = kind.per_neuron ? p->alpha_mem_v + b * N + n0 : 0;
  const float *as_v = kind.per_neuron && has_syn ? p->alpha_syn_v + b * N + n0 : 0;
  const float *aa_v = kind.per_neuron && adaptive ? p->alpha_adapt_v + b * N + n0 : 0;
  // The whole sequence in this call: d_alpha_mem's terms are deferred (see
  // reverse_step). One step of a recurrent layer rebuilds v before the step.
  const int deferred = kind.leak && io->v_start;

  for (int64_t k = 0; k < m; k++) s->d_mem[k] = s->d_syn[k] = s->d_adapt[k] = 0.0f;
  if (!adaptive) for (int64_t k = 0; k < m; k++) s->thr[k] = p->threshold;

  for (int64_t t = io->time - 1; t >= 0; t--) {
    const int64_t row = b * io->stride + t * N + n0;
    const float *x = io->input + b * io->input_stride + t * N + n0;
    const float *u = io->tape_u + row;
    const float *i_prev = has_syn ? io->tape_i + row : 0;
    const float *b_prev = adaptive ? io->tape_b + row : 0;
    const float *gy = io->grad_output + row;
    float *gx = io->grad_input + row;
    if (t > 0) {  // the next rows (step t-1): the hardware prefetcher does not follow time backwards
      for (int64_t k = 0; k < m; k += 16) {  // one 64-byte line each
        __builtin_prefetch(u - N + k);
        __builtin_prefetch(gy - N + k);
        if (kind.leak || has_syn) __builtin_prefetch(x - N + k);
        if (has_syn) __builtin_prefetch(i_prev - N + k);
        if (adaptive) __builtin_prefetch(b_prev - N + k);
      }
    }
    if (adaptive) {
      for (int64_t k = 0; k < m; k++) s->thr[k] = p->threshold + p->adapt_scale * b_prev[k];
    }
    // A loss on the recorded states after this step joins the carried gradients.
    if (io->grad_rec_v) add_row(gv, io->grad_rec_v + row, m);
    if (has_syn && io->grad_rec_i) add_row(gi, io->grad_rec_i + row, m);
    if (adaptive && io->grad_rec_b) add_row(gb, io->grad_rec_b + row, m);
    // Without deferral, d_alpha_mem needs the membrane before the step,
    // rebuilt from the tape's previous row (this sample's step before).
    const float *v_prev = u;  // unused without leak
    if (kind.leak && !deferred) {
      previous_membrane(p, kind, m, u - N, adaptive ? b_prev - N : 0, s->v_prev);
      v_prev = s->v_prev;
    }
    const float *g_out = gy;
    if (io->grad_extra) {
      const float *extra = io->grad_extra + b * io->extra_stride + t * N + n0;
      for (int64_t k = 0; k < m; k++) s->gy[k] = gy[k] + extra[k];
      g_out = s->gy;
    }
    if (spikes && !kind.fused_exp) surrogate_row(sg, u, s->thr, !adaptive, s->surrogate, m);
    if (spikes && io->spikes) {  // the recurrent form's weight gradient needs them
      for (int64_t k = 0; k < m; k++) io->spikes[row + k] = snk_spike(spike_fn, u[k], s->thr[k], p->max_spikes);
    }
    if (deferred) {
      reverse_step(p, sg, kind, m, u, s->thr, s->surrogate, g_out, v_prev, 1, t < io->time - 1, s->gu_next,
                   x, i_prev, b_prev, gv, gi, gb, s->gx, s->d_mem, s->d_syn, s->d_adapt, am_v, as_v, aa_v);
    } else {
      reverse_step(p, sg, kind, m, u, s->thr, s->surrogate, g_out, v_prev, 0, 0, s->gu_next,
                   x, i_prev, b_prev, gv, gi, gb, s->gx, s->d_mem, s->d_syn, s->d_adapt, am_v, as_v, aa_v);
    }
    snk_stream_row(gx, s->gx, m);  // may overwrite u: nothing reads row t after this
  }
  if (deferred) {  // the first step's gu meets v before the sequence
    const float *v_start = io->v_start + b * N + n0;
    for (int64_t k = 0; k < m; k++) s->d_mem[k] += s->gu_next[k] * v_start[k];
  }
}

#define RUN(adaptive, has_syn, spike_fn, plain, leak, fused_exp) \
  run_block(p, sg, io, s, b, n0, n1, (step_kind){adaptive, has_syn, spike_fn, plain, leak, fused_exp, 0})
// Per-neuron alphas: the general variant only (a rarer, costlier case).
#define RUN_PER_NEURON(adaptive, has_syn, spike_fn) \
  run_block(p, sg, io, s, b, n0, n1, (step_kind){adaptive, has_syn, spike_fn, 0, 1, 0, 1})

// Non-adaptive layers also get the common reset (subtract the threshold, no
// min_v_mem) and IAF's missing leak as constants: fewer operations per step.
SNK_INLINE void dispatch_variant(const snk_neuron_params *p, const snk_surrogate *sg,
                                 const snk_neuron_grad_io *io, block_scratch *s, int64_t b, int64_t n0,
                                 int64_t n1, const int has_syn, const int spike_fn) {
  const int plain = p->reset_fn != SNK_RESET_TO_VALUE && p->subtract_threshold && !p->has_min_v_mem;
  const int fuse = sg->kind == SNK_SURROGATE_SINGLE_EXPONENTIAL;  // sinabs' default
  if (p->alpha_mem_v) RUN_PER_NEURON(0, has_syn, spike_fn);
  else if (!plain || spike_fn == SNK_SPIKE_NONE) RUN(0, has_syn, spike_fn, 0, 1, 0);
  else if (io->want_alpha_mem && fuse) RUN(0, has_syn, spike_fn, 1, 1, 1);
  else if (io->want_alpha_mem) RUN(0, has_syn, spike_fn, 1, 1, 0);
  else if (fuse) RUN(0, has_syn, spike_fn, 1, 0, 1);
  else RUN(0, has_syn, spike_fn, 1, 0, 0);
}

SNK_INLINE void dispatch_spike(const snk_neuron_params *p, const snk_surrogate *sg,
                               const snk_neuron_grad_io *io, block_scratch *s, int64_t b,
                               int64_t n0, int64_t n1, const int adaptive, const int has_syn) {
  if (adaptive && p->alpha_mem_v) {
    switch (p->spike_fn) {
      case SNK_SPIKE_MULTI: RUN_PER_NEURON(1, has_syn, SNK_SPIKE_MULTI); break;
      case SNK_SPIKE_MAX: RUN_PER_NEURON(1, has_syn, SNK_SPIKE_MAX); break;
      default: RUN_PER_NEURON(1, has_syn, SNK_SPIKE_SINGLE); break;
    }
    return;
  }
  if (adaptive) {
    switch (p->spike_fn) {
      case SNK_SPIKE_MULTI: RUN(1, has_syn, SNK_SPIKE_MULTI, 0, 1, 0); break;
      case SNK_SPIKE_MAX: RUN(1, has_syn, SNK_SPIKE_MAX, 0, 1, 0); break;
      default: RUN(1, has_syn, SNK_SPIKE_SINGLE, 0, 1, 0); break;
    }
    return;
  }
  switch (p->spike_fn) {
    case SNK_SPIKE_SINGLE: dispatch_variant(p, sg, io, s, b, n0, n1, has_syn, SNK_SPIKE_SINGLE); break;
    case SNK_SPIKE_MAX: dispatch_variant(p, sg, io, s, b, n0, n1, has_syn, SNK_SPIKE_MAX); break;
    case SNK_SPIKE_NONE: dispatch_variant(p, sg, io, s, b, n0, n1, has_syn, SNK_SPIKE_NONE); break;
    default: dispatch_variant(p, sg, io, s, b, n0, n1, has_syn, SNK_SPIKE_MULTI); break;
  }
}

SNK_MULTIVERSION
static void run_blocks(const snk_neuron_params *p, const snk_surrogate *sg, snk_neuron_grad_io *io,
                       int64_t blocks_per_sample, int64_t begin, int64_t end, double sums[3]) {
  block_scratch s;
  for (int64_t task = begin; task < end; task++) {
    const int64_t b = task / blocks_per_sample;
    const int64_t n0 = (task % blocks_per_sample) * BLOCK;
    const int64_t n1 = n0 + BLOCK < io->neurons ? n0 + BLOCK : io->neurons;
    if (p->adaptive) {
      if (p->has_syn) dispatch_spike(p, sg, io, &s, b, n0, n1, 1, 1);
      else dispatch_spike(p, sg, io, &s, b, n0, n1, 1, 0);
    } else {
      if (p->has_syn) dispatch_spike(p, sg, io, &s, b, n0, n1, 0, 1);
      else dispatch_spike(p, sg, io, &s, b, n0, n1, 0, 0);
    }
    if (p->alpha_mem_v) {  // per-neuron gradients, (batch, neurons)
      float *dm = io->d_alpha_mem_v + b * io->neurons + n0;
      float *ds = p->has_syn ? io->d_alpha_syn_v + b * io->neurons + n0 : 0;
      float *da = p->adaptive ? io->d_alpha_adapt_v + b * io->neurons + n0 : 0;
      for (int64_t k = 0; k < n1 - n0; k++) {
        dm[k] += s.d_mem[k];
        if (ds) ds[k] += s.d_syn[k];
        if (da && p->spike_fn != SNK_SPIKE_NONE) da[k] += s.d_adapt[k];
      }
      continue;
    }
    double mem = 0.0, syn = 0.0, adapt = 0.0;
    for (int64_t k = 0; k < n1 - n0; k++) {
      mem += s.d_mem[k];
      syn += s.d_syn[k];
      adapt += s.d_adapt[k];
    }
    sums[0] += mem;
    sums[1] += syn;
    sums[2] += adapt;
  }
  snk_stream_fence();
}

static void backward_range(void *context, int64_t begin, int64_t end) {
  backward_job *job = context;
  double sums[3] = {0.0, 0.0, 0.0};
  run_blocks(job->p, job->sg, job->io, job->blocks_per_sample, begin, end, sums);
  pthread_mutex_lock(&job->lock);
  if (job->io->want_alpha_mem) job->io->d_alpha_mem += sums[0];
  if (job->p->has_syn) job->io->d_alpha_syn += sums[1];
  if (job->p->adaptive && job->p->spike_fn != SNK_SPIKE_NONE) job->io->d_alpha_adapt += sums[2];
  pthread_mutex_unlock(&job->lock);
}

void snk_neuron_backward(const snk_neuron_params *params, const snk_surrogate *surrogate,
                         snk_neuron_grad_io *io) {
  if (io->batch <= 0 || io->time <= 0 || io->neurons <= 0) return;
  backward_job job = {.p = params, .sg = surrogate, .io = io,
                      .blocks_per_sample = (io->neurons + BLOCK - 1) / BLOCK,
                      .lock = PTHREAD_MUTEX_INITIALIZER};
  snk_parallel_for(io->batch * job.blocks_per_sample, io->time * BLOCK * 2, backward_range, &job);
}
