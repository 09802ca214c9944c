// Forward dynamics of the LIF family (IAF, LIF, ExpLeak, ALIF), one fused
// pass over time per block of neurons. Operation order and rounding follow
// sinabs 3.1.3 step by step (no FMA contraction), so outputs match exactly.
#include <math.h>
#include <pthread.h>
#include <string.h>
#include "multiversion.h"
#include "sinabs_kernels.h"
#include "neuron_step.h"
#include "stream.h"

#pragma STDC FP_CONTRACT OFF

// Neurons per task: states of a block (v, i_syn, b: 12 KiB) stay in L1.
// Outputs use plain stores: streaming (non-temporal) stores through an L1
// row were measured slower on workload A (IAF 0.70 vs 0.64 ns per
// neuron-step on one thread, 0.86 vs 0.66 on two), so they were dropped.
enum { BLOCK = 1024 };

typedef struct forward_job {
  const snk_neuron_params *p;
  const snk_neuron_io *io;
  int64_t blocks_per_sample;
  pthread_mutex_t lock;
  double spike_sum;
} forward_job;

// Training: the states before this step that backward cannot recompute
// (and the input, for recurrent forms). The membrane u goes after the step.
SNK_INLINE void store_tape(const snk_neuron_io *io, int64_t row, int64_t n0, int64_t n1,
                           const float *x, const float *isyn, const float *bb) {
  const int64_t m = n1 - n0;
  if (io->tape_i) snk_stream_row(io->tape_i + row + n0, isyn + n0, m);
  if (io->tape_b) snk_stream_row(io->tape_b + row + n0, bb + n0, m);
  if (io->tape_x) snk_stream_row(io->tape_x + row + n0, x + n0, m);
}

// One block of neurons of one sample through all time steps. The four
// constant flags select a specialisation; the rest are loop-invariant blends.
// Training also stages u in an L1 row, streamed to the tape after each step.
SNK_INLINE double run_block(const snk_neuron_params *p, const snk_neuron_io *io,
                            int64_t b, int64_t n0, int64_t n1, const int adaptive,
                            const int has_syn, const int spike_fn, const int training,
                            const int per_neuron, const int recip_spike, const int simple) {
  // simple (has_fast_path) makes reset and bound constants; 2: normalised input.
  const int64_t N = io->neurons, T = io->time;
  float *restrict v = io->v_mem + b * N;
  float *restrict isyn = has_syn ? io->i_syn + b * N : 0;
  float *restrict bb = adaptive ? io->b + b * N : 0;
  float *restrict thr_state = adaptive ? io->threshold + b * N : 0;
  const float a = p->alpha_mem, one_minus_a = 1.0f - p->alpha_mem;
  const float a_syn = p->alpha_syn;
  const float a_adapt = p->alpha_adapt, one_minus_a_adapt = 1.0f - p->alpha_adapt;
  const float threshold = p->threshold, adapt_scale = p->adapt_scale;
  const float recip = 1.0f / p->threshold;  // used only when exact (recip_spike)
  const float max_spikes = p->max_spikes;
  const int norm = simple ? simple == 2 : p->norm_input, reset_to_value = !simple && p->reset_fn == SNK_RESET_TO_VALUE;
  const int subtract_threshold = simple || p->subtract_threshold, has_min = !simple && p->has_min_v_mem;
  const float subtract_value = p->subtract_value, reset_value = p->reset_value;
  const float min_v = p->min_v_mem;
  // Per-neuron decay factors (this sample's row), else the scalars.
  const float *restrict am_v = per_neuron ? p->alpha_mem_v + b * N : 0;
  const float *restrict as_v = per_neuron && has_syn ? p->alpha_syn_v + b * N : 0;
  const float *restrict aa_v = per_neuron && adaptive ? p->alpha_adapt_v + b * N : 0;
  double spikes_total = 0.0;
  float u_row[BLOCK];

  for (int64_t t = 0; t < T; t++) {
    const int64_t row = b * io->output_stride + t * N;
    const float *restrict x = io->input + b * io->input_stride + t * N;
    float *restrict y = io->output + row;
    // Spike counts are small integers: any order is exact. ExpLeak sums its
    // output (v) here too, for the firing rate, within float rounding.
    float block_spikes = 0.0f;
    if (training) store_tape(io, row, n0, n1, x, isyn, bb);
#pragma clang loop vectorize(enable)
    for (int64_t n = n0; n < n1; n++) {
      // The same operations per neuron as the scalars' (1 - alpha included).
      const float an = per_neuron ? am_v[n] : a, one_minus_an = per_neuron ? 1.0f - an : one_minus_a;
      const float asn = per_neuron && has_syn ? as_v[n] : a_syn;
      const float aan = per_neuron && adaptive ? aa_v[n] : a_adapt;
      const float one_minus_aan = per_neuron && adaptive ? 1.0f - aan : one_minus_a_adapt;
      float i = snk_synaptic_current(has_syn, asn, has_syn ? isyn[n] : 0.0f, x[n]);
      float syn_in;
      if (adaptive) {  // ALIF stores the normalised current as i_syn
        if (norm) i = one_minus_an * i;
        syn_in = i;
      } else {
        syn_in = norm ? one_minus_an * i : i;
      }
      if (has_syn) isyn[n] = i;
      float vv = an * v[n] + syn_in;
      if (training) u_row[n - n0] = vv;
      float out = vv;
      if (spike_fn != SNK_SPIKE_NONE) {
        const float thr = adaptive ? threshold + adapt_scale * bb[n] : threshold;
        const float s = recip_spike ? snk_spike_recip(spike_fn, vv, recip, max_spikes)
                                    : snk_spike(spike_fn, vv, thr, max_spikes);
        vv = snk_reset(vv, s, thr, reset_to_value, subtract_threshold, subtract_value, reset_value);
        if (adaptive) {
          const float b_next = aan * bb[n] + one_minus_aan * s;
          bb[n] = b_next;
          thr_state[n] = threshold + adapt_scale * b_next;
        }
        out = s;
        block_spikes += s;
      } else {
        block_spikes += out;
      }
      if (has_min) vv = snk_clamp_min(vv, min_v);
      v[n] = vv;
      y[n] = out;
    }
    spikes_total += block_spikes;
    const int64_t m = n1 - n0;
    if (training) snk_stream_row(io->tape_u + row + n0, u_row, m);
    if (io->rec_v_mem) for (int64_t k = 0; k < m; k++) io->rec_v_mem[row + n0 + k] = v[n0 + k];
    if (io->rec_i_syn) for (int64_t k = 0; k < m; k++) io->rec_i_syn[row + n0 + k] = isyn[n0 + k];
    if (io->rec_b) for (int64_t k = 0; k < m; k++) io->rec_b[row + n0 + k] = bb[n0 + k];
    if (io->rec_threshold)
      for (int64_t k = 0; k < m; k++) io->rec_threshold[row + n0 + k] = thr_state[n0 + k];
  }
  return spikes_total;
}

