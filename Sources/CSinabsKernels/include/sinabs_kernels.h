// Hot loops of libsinabs: plain C over raw pointers, no allocation, no
// validation (the Swift layer above has checked every size). Internal: the
// exports map keeps these symbols out of libsinabs.so's dynamic table.
#ifndef SINABS_KERNELS_H
#define SINABS_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- threads ---------------------------------------------------------------

/// Threads that snk_parallel_for may use (>= 1).
void snk_set_num_threads(int32_t n);
int32_t snk_get_num_threads(void);

/// Calls body(context, begin, end) on disjoint ranges covering [0, count),
/// on up to snk_get_num_threads() threads (the caller's included). Runs
/// inline when `count * cost_per_item` is too small to pay for threads.
void snk_parallel_for(int64_t count, int64_t cost_per_item,
                      void (*body)(void *context, int64_t begin, int64_t end),
                      void *context);

/// As snk_parallel_for, but threads claim small ranges one after another, so
/// `body` may run several times per thread and the split varies from call to
/// call: for bodies whose combined result does not depend on the split
/// (exact sums), it keeps all cores busy when one is shared with another
/// process.
void snk_parallel_for_dynamic(int64_t count, int64_t cost_per_item,
                              void (*body)(void *context, int64_t begin, int64_t end),
                              void *context);

/// The threads snk_parallel_for would use for `count` items of
/// `cost_per_item` (>= 1): size per-worker scratch with it.
int64_t snk_parallel_team(int64_t count, int64_t cost_per_item);

/// Calls body(context, worker, item, item + 1) for every item in [0, count),
/// items claimed one at a time by `workers` threads (the caller is worker 0):
/// `worker` in [0, workers) indexes per-thread scratch. Which worker takes
/// which item varies from call to call.
void snk_parallel_for_workers(int64_t count, int64_t workers,
                              void (*body)(void *context, int64_t worker, int64_t begin, int64_t end),
                              void *context);

// ---- neuron dynamics -------------------------------------------------------

enum { SNK_SPIKE_MULTI = 0, SNK_SPIKE_SINGLE = 1, SNK_SPIKE_MAX = 2, SNK_SPIKE_NONE = 3 };
enum { SNK_RESET_SUBTRACT = 0, SNK_RESET_TO_VALUE = 1 };

/// One neuron model's constants, resolved from the layer's options
/// (alphas already exp(-1/tau)).
typedef struct snk_neuron_params {
  int32_t has_syn;          // i_syn = alpha_syn * (i_syn + x), else i_syn = x
  int32_t norm_input;       // scale the synaptic input by (1 - alpha_mem)
  int32_t adaptive;         // ALIF: threshold = threshold + adapt_scale * b
  int32_t spike_fn;         // SNK_SPIKE_*; NONE: output is v_mem (ExpLeak)
  int32_t reset_fn;         // SNK_RESET_*
  int32_t subtract_threshold; // subtract the threshold, else subtract_value
  int32_t has_min_v_mem;
  float alpha_mem, alpha_syn, alpha_adapt;
  float threshold;          // ALIF: b0
  float adapt_scale;
  float max_spikes;         // SNK_SPIKE_MAX
  float subtract_value, reset_value, min_v_mem;
  // Per-neuron decay factors, (batch, neurons) like the states, or NULL for
  // the scalars above. With alpha_mem_v set, every alpha the model reads has
  // its array (alpha_syn_v with has_syn, alpha_adapt_v when adaptive).
  const float *alpha_mem_v, *alpha_syn_v, *alpha_adapt_v;
} snk_neuron_params;

/// Buffers of one forward call. Input, output and recordings are (batch,
/// time, neurons); consecutive samples are `input_stride` (input) and
/// `output_stride` (output, recordings) elements apart: time * neurons when
/// contiguous, more when a recurrent layer runs one step of a longer
/// sequence. States are (batch, neurons), updated in place. No buffer may
/// overlap another. Absent states/recordings are NULL.
typedef struct snk_neuron_io {
  int64_t batch, time, neurons, input_stride, output_stride;
  const float *input;
  float *output;
  float *v_mem, *i_syn, *b, *threshold;
  float *rec_v_mem, *rec_i_syn, *rec_b, *rec_threshold;
  // Training tape (NULL unless training), rows like the recordings: the
  // membrane after integration, before the spike (tape_u); the states
  // *before* each step (i_syn with tau_syn; b for ALIF) and, for recurrent
  // forms, the input the kernel saw. Backward recomputes the rest of each
  // step from these, exactly (the membrane before step t from u of step t-1).
  float *tape_u, *tape_i, *tape_b, *tape_x;
} snk_neuron_io;

