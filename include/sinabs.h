/*
 * sinabs.h -- the stable C ABI of libsinabs, a spiking neural network engine.
 *
 * This header is the authoritative documentation of the library. The Swift
 * implementation of every function declared here is checked against these
 * prototypes by the compiler (`@c @implementation`), so the two cannot drift.
 *
 * Conventions
 * - Every name starts with `sinabs_` (functions, types) or `SINABS_` (macros,
 *   enum values); functions are named `sinabs_<object>_<verb>`.
 * - Objects are opaque handles: `sinabs_tensor`, `sinabs_layer`, `sinabs_model`,
 *   `sinabs_optimizer`.
 * - Fallible functions return `sinabs_status`: SINABS_OK (0) or a negative
 *   code naming the class of failure. On failure `sinabs_last_error()` tells
 *   why, and no out-parameter is written except that `*out` handles are set to
 *   NULL.
 * - Out-parameters come first and are named `out...`.
 * - Ownership is visible in the signature: a `T **out` parameter
 *   hands the caller a new reference that it must release with `sinabs_T_free`.
 *   A pointer returned through `const char **` or `float **` is borrowed: it
 *   lives as long as the object it came from (see each function).
 * - Every `_free` accepts NULL and does nothing then. A handle of another
 *   kind (a layer given to sinabs_tensor_free) is not freed either: the call
 *   does nothing but set `sinabs_last_error()`.
 * - A failed call changes nothing: no layer, model or tensor is modified, on
 *   every path including allocation failure (OUT_OF_MEMORY). Exception: a
 *   model whose layer k fails has run layers 0..k-1 (their states advanced).
 * - Shapes are `int64_t` arrays with `rank` entries; rank is 0..SINABS_MAX_RANK.
 *
 * Threading
 * - `sinabs_last_error()` is per thread.
 * - A tensor may be read from several threads at once; writing its data while
 *   another thread reads it is the caller's race.
 * - A layer or model runs one call at a time. Every sinabs_layer_* call
 *   (except _free) marks its layer busy for its duration; sinabs_model_forward
 *   and sinabs_model_reset_states mark the model and each of its layers, the
 *   other sinabs_model_* calls the model. A call that finds a mark taken --
 *   another thread runs the same layer, directly or through any model that
 *   contains it -- fails at once with SINABS_ERR_STATE and a message saying
 *   "busy", and changes nothing; it never waits, so there is no deadlock,
 *   and it never crashes or corrupts a result. Callers that share a layer
 *   between threads serialise their calls themselves (or retry).
 *   A release callback (sinabs_release_fn) that runs inside a call and calls
 *   back into that call's layer gets the same error.
 * - Distinct layers (and models without a common layer) run concurrently.
 * - Tensors returned by get_state/get_parameter share the layer's memory:
 *   writing them while a call runs on the layer is the caller's data race
 *   (wrong numbers, never a crash: the memory stays alive).
 * - An optimizer must not be used from two threads at once, nor while its
 *   model runs in another thread.
 * - The library parallelises large calls internally; see
 *   `sinabs_set_num_threads`.
 */
#ifndef SINABS_H
#define SINABS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define SINABS_VERSION_MAJOR 0
#define SINABS_VERSION_MINOR 1
#define SINABS_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, comparable with `sinabs_version_number()`. */
#define SINABS_VERSION_NUMBER \
  (SINABS_VERSION_MAJOR * 10000 + SINABS_VERSION_MINOR * 100 + SINABS_VERSION_PATCH)
/** The ABI generation; the shared object is `libsinabs.so.<SINABS_ABI_VERSION>`. */
#define SINABS_ABI_VERSION 0

/** The version of the loaded library, as SINABS_VERSION_NUMBER. Lets a caller
 *  check that it runs against the library it was compiled for. Never fails. */
uint32_t sinabs_version_number(void);

/** The version of the loaded library as "MAJOR.MINOR.PATCH". Static storage;
 *  never NULL. */