#define TRAINING(adaptive, has_syn, spike_fn, per_neuron)                                     \
  (io->tape_u ? run_block(p, io, b, n0, n1, adaptive, has_syn, spike_fn, 1, per_neuron, 0, 0) \
              : run_block(p, io, b, n0, n1, adaptive, has_syn, spike_fn, 0, per_neuron, 0, 0))
#define SPECIALISE(adaptive, has_syn, spike_fn)                    \
  (p->alpha_mem_v ? TRAINING(adaptive, has_syn, spike_fn, 1) \
                  : TRAINING(adaptive, has_syn, spike_fn, 0))

SNK_INLINE double dispatch_spike(const snk_neuron_params *p, const snk_neuron_io *io,
                                 int64_t b, int64_t n0, int64_t n1, const int adaptive,
                                 const int has_syn) {
  switch (p->spike_fn) {
    case SNK_SPIKE_SINGLE: return SPECIALISE(adaptive, has_syn, SNK_SPIKE_SINGLE);
    case SNK_SPIKE_MAX: return SPECIALISE(adaptive, has_syn, SNK_SPIKE_MAX);
    case SNK_SPIKE_NONE: return SPECIALISE(adaptive, has_syn, SNK_SPIKE_NONE);
    default: return SPECIALISE(adaptive, has_syn, SNK_SPIKE_MULTI);
  }
}

// Task `task` is sample *b's neurons [*n0, *n1): one block of BLOCK.
SNK_INLINE void task_neurons(const snk_neuron_io *io, int64_t blocks_per_sample, int64_t task,
                             int64_t *b, int64_t *n0, int64_t *n1) {
  *b = task / blocks_per_sample;
  *n0 = (task % blocks_per_sample) * BLOCK;
  *n1 = *n0 + BLOCK < io->neurons ? *n0 + BLOCK : io->neurons;
}

SNK_MULTIVERSION
static double run_blocks_general(const snk_neuron_params *p, const snk_neuron_io *io,
                                 int64_t blocks_per_sample, int64_t begin, int64_t end) {
  double total = 0.0;
  for (int64_t task = begin; task < end; task++) {
    int64_t b, n0, n1;
    task_neurons(io, blocks_per_sample, task, &b, &n0, &n1);
    if (p->adaptive) {
      total += p->has_syn ? dispatch_spike(p, io, b, n0, n1, 1, 1)
                          : dispatch_spike(p, io, b, n0, n1, 1, 0);
    } else {
      total += p->has_syn ? dispatch_spike(p, io, b, n0, n1, 0, 1)
                          : dispatch_spike(p, io, b, n0, n1, 0, 0);
    }
  }
  if (io->tape_u) snk_stream_fence();  // the training tape was streamed out
  return total;
}