/// Runs the dynamics over all time steps, parallel over batch x neuron blocks.
/// Returns the sum of all output spikes (0 for SNK_SPIKE_NONE), in double.
double snk_neuron_forward(const snk_neuron_params *params, const snk_neuron_io *io);

// ---- neuron backward (exact BPTT through the step graph of sinabs) ----------

enum {
  SNK_SURROGATE_SINGLE_EXPONENTIAL = 0, SNK_SURROGATE_HEAVISIDE = 1, SNK_SURROGATE_GAUSSIAN = 2,
  SNK_SURROGATE_MULTI_GAUSSIAN = 3, SNK_SURROGATE_PERIODIC_EXPONENTIAL = 4
};

/// The surrogate gradient of the spike function (sinabs.activation).
typedef struct snk_surrogate {
  int32_t kind;             // SNK_SURROGATE_*
  float grad_width, grad_scale, window, mu, sigma, h, s;
} snk_surrogate;

/// Buffers of one backward call through a forward that kept its tape.
/// grad_output, grad_input, the tape and `spikes` are (batch, time, neurons)
/// rows `stride` apart per sample; `input` (what the forward read) is
/// `input_stride` apart; `grad_extra` (optional, added to grad_output: the
/// recurrent feedback) is `extra_stride` apart. grad_v/grad_i/grad_b carry
/// dL/d(state after the last step) in and dL/d(state before the first step)
/// out, (batch, neurons). The d_alpha_* sums are added to. `v_start`
/// (batch, neurons) is v_mem before the first step when that step starts the
/// sequence; NULL when the call resumes one (one step of a recurrent layer):
/// the tape row before `tape_u` is then the previous step's.
typedef struct snk_neuron_grad_io {
  int64_t batch, time, neurons, input_stride, stride, extra_stride;
  const float *input;
  const float *tape_u, *tape_i, *tape_b;
  const float *v_start;
  const float *grad_output, *grad_extra;
  float *grad_input;
  float *grad_v, *grad_i, *grad_b;
  float *spikes;            // optional: the recomputed outputs
  // Optional: dL/d(recorded states after each step), laid out as the tape;
  // grad_rec_b already includes adapt_scale * dL/d(recorded threshold).
  const float *grad_rec_v, *grad_rec_i, *grad_rec_b;
  // With per-neuron alphas: d/dalpha per neuron, (batch, neurons), added to
  // (the scalar d_alpha_* sums stay zero). Required then, like the alphas.
  float *d_alpha_mem_v, *d_alpha_syn_v, *d_alpha_adapt_v;
  int32_t want_alpha_mem;   // accumulate d_alpha_mem (false for IAF: alpha is 1)
  double d_alpha_mem, d_alpha_syn, d_alpha_adapt;
} snk_neuron_grad_io;

/// Runs the reverse-time pass, parallel over batch x neuron blocks.
void snk_neuron_backward(const snk_neuron_params *params, const snk_surrogate *surrogate,
                         snk_neuron_grad_io *io);

/// snk_neuron_forward on the calling thread only (for callers that are
/// themselves parallel, e.g. snk_conv_block_forward).
double snk_neuron_forward_serial(const snk_neuron_params *params, const snk_neuron_io *io);

/// Sum of `count` floats, in double (for firing rates).
double snk_sum(const float *data, int64_t count);

// ---- convolution (conv.c, conv_sparse.c) --------------------------------------

/// One Conv2d call's geometry: per-sample input (channels, height, width),
/// output (out_channels, out_h, out_w), torch's stride/padding/dilation/groups.
/// Weights are (out_channels, channels / groups, kernel_h, kernel_w).
typedef struct snk_conv_shape {
  int64_t channels, height, width;
  int64_t out_channels, out_h, out_w;
  int64_t groups;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
} snk_conv_shape;

/// One sample's patches for group `group` (on the calling thread: callers
/// are parallel over samples): col[(c * kernel_h + ky) * kernel_w + kx][p]
/// over the out_h x out_w output pixels p, zero where the window reads
/// padding.
void snk_im2col_sample(const snk_conv_shape *shape, const float *input, int64_t group, float *col);

/// The adjoint of snk_im2col_sample: adds every col entry to the input
/// element it was read from (padding entries are dropped, and may be zeroed
/// in col on the way).
void snk_col2im_add_sample(const snk_conv_shape *shape, float *col, int64_t group, float *grad_input);

/// 1 when fewer than `limit` of the `count` elements are non-zero (NaN counts
/// as non-zero), else 0; reads only as far as it needs to know.
int32_t snk_nonzero_below(const float *data, int64_t count, int64_t limit);