const char *sinabs_version_string(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

typedef int32_t sinabs_status;

#define SINABS_OK 0
/** A NULL pointer, a value out of range or a wrong handle kind. */
#define SINABS_ERR_INVALID_ARGUMENT (-1)
/** Shapes that do not fit together (rank, sizes, element counts). */
#define SINABS_ERR_SHAPE (-2)
/** An allocation failed or a size overflows. */
#define SINABS_ERR_OUT_OF_MEMORY (-3)
/** The object is not in a state that allows the call (e.g. backward before a
 *  training forward). */
#define SINABS_ERR_STATE (-4)
/** A name that the object does not have (state, parameter, option). */
#define SINABS_ERR_NOT_FOUND (-5)
/** A bug in libsinabs; please report it. */
#define SINABS_ERR_INTERNAL (-99)

/** The message of the last failure on the calling thread ("" if none yet).
 *  Never NULL. Owned by the library; valid until the next libsinabs call on
 *  this thread. */
const char *sinabs_last_error(void);

/** A short constant name for a status code ("SINABS_ERR_SHAPE"); never NULL. */
const char *sinabs_status_name(sinabs_status status);

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */
/* ------------------------------------------------------------------------ */

/** How many threads large calls use (default: the online CPUs, or the
 *  SINABS_NUM_THREADS environment variable). `n` must be 1..256. Up to
 *  n - 1 worker threads, started on first use, stay parked between calls:
 *  after a call they spin for about 0.1 ms (the next call of a forward
 *  follows within microseconds), then sleep. A call made while another
 *  thread's call has them starts threads of its own; a child process after
 *  fork() starts its own; unloading the library joins them. */
sinabs_status sinabs_set_num_threads(int32_t n);

/** The number of threads large calls use; never fails. */
int32_t sinabs_get_num_threads(void);

/* ------------------------------------------------------------------------ */
/* Random initialisation                                                    */
/* ------------------------------------------------------------------------ */

/** Seeds the process-wide generator that draws the initial parameters of
 *  layers created afterwards, like torch.manual_seed (a Linear layer's weight
 *  and bias: torch's default init, uniform in [-1/sqrt(in_features),
 *  1/sqrt(in_features))). The same seed and the same sequence of layer
 *  creations give the same parameters from C, Swift (`manualSeed`) and Python
 *  (`sinabs_swift.manual_seed`). Without a call the generator starts from a
 *  fixed seed, so runs are reproducible by default.
 *  Thread-safe: each layer creation takes one draw under a lock; layers
 *  created concurrently on several threads get their draws in the order the
 *  threads reach the lock. Any value is valid; never fails. */
void sinabs_manual_seed(uint64_t seed);

/* ------------------------------------------------------------------------ */
/* Tensors: float32, contiguous, row-major, rank 0..8                       */
/* ------------------------------------------------------------------------ */

#define SINABS_MAX_RANK 8

typedef struct sinabs_tensor sinabs_tensor;

/** Called exactly once, when the last tensor that shares wrapped memory is
 *  freed: `context` and `data` are the values given to `sinabs_tensor_wrap`.
 *  It may run on any thread that frees the last reference. */
typedef void (*sinabs_release_fn)(void *context, float *data);

/** A new zero-filled tensor. `shape` may be NULL when `rank` is 0; every
 *  dimension must be >= 0. The caller owns `*out` (sinabs_tensor_free).
 *  Errors: INVALID_ARGUMENT (NULL out or shape, rank out of range, negative
 *  dimension), OUT_OF_MEMORY (element count overflows or allocation fails). */
sinabs_status sinabs_tensor_create(sinabs_tensor **out, const int64_t *shape,
                                   int32_t rank);

/** A new tensor holding a copy of `count` floats read from `data`; `count`
 *  must equal the product of `shape`. `data` is only read during the call and
 *  may be NULL when `count` is 0. The caller owns `*out`.
 *  Errors: as sinabs_tensor_create, and SHAPE when count does not match. */
sinabs_status sinabs_tensor_create_copy(sinabs_tensor **out, const int64_t *shape,
                                        int32_t rank, const float *data,
                                        int64_t count);

/** A new tensor over caller memory, without copying. `data` must hold the
 *  product of `shape` floats, be 4-byte aligned and stay valid until `release`
 *  runs; it is read and written in place. On success the library calls
 *  `release(context, data)` exactly once when the last tensor sharing this
 *  memory (including reshaped views) is freed; `release` may be NULL. On
 *  failure `release` is NOT called and the memory stays the caller's.
 *  The caller owns `*out`.
 *  Errors: as sinabs_tensor_create; INVALID_ARGUMENT for NULL or misaligned
 *  data with a non-zero element count. */
sinabs_status sinabs_tensor_wrap(sinabs_tensor **out, const int64_t *shape,
                                 int32_t rank, float *data,
                                 sinabs_release_fn release, void *context);

/** Releases the caller's reference. NULL is a no-op. Memory is freed (or the
 *  wrap release callback runs) when no tensor shares it any more. */
void sinabs_tensor_free(sinabs_tensor *tensor);

/** A new tensor with its own copy of the data of `source`. Caller owns `*out`. */
sinabs_status sinabs_tensor_copy(sinabs_tensor **out, const sinabs_tensor *source);

/** A new tensor that shares the storage of `source` with another shape of the
 *  same element count; at most one dimension may be -1 (inferred). Writing
 *  through either is seen by both. Caller owns `*out`.
 *  Errors: INVALID_ARGUMENT, SHAPE (element count differs or cannot infer). */
sinabs_status sinabs_tensor_reshape(sinabs_tensor **out, const sinabs_tensor *source,
                                    const int64_t *shape, int32_t rank);

/** The first element, borrowed: valid while `tensor` (or any tensor sharing its
 *  storage) is alive. `*out` may be NULL for an empty tensor. */
sinabs_status sinabs_tensor_data(float **out, const sinabs_tensor *tensor);

/** The rank of `tensor` in `*out_rank`. */
sinabs_status sinabs_tensor_rank(int32_t *out_rank, const sinabs_tensor *tensor);

/** Writes the rank to `*out_rank` and the dimensions to `out_shape`, which has
 *  room for `capacity` entries (SINABS_MAX_RANK always suffices).
 *  Errors: INVALID_ARGUMENT (NULL pointers, capacity smaller than the rank). */
sinabs_status sinabs_tensor_shape(int64_t *out_shape, int32_t capacity,
                                  int32_t *out_rank, const sinabs_tensor *tensor);

/** The element count (product of the shape; 1 for rank 0). */
sinabs_status sinabs_tensor_numel(int64_t *out_count, const sinabs_tensor *tensor);

/** Copies the data of `source` into `destination`; element counts must match
 *  (shapes may differ). Overlapping storage is allowed. */
sinabs_status sinabs_tensor_copy_into(sinabs_tensor *destination,
                                      const sinabs_tensor *source);

/* ------------------------------------------------------------------------ */
/* Neuron layers                                                            */
/* ------------------------------------------------------------------------ */

typedef struct sinabs_layer sinabs_layer;

/** The neuron model; same dynamics as sinabs.layers of the same name. */
typedef int32_t sinabs_neuron_model;
#define SINABS_NEURON_IAF 1
#define SINABS_NEURON_LIF 2
#define SINABS_NEURON_EXPLEAK 3
#define SINABS_NEURON_ALIF 4

/** The input layout: plain (Batch, Time, ...), squeezed (Batch*Time, ...),
 *  or plain with a recurrent Linear connection (sinabs' *Recurrent forms). */
typedef int32_t sinabs_neuron_form;
#define SINABS_FORM_PLAIN 0
#define SINABS_FORM_SQUEEZE 1
#define SINABS_FORM_RECURRENT 2

/** sinabs.activation spike functions. */
typedef int32_t sinabs_spike_fn;
#define SINABS_SPIKE_MULTI 0 /**< (v > 0) * trunc(v / threshold) */
#define SINABS_SPIKE_SINGLE 1 /**< v >= threshold */
#define SINABS_SPIKE_MAX 2 /**< MultiSpike clamped to max_num_spikes_per_bin */

/** sinabs.activation reset functions. */
typedef int32_t sinabs_reset_fn;
#define SINABS_RESET_SUBTRACT 0 /**< v -= spikes * (subtract_value or threshold) */
#define SINABS_RESET_MEMBRANE 1 /**< v = reset_value where a spike occurred */

/** sinabs.activation surrogate gradient functions (used by backward). */
typedef int32_t sinabs_surrogate_fn;
#define SINABS_SURROGATE_SINGLE_EXPONENTIAL 0 /**< grad_width, grad_scale */
#define SINABS_SURROGATE_HEAVISIDE 1 /**< window */
#define SINABS_SURROGATE_GAUSSIAN 2 /**< mu, sigma, grad_scale */
#define SINABS_SURROGATE_MULTI_GAUSSIAN 3 /**< mu, sigma, h, s, grad_scale */
#define SINABS_SURROGATE_PERIODIC_EXPONENTIAL 4 /**< grad_width, grad_scale */

/**
 * Construction options of a neuron layer. Always start from
 * `sinabs_neuron_options_init`, which writes `struct_size` and sinabs'
 * defaults for the model; then change fields. New fields are only ever added
 * at the end, and the library reads only the first `struct_size` bytes
 * (the missing fields keep their defaults). `struct_size` must end at a
 * field boundary: a size that cuts a field is INVALID_ARGUMENT.
 * "None" of sinabs is NaN for the float fields marked so.
 */
typedef struct sinabs_neuron_options {
  uint32_t struct_size;     /**< sizeof(sinabs_neuron_options), set by init */
  int32_t model;            /**< sinabs_neuron_model */
  int32_t form;             /**< sinabs_neuron_form */
  float tau_mem;            /**< LIF, ExpLeak, ALIF; > 0 (IAF: ignored) */
  float tau_syn;            /**< NaN = no synaptic current; else > 0 */
  float tau_adapt;          /**< ALIF only; > 0 */
  float adapt_scale;        /**< ALIF only; default 1.8 */
  float spike_threshold;    /**< > 0; ALIF: the base threshold b0 */
  int32_t spike_fn;         /**< sinabs_spike_fn */
  int32_t max_num_spikes_per_bin; /**< SINABS_SPIKE_MAX: >= 1 */
  int32_t reset_fn;         /**< sinabs_reset_fn */
  float subtract_value;     /**< NaN = subtract the threshold */
  float reset_value;        /**< SINABS_RESET_MEMBRANE */
  int32_t surrogate_fn;     /**< sinabs_surrogate_fn */
  float grad_width;         /**< SingleExponential 0.5, PeriodicExponential 0.5 */
  float grad_scale;         /**< 1.0 */
  float window;             /**< Heaviside, 1.0 */
  float mu;                 /**< Gaussian, MultiGaussian: 0.0 */
  float sigma;              /**< Gaussian, MultiGaussian: 0.5 */
  float h;                  /**< MultiGaussian: 0.15 */
  float s;                  /**< MultiGaussian: 6.0 */
  float min_v_mem;          /**< NaN = no lower bound */
  int32_t norm_input;       /**< 0/1; default 1 for LIF/ALIF, 0 for IAF/ExpLeak */
  int32_t train_alphas;     /**< 0/1: train alpha = exp(-1/tau) instead of tau */
  int32_t record_states;    /**< 0/1: keep every state at every time step */
  int64_t batch_size;       /**< SQUEEZE: > 0, or 0 to use num_timesteps */
  int64_t num_timesteps;    /**< SQUEEZE: > 0, or 0 to use batch_size */
  int64_t recurrent_features; /**< RECURRENT: neurons per sample (N of the
                                   N x N weight); states have shape (B, ...)
                                   whose trailing size must equal it */
} sinabs_neuron_options;

/** Fills `*options` with sinabs' defaults for `model` (form PLAIN).
 *  Errors: INVALID_ARGUMENT (NULL, unknown model). */
sinabs_status sinabs_neuron_options_init(sinabs_neuron_options *options,
                                         int32_t model);

/** A new neuron layer. Options are validated (tau <= 0, threshold <= 0,
 *  unknown enum values, squeeze without batch_size or num_timesteps, ...).
 *  A RECURRENT layer starts with a zero N x N weight and no bias; set them
 *  with sinabs_layer_set_parameter("rec_connect.weight" / ".bias").
 *  The caller owns `*out` (sinabs_layer_free). */
sinabs_status sinabs_neuron_layer_create(sinabs_layer **out,
                                         const sinabs_neuron_options *options);

/** Releases the caller's reference; NULL is a no-op. */
void sinabs_layer_free(sinabs_layer *layer);

/** A new tensor with the layer's output for `input`:
 *  PLAIN and RECURRENT take (Batch, Time, ...) of rank >= 2 (RECURRENT: the
 *  product of the trailing dimensions equals recurrent_features); SQUEEZE
 *  takes (Batch*Time, ...) of rank >= 1. Output has the input's shape.
 *  States are created on the first call and carried to the next; a new
 *  trailing shape re-initialises them to zero, a new batch size too (sinabs
 *  resamples old states at random; we start from zero, which is
 *  reproducible). NaN and Inf in the input propagate like in IEEE arithmetic
 *  (no check: it would cost a pass over memory). On failure the layer is
 *  unchanged, allocation failure included (a training forward that cannot
 *  allocate its tape keeps the last training forward's tape for backward).
 *  Errors: INVALID_ARGUMENT, SHAPE, OUT_OF_MEMORY, STATE (busy: see
 *  Threading). Caller owns `*out`. */
sinabs_status sinabs_layer_forward(sinabs_tensor **out, sinabs_layer *layer,
                                   const sinabs_tensor *input);

/** As sinabs_layer_forward but writes into `output`, which must have the
 *  element count of `input`. No allocation of the output. `output` must not
 *  overlap, by address (two wraps of one buffer count), the input or any
 *  memory the layer reads or keeps: its states, parameters, recordings and
 *  training tape (including the last training input, kept for backward).
 *  Errors: as sinabs_layer_forward; INVALID_ARGUMENT for an overlap (the
 *  message names what it overlaps); the layer and `output` are unchanged. */
sinabs_status sinabs_layer_forward_into(sinabs_tensor *output, sinabs_layer *layer,
                                        const sinabs_tensor *input);

/** Sets every state to zero, or with `randomize` to uniform values in
 *  [low, high) per state: `names`, `lows`, `highs` have `count` entries and
 *  name states to draw from another range than [0, 1) (sinabs' value_ranges).
 *  `seed` makes the draw reproducible. Uninitialised states stay so. */
sinabs_status sinabs_layer_reset_states(sinabs_layer *layer, int32_t randomize,
                                        const char *const *names, const float *lows,
                                        const float *highs, int32_t count,
                                        uint64_t seed);

/** The number of states this layer has ("v_mem", "i_syn", "b",
 *  "spike_threshold", ... depending on model and options). */
sinabs_status sinabs_layer_state_count(int32_t *out_count, const sinabs_layer *layer);

/** The name of state `index`, borrowed (static storage). */
sinabs_status sinabs_layer_state_name(const char **out_name, const sinabs_layer *layer,
                                      int32_t index);

/** A new tensor sharing the storage of state `name`: writes through it change
 *  the layer's state until the state is re-initialised. Shape (0) before the
 *  first forward, as in sinabs. Caller owns `*out`.
 *  Errors: NOT_FOUND for a name the layer lacks. */
sinabs_status sinabs_layer_get_state(sinabs_tensor **out, const sinabs_layer *layer,
                                     const char *name);

/** Copies `value` into state `name`. If the states are initialised the shape
 *  must equal theirs; if not, the value's shape initialises all states (the
 *  others to zero). Errors: NOT_FOUND, SHAPE; the layer is unchanged then. */
sinabs_status sinabs_layer_set_state(sinabs_layer *layer, const char *name,
                                     const sinabs_tensor *value);

/** A new tensor with the per-time-step record of state `name`, shape
 *  (Batch, Time, ...), from the last forward with record_states set; shape (0)
 *  when nothing was recorded. Caller owns `*out`. */
sinabs_status sinabs_layer_get_recording(sinabs_tensor **out,
                                         const sinabs_layer *layer, const char *name);

/** Mean output per neuron and step of the last forward: the mean spike count
 *  for spiking layers; for ExpLeak (no spikes) the mean of its output, the
 *  membrane potential. NaN when that forward's input was empty; 0 before any
 *  forward. */
sinabs_status sinabs_layer_firing_rate(float *out_rate, const sinabs_layer *layer);

/** The number of named parameters ("tau_mem", "alpha_mem", "spike_threshold",
 *  "min_v_mem", "rec_connect.weight", ... depending on the options). */
sinabs_status sinabs_layer_parameter_count(int32_t *out_count,
                                           const sinabs_layer *layer);

/** The name of parameter `index`, borrowed (static storage). */
sinabs_status sinabs_layer_parameter_name(const char **out_name,
                                          const sinabs_layer *layer, int32_t index);

/** A new tensor sharing the storage of parameter `name` (rank 0 for scalars).
 *  Writes through it change the layer without the checks of
 *  sinabs_layer_set_parameter; forward therefore checks the scalar
 *  parameters at every call and fails with INVALID_ARGUMENT (layer
 *  unchanged) while one is out of range (e.g. tau_mem written as -5 or NaN).
 *  Caller owns `*out`. Errors: NOT_FOUND. */
sinabs_status sinabs_layer_get_parameter(sinabs_tensor **out,
                                         const sinabs_layer *layer, const char *name);

/** Copies `value` into parameter `name`; its shape must equal the parameter's,
 *  except for time constants (tau_mem, tau_syn, tau_adapt, alpha_*), which
 *  take any non-empty shape that broadcasts against the states (Batch, ...)
 *  as in torch, e.g. (N) or (C, H, W): per-neuron time constants (checked at
 *  the next forward: SHAPE if they do not broadcast; their gradients have
 *  their shape, summed over the broadcast dimensions). Values are validated
 *  (tau > 0, 0 < alpha <= 1, threshold > 0, each element) and the layer is
 *  unchanged on failure. */
sinabs_status sinabs_layer_set_parameter(sinabs_layer *layer, const char *name,
                                         const sinabs_tensor *value);

/* ------------------------------------------------------------------------ */
/* Connection layers                                                        */
/* ------------------------------------------------------------------------ */

/** A new fully connected layer y = x W^T + b over the last dimension of any
 *  input of rank >= 1 (like torch.nn.Linear). Parameters "weight"
 *  (out_features x in_features) and, with `bias` non-zero, "bias"
 *  (out_features), both drawn as torch.nn.Linear initialises them: uniform in
 *  [-1/sqrt(in_features), 1/sqrt(in_features)), from the generator seeded by
 *  sinabs_manual_seed. Caller owns `*out`.
 *  Errors: INVALID_ARGUMENT (features < 1). */
sinabs_status sinabs_linear_layer_create(sinabs_layer **out, int64_t in_features,
                                         int64_t out_features, int32_t bias);

/** A new layer of any kind a model file can hold, from its class name and
 *  its constructor arguments as a JSON object, as sinabs/torch spell them:
 *  kind "Conv2d" with {"in_channels": 2, "out_channels": 8, "kernel_size": 3,
 *  "padding": 1}, "IAFSqueeze" with {"num_timesteps": 20}, "Linear",
 *  "SumPool2d", "Flatten", ... (see the kinds in the model-file section).
 *  Numbers without a decimal point are ints; null is Python's None; missing
 *  arguments take sinabs' defaults. Parameters start as the kind's own
 *  initialisation. The caller owns `*out` (sinabs_layer_free).
 *  Errors: INVALID_ARGUMENT (NULL, unknown kind, bad JSON, unknown, mistyped,
 *  non-finite or out-of-range argument). */
sinabs_status sinabs_layer_create_described(sinabs_layer **out, const char *kind,
                                            const char *arguments_json);

/* ------------------------------------------------------------------------ */
/* Convolution, pooling and shape layers                                    */
/* ------------------------------------------------------------------------ */

/* Each has torch's / sinabs' semantics and constructor arguments and is a
 * sinabs_layer driven by the generic sinabs_layer_* verbs (forward,
 * forward_into, parameters, set_training, backward, get_grad, zero_grad).
 * Image layers take (N, C, H, W) or unbatched (C, H, W) inputs. Shape layers
 * keep only the input shape for backward; Conv2d, the pools' and ReLU keep
 * the input by reference (do not write into it between forward and
 * backward); MaxPool2d keeps one int32 per output; Dropout its mask.
 * Every create validates its arguments: INVALID_ARGUMENT, nothing created. */

/** Construction options of a Conv2d layer (torch.nn.Conv2d, zero padding).
 *  Start from `sinabs_conv2d_options_init`; the library reads only the first
 *  `struct_size` bytes, and fields are only ever added at the end. */
typedef struct sinabs_conv2d_options {
  uint32_t struct_size;   /**< sizeof(sinabs_conv2d_options), set by init */
  int32_t bias;           /**< 0/1, default 1 */
  int64_t in_channels;    /**< >= 1, divisible by groups */
  int64_t out_channels;   /**< >= 1, divisible by groups */
  int64_t kernel_h, kernel_w;     /**< >= 1 */
  int64_t stride_h, stride_w;     /**< >= 1, default 1 */
  int64_t padding_h, padding_w;   /**< >= 0, default 0 (zeros) */
  int64_t dilation_h, dilation_w; /**< >= 1, default 1 */
  int64_t groups;         /**< >= 1, default 1 */
  uint64_t seed;          /**< init of weight and bias, uniform in
                               +-1/sqrt(in_channels/groups*kh*kw) as torch;
                               0 = drawn from the system */
} sinabs_conv2d_options;

/** Fills `*options` with torch's defaults for a Conv2d of these channels and
 *  kernel. Errors: INVALID_ARGUMENT (NULL). Values are checked by create. */
sinabs_status sinabs_conv2d_options_init(sinabs_conv2d_options *options, int64_t in_channels,
                                         int64_t out_channels, int64_t kernel_h, int64_t kernel_w);

/** A new Conv2d layer: parameters "weight" (out_channels, in_channels/groups,
 *  kernel_h, kernel_w) and with bias "bias" (out_channels). Forward picks per
 *  call between a dense kernel (im2col + OpenBLAS) and an event-driven one
 *  (each non-zero input scatters its weights) by the input's density: below
 *  30% non-zero (the measured crossover) event-driven. Both give the same
 *  result up to float summation order (1e-5 relative); backward uses the
 *  dense kernel. Errors: INVALID_ARGUMENT (NULL, struct_size too small,
 *  sizes out of range, groups not dividing the channels). Caller owns
 *  `*out` (sinabs_layer_free).
 *  Forward errors: SHAPE (rank not 3 or 4, channels differ, kernel larger
 *  than the padded input). */
sinabs_status sinabs_conv2d_layer_create(sinabs_layer **out, const sinabs_conv2d_options *options);

/** Conv2d forward kernels, for sinabs_conv2d_layer_set_kernel. */
#define SINABS_CONV_KERNEL_AUTO 0   /**< by input density (default) */
#define SINABS_CONV_KERNEL_DENSE 1  /**< im2col + GEMM */
#define SINABS_CONV_KERNEL_SPARSE 2 /**< event-driven scatter */

/** Forces a Conv2d's or Linear's forward kernel (benchmarks, tests) or
 *  restores AUTO. Linear (AUTO) scatters only below 1% input density and
 *  with >= 64 outputs (measured: BLAS wins above).
 *  Errors: INVALID_ARGUMENT (not a Conv2d or Linear layer, unknown kernel). */
sinabs_status sinabs_conv2d_layer_set_kernel(sinabs_layer *layer, int32_t kernel);

/** Construction options of the pooling layers. Start from
 *  `sinabs_pool2d_options_init`; read up to `struct_size` like the others.
 *  Fields a pool does not have must keep their defaults. */
typedef struct sinabs_pool2d_options {
  uint32_t struct_size;   /**< sizeof(sinabs_pool2d_options), set by init */
  int32_t ceil_mode;      /**< 0/1, default 0 */
  int64_t kernel_h, kernel_w;     /**< >= 1 */
  int64_t stride_h, stride_w;     /**< >= 1, default the kernel size */
  int64_t padding_h, padding_w;   /**< 0..kernel/2, default 0 (Avg, Max) */
  int64_t dilation_h, dilation_w; /**< >= 1, default 1 (Max only) */
  int32_t count_include_pad;      /**< 0/1, default 1 (Avg only) */
  int64_t divisor_override;       /**< 0 = none, else >= 1 (Avg only) */
} sinabs_pool2d_options;

/** Fills `*options` with torch's defaults for a kernel_h x kernel_w pool.
 *  Errors: INVALID_ARGUMENT (NULL). */
sinabs_status sinabs_pool2d_options_init(sinabs_pool2d_options *options, int64_t kernel_h,
                                         int64_t kernel_w);

/** torch.nn.AvgPool2d. Caller owns `*out`. Errors: INVALID_ARGUMENT. */
sinabs_status sinabs_avg_pool2d_layer_create(sinabs_layer **out, const sinabs_pool2d_options *options);

/** sinabs.layers.SumPool2d (LPPool2d with p = 1: window sums, no padding;
 *  windows summing to exactly 0 pass no gradient, as in torch). Caller owns
 *  `*out`. Errors: INVALID_ARGUMENT (also padding, dilation, count_include_pad
 *  or divisor_override changed from their defaults). */
sinabs_status sinabs_sum_pool2d_layer_create(sinabs_layer **out, const sinabs_pool2d_options *options);

/** torch.nn.MaxPool2d (padding reads -inf; NaN wins; backward sends the
 *  gradient to each window's maximum). Caller owns `*out`.
 *  Errors: INVALID_ARGUMENT. */
sinabs_status sinabs_max_pool2d_layer_create(sinabs_layer **out, const sinabs_pool2d_options *options);

/** torch.nn.Flatten(start_dim, end_dim): negative dims count from the end.
 *  Forward with sinabs_layer_forward returns a view sharing the input's
 *  memory (as torch does). Errors: INVALID_ARGUMENT (|dim| > 8); forward:
 *  SHAPE when the dims do not fit the input's rank or start > end. */
sinabs_status sinabs_flatten_layer_create(sinabs_layer **out, int32_t start_dim, int32_t end_dim);

/** sinabs.layers.FlattenTime: (Batch, Time, ...) -> (Batch*Time, ...), a view. */
sinabs_status sinabs_flatten_time_layer_create(sinabs_layer **out);

/** sinabs.layers.UnflattenTime: (Batch*Time, ...) -> (batch_size, Time, ...),
 *  a view. Errors: INVALID_ARGUMENT (batch_size < 1); forward: SHAPE when
 *  batch_size does not divide the first dimension. */
sinabs_status sinabs_unflatten_time_layer_create(sinabs_layer **out, int64_t batch_size);

/** torch.nn.ZeroPad2d((left, right, top, bottom)) of the last two dims of a
 *  rank >= 2 input; negative amounts crop, as in torch. */
sinabs_status sinabs_zero_pad2d_layer_create(sinabs_layer **out, int64_t left, int64_t right,
                                             int64_t top, int64_t bottom);

/** sinabs.layers.Cropping2dLayer(((top, bottom), (left, right))) of an
 *  (N, C, H, W) input; amounts >= 0. Forward: SHAPE when they exceed the input. */
sinabs_status sinabs_cropping2d_layer_create(sinabs_layer **out, int64_t top, int64_t bottom,
                                             int64_t left, int64_t right);

/** sinabs.layers.ChannelShift(channel_shift, channel_axis): channel_shift
 *  zero channels in front of axis `channel_axis` (< 0, from the end);
 *  negative shifts drop channels. */
sinabs_status sinabs_channel_shift_layer_create(sinabs_layer **out, int64_t channel_shift,
                                                int32_t channel_axis);

/** torch.nn.ReLU. */
sinabs_status sinabs_relu_layer_create(sinabs_layer **out);

/** torch.nn.Dropout(p): with training on, each element is zeroed with
 *  probability p and the rest scaled by 1/(1-p), from a generator seeded by
 *  `seed` (reproducible); with training off, the identity.
 *  Errors: INVALID_ARGUMENT (p NaN or outside [0, 1]). */
sinabs_status sinabs_dropout_layer_create(sinabs_layer **out, float p, uint64_t seed);

/** sinabs.layers.Repeat(module): runs `module` on (Batch*Time, ...) and
 *  returns (Batch, Time, ...). The new layer holds its own reference to
 *  `module` (the caller may free its handle); parameters, states and
 *  gradients are the module's, named "module.<name>". */
sinabs_status sinabs_repeat_layer_create(sinabs_layer **out, sinabs_layer *module);

/** sinabs.layers.Merge: a + b, each zero-padded at the end of every
 *  dimension to the larger size (same rank required). It takes two inputs:
 *  use sinabs_layer_forward_pair and sinabs_layer_backward_pair;
 *  sinabs_layer_forward refuses it with INVALID_ARGUMENT. */
sinabs_status sinabs_merge_layer_create(sinabs_layer **out);

/** Forward of a two-input layer (Merge): a new output tensor, caller owns
 *  `*out`. Errors: INVALID_ARGUMENT (NULL, not a two-input layer), SHAPE. */
sinabs_status sinabs_layer_forward_pair(sinabs_tensor **out, sinabs_layer *layer,
                                        const sinabs_tensor *a, const sinabs_tensor *b);

/** Backward of a two-input layer through its last training forward: the
 *  gradients w.r.t. `a` and `b` in new tensors (caller owns both; both NULL
 *  on failure). Errors: as sinabs_layer_backward. */
sinabs_status sinabs_layer_backward_pair(sinabs_tensor **out_grad_a, sinabs_tensor **out_grad_b,
                                         sinabs_layer *layer, const sinabs_tensor *grad_output);

/* ------------------------------------------------------------------------ */
/* Models: a sequence of layers                                             */
/* ------------------------------------------------------------------------ */

typedef struct sinabs_model sinabs_model;

/** A new empty sequential model. Caller owns `*out` (sinabs_model_free). */
sinabs_status sinabs_model_create(sinabs_model **out);

/** Releases the caller's reference; the model releases its layers when it
 *  dies. NULL is a no-op. */
void sinabs_model_free(sinabs_model *model);

/** Appends `layer`; the model takes its own reference, so the caller may free
 *  its handle at once. */
sinabs_status sinabs_model_append(sinabs_model *model, sinabs_layer *layer);

/** The number of layers. */
sinabs_status sinabs_model_layer_count(int32_t *out_count, const sinabs_model *model);

/** A new reference to layer `index` (0-based). Caller frees it with
 *  sinabs_layer_free. Errors: INVALID_ARGUMENT (index out of range). */
sinabs_status sinabs_model_get_layer(sinabs_layer **out, const sinabs_model *model,
                                     int32_t index);

/** Runs the layers in order; a new output tensor, caller owns `*out`. On a
 *  failing layer the error names its index. Every layer's output shape is
 *  checked first (sinabs_model_build), so an input of the wrong shape fails
 *  with SHAPE before any layer's state changes. */
sinabs_status sinabs_model_forward(sinabs_tensor **out, sinabs_model *model,
                                   const sinabs_tensor *input);

/** Resets every neuron layer's states to zero. */
sinabs_status sinabs_model_reset_states(sinabs_model *model);

/** Sets training mode on the model and on every layer in it (layers
 *  appended later take the model's mode): each forward then keeps what
 *  sinabs_model_backward needs. */
sinabs_status sinabs_model_set_training(sinabs_model *model, int32_t training);

/** Checks the model for inputs of `shape` without running it: each layer's
 *  output shape in turn (recorded for sinabs_model_summary). Every forward
 *  does the same check first, so a wrong input fails before any layer's state
 *  changes. Errors: SHAPE naming the first layer (index and kind) that does
 *  not accept its input; INVALID_ARGUMENT (NULL, rank out of range). */
sinabs_status sinabs_model_build(sinabs_model *model, const int64_t *shape, int32_t rank);

/** Backward through the last training forward of the model, layer by layer in
 *  reverse: `grad_output` has the shape of that forward's output. Writes the
 *  gradient w.r.t. the model's input into a new tensor `*out_grad_input`
 *  (caller owns) and adds every parameter gradient to its accumulator.
 *  Errors: STATE (no training forward since the last backward), SHAPE,
 *  INVALID_ARGUMENT; the failing layer's index is in the message. */
sinabs_status sinabs_model_backward(sinabs_tensor **out_grad_input, sinabs_model *model,
                                    const sinabs_tensor *grad_output);

/** sinabs_model_backward for the parameter gradients only: adds every
 *  parameter gradient to its accumulator like it, but returns no input
 *  gradient, so that a first Conv2d or Linear layer skips that product (what
 *  a training loop never reads; sinabs_model_train_step does the same).
 *  Errors as sinabs_model_backward. Threading: one call at a time per model,
 *  like every model function. */
sinabs_status sinabs_model_backward_parameters(sinabs_model *model, const sinabs_tensor *grad_output);

/** The number of parameters of all layers (torch's named_parameters(): the
 *  fixed ones such as spike_threshold too). */
sinabs_status sinabs_model_parameter_count(int32_t *out_count, const sinabs_model *model);

/** The name of parameter `index`: "<layer index>.<parameter name>" as torch
 *  names it ("0.weight", "1.tau_mem"). Borrowed: the library keeps each
 *  distinct name for the life of the process. Errors: INVALID_ARGUMENT (index
 *  out of range). */
sinabs_status sinabs_model_parameter_name(const char **out_name, const sinabs_model *model,
                                          int32_t index);

/** A new tensor sharing the storage of parameter `name` ("0.weight"): writes
 *  through it change the layer. Caller owns `*out`. Errors: NOT_FOUND. */
sinabs_status sinabs_model_get_parameter(sinabs_tensor **out, const sinabs_model *model,
                                         const char *name);

/** A new tensor sharing the gradient accumulator of trainable parameter
 *  `name` (unlike sinabs_layer_get_grad, not a copy): backward adds to it,
 *  zero_grad zeroes it, writes through it change what the optimizer sees.
 *  Caller owns `*out`. Errors: NOT_FOUND (no such parameter, or a fixed one
 *  such as spike_threshold). */
sinabs_status sinabs_model_get_grad(sinabs_tensor **out, const sinabs_model *model,
                                    const char *name);

/** Sets every gradient accumulator of every layer to zero. */
sinabs_status sinabs_model_zero_grad(sinabs_model *model);

/** torch.nn.utils.clip_grad_norm_ (2-norm): when the global norm of all
 *  gradients exceeds `max_norm`, scales them in place by
 *  max_norm / (norm + 1e-6). Writes the norm before clipping to
 *  `*out_total_norm`. Errors: INVALID_ARGUMENT (NaN, infinite or negative
 *  max_norm). */
sinabs_status sinabs_model_clip_grad_norm(float *out_total_norm, sinabs_model *model,
                                          float max_norm);

/** A readable table of the model: one row per layer with its index, kind,
 *  output shape (after sinabs_model_build or a forward), parameter count and,
 *  after a forward, the firing rate of each spiking layer. Like snprintf:
 *  writes at most `capacity` bytes including the terminating NUL into
 *  `out_text` (which may be NULL when capacity is 0) and the full length
 *  without the NUL into `*out_length`; call with capacity 0 to size a buffer. */
sinabs_status sinabs_model_summary(char *out_text, size_t capacity, size_t *out_length,
                                   const sinabs_model *model);

/** Writes the model to `path` as one safetensors file: every parameter as a
 *  float32 tensor by its torch name ("0.weight"), with `include_states`
 *  non-zero also the states that exist ("1.v_mem"), and the architecture
 *  (each layer's kind and constructor arguments) as JSON in the metadata
 *  under "sinabs.architecture". Loadable by the `safetensors` Python package
 *  and torch (safetensors.torch.load_file). The file is written to
 *  "<path>.tmp" and renamed, so an existing file is replaced whole or not at
 *  all. Errors: INVALID_ARGUMENT (a layer that cannot describe itself, the
 *  file cannot be written). */
sinabs_status sinabs_model_save(const sinabs_model *model, const char *path,
                                int32_t include_states);

/** Replaces the model's layers by those of the file at `path` (written by
 *  sinabs_model_save from any language), with their parameters and any saved
 *  states. On any failure the model is left exactly as it was. Layer handles
 *  obtained earlier with sinabs_model_get_layer keep the old layers.
 *  Errors: NOT_FOUND (cannot open), INVALID_ARGUMENT (truncated or not a
 *  model file, bad JSON, unknown layer kind, bad or non-finite arguments,
 *  missing or extra tensors, invalid values), SHAPE (a tensor of the wrong
 *  shape); the message names the layer or tensor. */
sinabs_status sinabs_model_load(sinabs_model *model, const char *path);

/* ------------------------------------------------------------------------ */
/* Losses and optimizers                                                    */
/* ------------------------------------------------------------------------ */

/** A loss on a model's output. */
typedef int32_t sinabs_loss;
/** mean((output - target)^2) over all elements (torch's mse_loss); the target
 *  has the output's shape. */
#define SINABS_LOSS_MSE 0
/** torch's cross_entropy (mean over the batch) of the output summed over
 *  time. The output is (Batch, Time, classes...) or squeezed (Batch*Time, C);
 *  the target is a vector of Batch class indices stored as floats. */
#define SINABS_LOSS_CROSS_ENTROPY_SUM 1
/** As SINABS_LOSS_CROSS_ENTROPY_SUM over the output averaged over time. */
#define SINABS_LOSS_CROSS_ENTROPY_MEAN 2

/** Evaluates `loss` on `output` against `target`: the value in `*out_loss`
 *  and, when `out_grad` is not NULL, the gradient w.r.t. `output` in a new
 *  tensor (caller owns). Errors: SHAPE (target does not fit the output),
 *  INVALID_ARGUMENT (labels that are not class indices, unknown loss). */
sinabs_status sinabs_loss_compute(float *out_loss, sinabs_tensor **out_grad,
                                  const sinabs_tensor *output, const sinabs_tensor *target,
                                  sinabs_loss loss);

typedef struct sinabs_optimizer sinabs_optimizer;

typedef int32_t sinabs_optimizer_kind;
#define SINABS_OPTIMIZER_SGD 1
#define SINABS_OPTIMIZER_ADAM 2

/**
 * Options of an optimizer, with torch.optim's meaning and defaults. Start from
 * `sinabs_optimizer_options_init`; the library reads only the first
 * `struct_size` bytes and new fields are only added at the end.
 */
typedef struct sinabs_optimizer_options {
  uint32_t struct_size;  /**< sizeof(sinabs_optimizer_options), set by init */
  int32_t kind;          /**< sinabs_optimizer_kind */
  float lr;              /**< learning rate >= 0; default 1e-3 */
  float momentum;        /**< SGD: >= 0, default 0 */
  float dampening;       /**< SGD: default 0 */
  float weight_decay;    /**< L2 penalty added to the gradient, >= 0; default 0 */
  int32_t nesterov;      /**< SGD: 0/1 (needs momentum > 0 and dampening 0) */
  float beta1;           /**< Adam: in [0, 1), default 0.9 */
  float beta2;           /**< Adam: in [0, 1), default 0.999 */
  float eps;             /**< Adam: >= 0, default 1e-8 */
  float max_grad_norm;   /**< NaN (default): no clipping; else > 0: the global
                              gradient norm is clipped to it before each update
                              by sinabs_model_train_step */
} sinabs_optimizer_options;

/** Fills `*options` with torch's defaults for `kind`.
 *  Errors: INVALID_ARGUMENT (NULL, unknown kind). */
sinabs_status sinabs_optimizer_options_init(sinabs_optimizer_options *options, int32_t kind);

/** A new optimizer over the trainable parameters of `model` (it keeps a
 *  reference to the model). SGD: g = grad + weight_decay p; with momentum
 *  buf = momentum buf + (1 - dampening) g (g at the first step), g = buf (or
 *  g + momentum buf with nesterov); p -= lr g. Adam (torch.optim.Adam,
 *  amsgrad off): with bias correction. Momentum and moments are kept per
 *  parameter name. The caller owns `*out` (sinabs_optimizer_free).
 *  Errors: INVALID_ARGUMENT (NULL, unknown kind, out-of-range or NaN option). */
sinabs_status sinabs_optimizer_create(sinabs_optimizer **out, sinabs_model *model,
                                      const sinabs_optimizer_options *options);

/** Releases the caller's reference; NULL is a no-op. */
void sinabs_optimizer_free(sinabs_optimizer *optimizer);

/** One update of the model's parameters from their accumulated gradients
 *  (no clipping: see sinabs_model_clip_grad_norm). */
sinabs_status sinabs_optimizer_step(sinabs_optimizer *optimizer);

/** Zeroes the gradients of the optimizer's model (sinabs_model_zero_grad). */
sinabs_status sinabs_optimizer_zero_grad(sinabs_optimizer *optimizer);

/** One training step of `model` with `optimizer` (created for this model):
 *  zero the gradients, forward `input` in training mode, evaluate `loss`
 *  against `target`, backward, clip to the optimizer's max_grad_norm if set,
 *  update. Writes the loss (before the update) to `*out_loss`. States are not
 *  reset: call sinabs_model_reset_states first when the samples are
 *  independent. The model's training mode is restored afterwards. If a
 *  failure happens before the update (bad shapes, bad labels), no parameter
 *  changes. Errors: INVALID_ARGUMENT (an optimizer of another model, unknown
 *  loss), SHAPE, STATE. */
sinabs_status sinabs_model_train_step(float *out_loss, sinabs_model *model,
                                      sinabs_optimizer *optimizer, const sinabs_tensor *input,
                                      const sinabs_tensor *target, sinabs_loss loss);

/* ------------------------------------------------------------------------ */
/* Training: backpropagation through time                                   */
/* ------------------------------------------------------------------------ */

/* Gradients are those of torch autograd through sinabs 3.1.3's step graph:
 * the spike function passes grad * surrogate(v_mem, threshold) (nothing to
 * the threshold), the reset passes gradient through `v - spikes * threshold`
 * (for ALIF also into the adaptive threshold, hence into b; MembraneReset's
 * mask carries none), min_v_mem passes it where v_mem > min_v_mem, and the
 * recurrent form carries it back through rec_connect into earlier steps.
 * Trainable: tau_* (or alpha_* with train_alphas) and rec_connect.weight;
 * spike_threshold and min_v_mem are fixed, as in sinabs. Linear: weight, bias.
 *
 * What a training forward of a neuron layer keeps (the "tape"), per
 * neuron-step: v_mem after integration, before the spike, 4 bytes (backward
 * recomputes the spike, the reset and the next step's starting v_mem from
 * it; v_mem before the first step is kept too, 4 bytes per neuron); i_syn
 * before the step, 4 bytes with tau_syn; b before the step, 4 bytes for ALIF;
 * for recurrent forms the step input including the feedback, 4 bytes, and a
 * copy of the N x N weight. The input itself is kept by reference (no copy):
 * do not write into it between forward and backward. IAF/LIF without
 * tau_syn: 4 bytes per neuron-step. Backward then moves per neuron-step: IAF
 * 12 bytes (tape, output gradient in; input gradient out); LIF 16 (it also
 * reads the input, for d tau_mem with norm_input). Backward writes the input
 * gradient over the tape's v_mem record (each step's after its last read) and
 * returns that memory, so forward + backward hold two (B, T, N) float
 * buffers (output; tape = input gradient) plus the extra tapes above. The
 * next training forward takes that memory back for its tape once the caller
 * has released the gradient tensor (else it allocates new memory: a held
 * gradient is never overwritten); the other tape buffers are reused by the
 * next training forward of the same shape. A Linear layer keeps its input by
 * reference. */

/** With `training` non-zero, each forward also keeps what backward needs
 *  (above). Off by default. A forward with training off leaves the tape of
 *  the last training forward in place. */
sinabs_status sinabs_layer_set_training(sinabs_layer *layer, int32_t training);

/** Backward through the last training forward: `grad_output` has the shape of
 *  that forward's output (squeeze forms: the squeezed shape). Writes the
 *  gradient w.r.t. that input into a new tensor `*out_grad_input` (caller
 *  owns) and adds the gradients of the trainable parameters to their
 *  accumulators (read with sinabs_layer_get_grad). One backward per training
 *  forward, as torch frees its graph. Errors: STATE (no training forward to
 *  go back through, or it was already used), SHAPE, INVALID_ARGUMENT (NULL or
 *  not a layer/tensor). On failure the accumulators are unchanged. */
sinabs_status sinabs_layer_backward(sinabs_tensor **out_grad_input, sinabs_layer *layer,
                                    const sinabs_tensor *grad_output);

/** A new tensor with the accumulated gradient of parameter `name` (its shape;
 *  zeros before any backward). A copy: later backward calls do not change it.
 *  Caller owns `*out`. Errors: NOT_FOUND (no such trainable parameter, e.g.
 *  spike_threshold), INVALID_ARGUMENT. */
sinabs_status sinabs_layer_get_grad(sinabs_tensor **out, const sinabs_layer *layer,
                                    const char *name);

/** Sets every parameter gradient accumulator to zero. */
sinabs_status sinabs_layer_zero_grad(sinabs_layer *layer);

/* Tapes: backward through any of several earlier calls, across calls.
 * sinabs_layer_backward goes through the last training forward only, and
 * treats the states it started from as constants. Taking each training
 * forward's tape out of the layer lets any number of forward calls precede
 * their backward calls (an autograd node per call holds its tape), and
 * sinabs_tape_backward takes dL/d(states after the call) and gives
 * dL/d(states before it), so that backward through two consecutive calls
 * equals backward through one call over the concatenated time. A tape holds
 * the memory described above until it is freed; it keeps its layer alive. */
typedef struct sinabs_tape sinabs_tape;

/** Moves the tape of `layer`'s last training forward into a new handle
 *  `*out` (caller owns; sinabs_tape_free). The layer's next training
 *  forward starts a new tape. Errors: STATE (no training forward since the
 *  last backward or take), INVALID_ARGUMENT (NULL, or not a neuron layer). */
sinabs_status sinabs_layer_take_tape(sinabs_tape **out, sinabs_layer *layer);

/** Backward through the call `tape` recorded: `grad_output` has that call's
 *  output shape. `grad_states` is NULL or an array of `n_states` tensors
 *  (entries may be NULL: zero), in the layer's state order
 *  (sinabs_layer_state_name), each of the state's shape (Batch, ...):
 *  dL/d(states after the call). `grad_recordings` likewise (NULL, or
 *  n_states entries that may be NULL), each of the recording's shape
 *  (Batch, Time, ...): dL/d(each step's state, as record_states records
 *  it), whether or not the call recorded. `out_grad_states` is NULL or an array of
 *  `n_states` slots that receive new tensors (caller owns) with dL/d(states
 *  before the call). `n_states` is 0 or the layer's state count. Writes the
 *  input gradient into a new tensor `*out_grad_input` (caller owns) and
 *  adds the parameter gradients to the layer's accumulators. Once per tape.
 *  Errors: STATE (the tape was already used), SHAPE, INVALID_ARGUMENT (NULL,
 *  wrong n_states, not a tape/tensor). On failure nothing changes and the
 *  tape stays usable. Not concurrently with other calls on its layer. */
sinabs_status sinabs_tape_backward(sinabs_tensor **out_grad_input, sinabs_tensor **out_grad_states,
                                   sinabs_tape *tape, const sinabs_tensor *grad_output,
                                   const sinabs_tensor *const *grad_states,
                                   const sinabs_tensor *const *grad_recordings, int32_t n_states);

/** Releases a tape (NULL is allowed). */
void sinabs_tape_free(sinabs_tape *tape);

/* ------------------------------------------------------------------------ */
/* ANN-to-SNN conversion                                                    */
/* ------------------------------------------------------------------------ */

/** sinabs' from_model: a new model `*out` (caller owns, sinabs_model_free)
 *  with `ann`'s layers rebuilt and their parameters copied (`ann` is not
 *  changed), every ReLU replaced by a new neuron layer of `spiking_layer`
 *  (sinabs' default is IAF in SQUEEZE form with batch_size or num_timesteps
 *  and min_v_mem = -1: neuron_options_init leaves min_v_mem NaN, so set it),
 *  biases of Linear and Conv2d divided by `bias_rescaling`, and, when
 *  `add_spiking_output` is 1 and the ANN does not end in a ReLU, one more
 *  neuron layer at the end. `input_shape` (rank `input_rank`, without the
 *  batch dimension) may be NULL with rank 0; when given, the new model runs
 *  one forward of zeros shaped (batch_size * num_timesteps, input_shape...)
 *  as sinabs' Network does, so it starts from that step's state, as sinabs'
 *  converted networks do (sinabs_model_reset_states drops it).
 *  Errors: INVALID_ARGUMENT (NULL, bad options, an ExpLeak spiking layer,
 *  bias_rescaling 0 or not finite, sizes < 1, a layer without a description),
 *  SHAPE (input_shape does not fit the ANN). Thread-safe for distinct `ann`
 *  objects; `ann` must not run concurrently. */
sinabs_status sinabs_model_from_ann(sinabs_model **out, const sinabs_model *ann,
                                    const sinabs_neuron_options *spiking_layer,
                                    float bias_rescaling, int32_t add_spiking_output,
                                    const int64_t *input_shape, int32_t input_rank);

/* ------------------------------------------------------------------------ */
/* Analysis: synaptic operations and firing rates (sinabs' SNNAnalyzer)      */
/* ------------------------------------------------------------------------ */

/** Gathers statistics during every forward of a model. */
typedef struct sinabs_analyzer sinabs_analyzer;

/** A new analyzer attached to `model` (it keeps a reference; one analyzer per
 *  model: a new one replaces the previous one's attachment). Every later
 *  sinabs_model_forward records, per layer: for spiking neuron layers (IAF,
 *  LIF, ALIF; not ExpLeak) the neuron count and firing rates; for Linear and
 *  Conv2d the synaptic operations per sample (input events times fan-out,
 *  edge-aware for Conv2d) as sinabs' SNNAnalyzer. `dt`: milliseconds per time
 *  step (> 0, finite), for SynOps/s. Caller owns `*out` (sinabs_analyzer_free).
 *  Errors: INVALID_ARGUMENT. Not thread-safe with the model's forward. */
sinabs_status sinabs_analyzer_create(sinabs_analyzer **out, sinabs_model *model, float dt);

/** Detaches from the model and releases the caller's reference; NULL is a no-op. */
void sinabs_analyzer_free(sinabs_analyzer *analyzer);

/** Forgets every forward recorded so far. */
sinabs_status sinabs_analyzer_reset(sinabs_analyzer *analyzer);

/** sinabs' get_model_statistics: the mean firing rate over every spiking
 *  neuron (a spiking layer that has not run counts as one silent neuron), the
 *  total synops (without the AvgPool correction, as sinabs) and the number of
 *  spiking neurons; of the last forward, or averaged over all forwards since
 *  the last reset when `average` is 1. The rate is NaN without spiking layers.
 *  Errors: INVALID_ARGUMENT (NULL, average not 0/1). */
sinabs_status sinabs_analyzer_model_statistics(float *out_firing_rate, float *out_synops,
                                               int64_t *out_spiking_neurons,
                                               const sinabs_analyzer *analyzer, int32_t average);

/** Every statistic as JSON, sinabs' get_layer_statistics keyed by layer index
 *  plus the model's: {"spiking": {"1": {"n_neurons", "firing_rate",
 *  "firing_rate_per_neuron": {"shape", "data"}}}, "parameter": {"0":
 *  {"synops", "num_timesteps", "time_window", "SynOps/s", "synops/s"}},
 *  "model": {"firing_rate", "synops", "n_spiking_neurons"}}; a parameter
 *  layer's synops include sinabs' AvgPool2d correction; non-finite numbers are
 *  null. Text out as sinabs_model_summary (capacity 0 to size a buffer).
 *  Errors: INVALID_ARGUMENT. */
sinabs_status sinabs_analyzer_statistics_json(char *out_text, size_t capacity, size_t *out_length,
                                              const sinabs_analyzer *analyzer, int32_t average);

/* ------------------------------------------------------------------------ */
/* Input encoders and quantising activations (sinabs.layers)                */
/* ------------------------------------------------------------------------ */

/* Random draws of these layers come from a stream per layer: SplitMix64
 * seeded once, draw k being its k-th output as a float in [0, 1) (the top 24
 * bits times 2^-24). `seed` NULL takes the stream's seed from the process-wide
 * generator (sinabs_manual_seed), so unseeded layers are reproducible too;
 * a given seed makes the layer's draws depend on nothing else. A forward
 * uses one draw per output element, in output (row-major) order, and the
 * next forward continues the stream: the same seed and calls give the same
 * spikes from C, Swift and Python. The layers are sinabs_layer objects
 * driven by the generic verbs (forward, forward_into, set_training,
 * backward) and can be held by a model and saved in a model file (the
 * description keeps the seed: a loaded layer restarts the stream).
 * Errors of every create: INVALID_ARGUMENT (NULL out, out-of-range or
 * non-finite arguments); nothing is created then. Caller owns `*out`
 * (sinabs_layer_free). */

/** sinabs.layers.Img2SpikeLayer: input (...) -> spikes (tw, ...); step t
 *  fires where draw < input / norm * (max_rate / 1000); with
 *  `negative_spikes` non-zero |input| drives the rate and a spike carries
 *  the input's sign (-1, 0 or 1). `squeeze` non-zero drops every dimension
 *  of size 1 from the input shape first. tw 1..2^31-1; max_rate finite;
 *  norm finite and non-zero. No backward (STATE). */
sinabs_status sinabs_img2spike_layer_create(sinabs_layer **out, int64_t tw, float max_rate,
                                            float norm, int32_t squeeze, int32_t negative_spikes,
                                            const uint64_t *seed);

/** sinabs.layers.Sig2SpikeLayer: a (channels, time) signal -> (time * tw,
 *  channels), each sample repeated tw times; with `spk_out` non-zero a spike
 *  where draw * norm_level < the sample, else the upsampled signal.
 *  channels_in >= 0 (kept, not checked against the input, as sinabs);
 *  tw 1..2^31-1; norm_level finite. Forward: SHAPE for a rank other than 2.
 *  No backward (STATE). */
sinabs_status sinabs_sig2spike_layer_create(sinabs_layer **out, int64_t channels_in, int64_t tw,
                                            float norm_level, int32_t spk_out,
                                            const uint64_t *seed);

/** sinabs.layers.NeuromorphicReLU: max(x, 0), then with `quantize` non-zero
 *  floor; with `stochastic_rounding` non-zero a training forward rounds up
 *  with probability frac(x) (one draw per element) and an eval forward
 *  rounds half to even (torch.round). Backward (after a training forward):
 *  the gradient where the input was > 0 (the rounding is straight-through).
 *  `fanout` scales sinabs' `activity` (kept for the description).
 *  sinabs_model_from_ann turns it into a spiking layer, as a ReLU. */
sinabs_status sinabs_neuromorphic_relu_layer_create(sinabs_layer **out, int32_t quantize,
                                                    int64_t fanout, int32_t stochastic_rounding,
                                                    const uint64_t *seed);

/** sinabs.layers.QuantizeLayer: floor(x) (the identity with `quantize` 0);
 *  backward passes the gradient straight through. */
sinabs_status sinabs_quantize_layer_create(sinabs_layer **out, int32_t quantize);

/** Writes draws first_draw .. first_draw + count - 1 of the stream seeded
 *  with `seed` to `out` (count floats in [0, 1)): the numbers the layers
 *  above compare with, for checking a stream from another language.
 *  Errors: INVALID_ARGUMENT (NULL out with count > 0, count < 0). */
sinabs_status sinabs_uniform_draws(float *out, int64_t count, uint64_t seed, uint64_t first_draw);

/** DVS events binned into a new tensor of frames (Time, 2, height, width):
 *  frame[bin(t[i]), p[i] > 0, y[i], x[i]] += 1 for each of the `count`
 *  events (arrays of `count` entries; may be NULL when count is 0; need not
 *  be sorted). Give exactly one of `n_time_bins` >= 1 (with time_window 0):
 *  that many equal bins over [t_start, last t], the last event in the last
 *  bin; or `time_window` > 0 (with n_time_bins 0): bin k holds t_start +
 *  k * time_window <= t < t_start + (k + 1) * time_window, up to the bin of
 *  the last event (tonic's ToFrame(time_window=..., include_incomplete=True)),
 *  no frame without events. `t_start` NULL: the earliest event (0 without
 *  events). Caller owns `*out`.
 *  Errors: INVALID_ARGUMENT (NULL pointers, count < 0, sizes < 1, both or
 *  neither binning, non-finite times, an event outside the sensor or before
 *  t_start: nothing is binned, the message names the event), OUT_OF_MEMORY
 *  (more than 2^31 - 1 frames or the allocation fails). Thread-safe. */
sinabs_status sinabs_events_to_frames(sinabs_tensor **out, const double *t, const int32_t *x,
                                      const int32_t *y, const int32_t *p, int64_t count,
                                      int64_t height, int64_t width, int64_t n_time_bins,
                                      double time_window, const double *t_start);

/* ------------------------------------------------------------------------ */
/* Parameters over outside memory                                           */
/* ------------------------------------------------------------------------ */

/** Makes parameter `name` ("weight", "bias") of a Linear or Conv2d layer
 *  the memory of `value` (same shape), without copying: `value` may wrap
 *  caller memory (sinabs_tensor_wrap, e.g. a torch tensor's through DLPack),
 *  and writes through either side are seen by both (forward reads it,
 *  optimizers update it in place). The layer keeps its own reference to the
 *  storage (the caller may free `value`; a wrap's release runs once both are
 *  gone). Share before creating optimizers over the layer: an optimizer
 *  created earlier keeps the previous memory. Values are not checked.
 *  Errors: INVALID_ARGUMENT (NULL, a layer of another kind), NOT_FOUND (no
 *  such parameter), SHAPE (shape differs), STATE (busy); the layer is
 *  unchanged on failure. */
sinabs_status sinabs_layer_share_parameter(sinabs_layer *layer, const char *name,
                                           sinabs_tensor *value);

/* ------------------------------------------------------------------------ */
/* NIR files: models exchanged with other SNN libraries                     */
/* ------------------------------------------------------------------------ */

/**
 * Options of sinabs_model_load_nir. Start from `sinabs_nir_options_init`; the
 * library reads only the first `struct_size` bytes and new fields are only
 * added at the end.
 */
typedef struct sinabs_nir_options {
  uint32_t struct_size;   /**< sizeof(sinabs_nir_options), set by init */
  int64_t batch_size;     /**< squeeze form: samples per forward, or 0 (not given) */
  int64_t num_timesteps;  /**< squeeze form: steps per sample, or 0; one of the two must be given */
  float dt;               /**< 0: one NIR time unit per step (sinabs' convention: decay exp(-1/tau),
                               input gain r); > 0: the graph was written for forward-Euler steps of dt
                               (snnTorch writes 1e-4): decay 1 - dt/tau, gain r*dt/tau (docs/nir.md) */
  int32_t reset_to_zero;  /**< 0: subtract the threshold after a spike (NIR's IF/LIF); 1: reset to 0 */
  int32_t single_spike;   /**< 0: sinabs' MultiSpike, floor(v / threshold) spikes per step (sinabs'
                               from_nir); 1: at most one (NIR's and snnTorch's); same below 2 thresholds */
} sinabs_nir_options;

/** Fills `*options` with the defaults (no sizes, dt 0, subtract reset, MultiSpike).
 *  Errors: INVALID_ARGUMENT (NULL). */
sinabs_status sinabs_nir_options_init(sinabs_nir_options *options);

/** A new model `*out` (caller owns, sinabs_model_free) read from the `.nir`
 *  file at `path`, as the `nir` Python package's nir.write lays it out (HDF5):
 *  e.g. a network exported by sinabs' or snnTorch's to-NIR functions. The
 *  graph must be a chain Input -> ... -> Output of Affine, Linear, Conv2d,
 *  SumPool2d, AvgPool2d, Flatten, IF, LIF, LI, CubaLIF nodes; neuron layers
 *  are created in squeeze form, so the model runs on (Batch*Time, ...) input,
 *  "..." being the Input node's shape. IF -> IAF, LIF -> LIF (norm_input off),
 *  LI -> ExpLeak, CubaLIF -> LIF with tau_syn; no min_v_mem; input gains
 *  (r, w_in) and per-neuron thresholds are folded into the weights before
 *  the neurons (same spikes, scaled membranes). `*out` is NULL on failure.
 *  Errors: INVALID_ARGUMENT (NULL or bad options, not an HDF5 file, damaged or
 *  truncated file, HDF5 without NIR structure, an unsupported node or graph
 *  shape, NaN or out-of-range parameters), NOT_FOUND (cannot open `path`),
 *  SHAPE (shapes inconsistent along the graph); the message names the node.
 *  Thread-safe: HDF5 calls are serialised inside the library. */
sinabs_status sinabs_model_load_nir(sinabs_model **out, const char *path, const sinabs_nir_options *options);

/** Writes `model` to `path` as a `.nir` file that the `nir` package's
 *  nir.read (and so sinabs', snnTorch's and other libraries' importers)
 *  reads: nodes "0", "1", ... in layer order between "input", of shape
 *  `input_shape` (rank `input_rank`: one sample at one step, without the
 *  batch dimension, e.g. {1, 8, 8}) and "output". Linear -> Affine, Conv2d,
 *  IAF -> IF, LIF -> LIF (CubaLIF with tau_syn), ExpLeak -> LI, SumPool2d,
 *  AvgPool2d, Flatten. Written to "<path>.tmp" and renamed over `path`.
 *  Errors: INVALID_ARGUMENT (NULL, a layer NIR cannot express -- named in the
 *  message: min_v_mem, a non-subtract reset, ALIF, MaxPool2d, a neuron layer
 *  not in squeeze form, ... -- or the file cannot be written), SHAPE
 *  (`input_shape` does not fit the model). The model must not run concurrently. */
sinabs_status sinabs_model_save_nir(const sinabs_model *model, const char *path,
                                    const int64_t *input_shape, int32_t input_rank);

#ifdef __cplusplus
}
#endif

#endif /* SINABS_H */