// The common inference case gets its own loops: sinabs' defaults (subtract
// the threshold, no lower bound), input normalisation and a power-of-two
// threshold (spikes by multiplying with its exact reciprocal) as constants,
// so the vector loop has no blends or division for options it does not use.
SNK_INLINE int has_fast_path(const snk_neuron_params *p, const snk_neuron_io *io) {
  return !p->adaptive && !p->alpha_mem_v && !io->tape_u && p->reset_fn != SNK_RESET_TO_VALUE &&
         p->subtract_threshold && !p->has_min_v_mem;
}

// simple: 1 without input normalisation, 2 with it.
#define FAST(has_syn, spike_fn, recip)                                                \
  (p->norm_input ? run_block(p, io, b, n0, n1, 0, has_syn, spike_fn, 0, 0, recip, 2) \
                 : run_block(p, io, b, n0, n1, 0, has_syn, spike_fn, 0, 0, recip, 1))

SNK_INLINE double dispatch_fast(const snk_neuron_params *p, const snk_neuron_io *io, int64_t b,
                                int64_t n0, int64_t n1, const int has_syn) {
  const int recip = snk_has_exact_recip(p->threshold);
  switch (p->spike_fn) {
    case SNK_SPIKE_SINGLE: return FAST(has_syn, SNK_SPIKE_SINGLE, 0);
    case SNK_SPIKE_MAX: return recip ? FAST(has_syn, SNK_SPIKE_MAX, 1) : FAST(has_syn, SNK_SPIKE_MAX, 0);
    case SNK_SPIKE_NONE: return FAST(has_syn, SNK_SPIKE_NONE, 0);
    default: return recip ? FAST(has_syn, SNK_SPIKE_MULTI, 1) : FAST(has_syn, SNK_SPIKE_MULTI, 0);
  }
}

SNK_MULTIVERSION_WIDE
static double run_blocks_fast(const snk_neuron_params *p, const snk_neuron_io *io,
                              int64_t blocks_per_sample, int64_t begin, int64_t end) {
  double total = 0.0;
  for (int64_t task = begin; task < end; task++) {
    int64_t b, n0, n1;
    task_neurons(io, blocks_per_sample, task, &b, &n0, &n1);
    total += p->has_syn ? dispatch_fast(p, io, b, n0, n1, 1) : dispatch_fast(p, io, b, n0, n1, 0);
  }
  return total;
}

static double run_blocks(const snk_neuron_params *p, const snk_neuron_io *io,
                         int64_t blocks_per_sample, int64_t begin, int64_t end) {
  return has_fast_path(p, io) ? run_blocks_fast(p, io, blocks_per_sample, begin, end)
                              : run_blocks_general(p, io, blocks_per_sample, begin, end);
}

static void forward_range(void *context, int64_t begin, int64_t end) {
  forward_job *job = context;
  double sum = run_blocks(job->p, job->io, job->blocks_per_sample, begin, end);
  pthread_mutex_lock(&job->lock);
  job->spike_sum += sum;
  pthread_mutex_unlock(&job->lock);
}

double snk_neuron_forward(const snk_neuron_params *params, const snk_neuron_io *io) {
  if (io->batch <= 0 || io->time <= 0 || io->neurons <= 0) return 0.0;
  forward_job job = {.p = params, .io = io,
                     .blocks_per_sample = (io->neurons + BLOCK - 1) / BLOCK,
                     .lock = PTHREAD_MUTEX_INITIALIZER, .spike_sum = 0.0};
  // Dynamic schedule: spike sums are exact in any order (integer counts;
  // ExpLeak's sum of v, for its firing rate only, may vary in the last bits).
  // With another process on one core it measured ~10% faster (median, IAF
  // 1.06 vs 1.30 ns), the same on an idle machine.
  snk_parallel_for_dynamic(io->batch * job.blocks_per_sample, io->time * BLOCK, forward_range, &job);
  return job.spike_sum;
}

double snk_neuron_forward_serial(const snk_neuron_params *params, const snk_neuron_io *io) {
  if (io->batch <= 0 || io->time <= 0 || io->neurons <= 0) return 0.0;
  const int64_t blocks_per_sample = (io->neurons + BLOCK - 1) / BLOCK;
  return run_blocks(params, io, blocks_per_sample, 0, io->batch * blocks_per_sample);
}

SNK_MULTIVERSION
double snk_sum(const float *data, int64_t count) {
  double total = 0.0;
#pragma clang loop vectorize(enable)
  for (int64_t i = 0; i < count; i++) total += data[i];
  return total;
}