/// Event-driven forward: every non-zero input adds value * weight to the
/// outputs its kernel window reaches (channels-last accumulation in
/// `scratch`, then one transpose into (samples, out_channels, out_h, out_w)).
/// `weight_t` is the weight as (channels, kernel_h, kernel_w, out_channels /
/// groups) (snk_conv_transpose_weight); `scratch` holds `chunks` x out_h x
/// out_w x out_channels floats, `chunks` >= 1 (the parallel split).
/// Returns 0, or -1 when its small tap tables cannot be allocated.
int32_t snk_conv_scatter(const snk_conv_shape *shape, const float *input, int64_t samples,
                         const float *weight_t, const float *bias, float *output,
                         float *scratch, int64_t chunks);

/// Event-driven weight gradient (conv_grad_sparse.c): adds to grad_weight
/// (out_channels, channels / groups, kh, kw) the gradient of the convolution
/// of `input` given `grad_output`, from the non-zero inputs only. `scratch`
/// holds `chunks` x snk_conv_weight_grad_scratch(shape) floats, `chunks` >= 1
/// (the parallel split). Returns 0, or -1 when its tap tables cannot be
/// allocated (grad_weight unchanged).
int32_t snk_conv_weight_grad_sparse(const snk_conv_shape *shape, const float *input,
                                    const float *grad_output, int64_t samples, float *grad_weight,
                                    float *scratch, int64_t chunks);

/// Floats of scratch one chunk of snk_conv_weight_grad_sparse needs.
int64_t snk_conv_weight_grad_scratch(const snk_conv_shape *shape);

/// weight (out_channels, channels / groups, kh, kw) -> (channels, kh, kw, out_channels / groups).
void snk_conv_transpose_weight(const snk_conv_shape *shape, const float *weight, float *weight_t);

// ---- pooling (pool.c) -----------------------------------------------------------

/// Pooling geometry of independent planes (samples x channels).
typedef struct snk_pool_shape {
  int64_t planes, height, width, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
} snk_pool_shape;

/// torch's avg_pool2d (dilation 1): out = (window sum / divisor) * scale, the
/// divisor from count_include_pad or divisor_override (> 0). SumPool2d
/// (LPPool2d with p = 1) is scale = kernel_h * kernel_w, no padding.
void snk_avg_pool_forward(const snk_pool_shape *shape, const float *input, float *output,
                          int32_t count_include_pad, int64_t divisor_override, float scale);

/// snk_avg_pool_forward on the calling thread only.
void snk_avg_pool_forward_serial(const snk_pool_shape *shape, const float *input, float *output,
                                 int32_t count_include_pad, int64_t divisor_override, float scale);

/// Adds the gradient of snk_avg_pool_forward to grad_input. With
/// `zero_where_sum_zero` (LPPool2d) windows whose sum is 0 pass nothing, as
/// torch's sign(out) * relu(abs(out)) does.
void snk_avg_pool_backward(const snk_pool_shape *shape, const float *input,
                           const float *grad_output, float *grad_input,
                           int32_t count_include_pad, int64_t divisor_override, float scale,
                           int32_t zero_where_sum_zero);

/// torch's max_pool2d (padding reads -inf; NaN wins). `argmax` (optional)
/// receives each output's index within its input plane.
void snk_max_pool_forward(const snk_pool_shape *shape, const float *input, float *output,
                          int32_t *argmax);

/// Adds grad_output to the recorded argmax of each window.
void snk_max_pool_backward(const snk_pool_shape *shape, const int32_t *argmax,
                           const float *grad_output, float *grad_input);

// ---- fused conv block (conv_block.c) -------------------------------------------

/// A fused inference block, frame by frame: event-driven Conv2d -> neuron
/// layer (squeeze form: frames are (batch, time) sample-major) -> optional
/// average pooling, so that the conv output and the spikes of a frame stay in
/// cache instead of making three passes over memory. The same arithmetic as
/// the three layers one after another (snk_conv_scatter, snk_neuron_forward,
/// snk_avg_pool_forward).
typedef struct snk_conv_block {
  const snk_conv_shape *conv;      // one frame's geometry
  const float *weight_t, *bias;    // snk_conv_transpose_weight's layout; bias or NULL
  const snk_neuron_params *neuron; // scalar alphas only (alpha_*_v NULL)
  float *v_mem, *i_syn, *b, *threshold;  // states (batch, out_channels x out_h x out_w)
  const snk_pool_shape *pool;      // planes = out_channels (one frame), or NULL: no pool
  int32_t pool_count_include_pad;
  int64_t pool_divisor_override;
  float pool_scale;
  int64_t batch, time;
  const float *input;              // (batch x time, conv input)
  float *output;                   // (batch x time, pool output or spikes)
  // chunks x snk_conv_block_scratch(...) floats; chunks >= 1 (the parallel split).
  float *scratch;
  int64_t chunks;
  // 1: frames are channels-last (height x width x channels) instead of
  // planes, for a block handing its output straight to the next one.
  int32_t input_channels_last, output_channels_last;
} snk_conv_block;

/// Whether a block of this conv geometry can read channels-last frames,
/// and whether one with this pool (NULL: none) can write them.
int32_t snk_conv_block_takes_channels_last(const snk_conv_shape *conv);
int32_t snk_conv_block_writes_channels_last(const snk_pool_shape *pool);

/// frames x (channels x plane) planes from frames x (plane x channels)
/// channels-last frames (parallel over frames).
void snk_frames_to_planes(const float *channels_last, float *planes, int64_t frames, int64_t plane,
                          int64_t channels);

/// Floats of scratch one chunk of snk_conv_block_forward needs.
int64_t snk_conv_block_scratch(const snk_conv_shape *conv);

/// What a block run reports: the sum of all neuron outputs (as
/// snk_neuron_forward returns) and the non-zero entries of its output.
typedef struct snk_conv_block_result {
  double spike_sum;
  int64_t output_nonzero;
} snk_conv_block_result;

/// Runs the block and fills *result; returns 0, -1 when its small tables
/// cannot be allocated, or -2 for a channels-last request it cannot take
/// (nothing changed then).
int32_t snk_conv_block_forward(const snk_conv_block *block, snk_conv_block_result *result);

// ---- padding and cropping (pad.c) -------------------------------------------------

/// For `outer` blocks of (rows, cols): output (rows + top + bottom, cols +
/// left + right) holds the input shifted by (top, left); amounts may be
/// negative (crop); the rest is zero. `output` is fully written.
void snk_pad2d(const float *input, int64_t outer, int64_t rows, int64_t cols, float *output,
               int64_t top, int64_t bottom, int64_t left, int64_t right);

// ---- input encoders (encode.c) ----------------------------------------------------

// Draw k of the stream seeded with `seed` is the k-th output of SplitMix64(seed)
// as a float in [0, 1) (its top 24 bits); each function uses draws
// first_draw, first_draw + 1, ... one per output element, in output order.

/// out[i] = draw(first_draw + i).
void snk_uniform_fill(uint64_t seed, uint64_t first_draw, int64_t count, float *out);

/// sinabs' Img2SpikeLayer over `steps` rows of `count`: out[t, i] = 1 where
/// draw < input[i] / norm * scale; with negative_spikes |input| drives the
/// rate and the spike carries the input's sign. Returns the number of spikes.
int64_t snk_rate_code(const float *input, int64_t count, int64_t steps, float norm, float scale,
                      int32_t negative_spikes, uint64_t seed, uint64_t first_draw, float *out);

/// sinabs' Sig2SpikeLayer: out[i] = 1 where draw * scale < signal[i].
/// Returns the number of spikes.
int64_t snk_threshold_draws(const float *signal, int64_t count, float scale, uint64_t seed,
                            uint64_t first_draw, float *out);

/// ReLU then a quantisation (NeuromorphicReLU); only STOCHASTIC draws
/// (floor(x) + (draw < frac(x))); ROUND rounds half to even as torch.round.
enum { SNK_QUANTIZE_NONE = 0, SNK_QUANTIZE_FLOOR = 1, SNK_QUANTIZE_ROUND = 2, SNK_QUANTIZE_STOCHASTIC = 3 };
void snk_relu_quantize(const float *input, int64_t count, int32_t mode, uint64_t seed,
                       uint64_t first_draw, float *out);

/// out[i] = floor(input[i]) (QuantizeLayer; the AVX2 clone rounds 8 at a time).
void snk_floor(const float *input, int64_t count, float *out);

// ---- DVS event binning (events.c) -------------------------------------------------

/// The index of the first event with a non-finite time or a coordinate
/// outside [0, width) x [0, height), or -1 with the earliest and latest time
/// in *out_first / *out_last (untouched when count is 0).
int64_t snk_events_check(const double *t, const int32_t *x, const int32_t *y, int64_t count, int64_t height,
                         int64_t width, double *out_first, double *out_last);

/// Adds 1 to out[bin, p > 0, y, x] per event, bin = floor((t - start) /
/// divisor * multiplier) clamped to [0, frames) (events already checked).
void snk_events_scatter(const double *t, const int32_t *x, const int32_t *y, const int32_t *p, int64_t count,
                        int64_t height, int64_t width, double start, double divisor, double multiplier,
                        int64_t frames,
                        float *out);

#ifdef __cplusplus
}
#endif

#endif
