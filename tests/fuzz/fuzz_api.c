/* libFuzzer target for the C ABI: each input is decoded into a sequence of
 * API calls on a few slots of tensors, layers and models -- tensors made,
 * copied, reshaped and wrapped over one shared arena with overlapping
 * offsets; neuron layers with random options (struct_size included) and
 * Linear layers; forward, forward_into, training forward, backward; states,
 * parameters (also written through their tensors or shared with them),
 * gradients, recordings; models; encoders and event binning; and frees of
 * every kind, wrong kinds included. Built with ASan and
 * UBSan against the ASan build of the library (make fuzz).
 *
 * Beyond memory errors, it aborts when the library breaks a promise of
 * sinabs.h: a status outside the documented codes (or INTERNAL), a failed
 * call that leaves an `out` handle non-NULL, or a wrap release callback that
 * did not run exactly once by the time everything was freed. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sinabs.h"

enum { TENSORS = 8, LAYERS = 4, MODELS = 2, ARENA = 4096 };

typedef struct {
  const uint8_t *data;
  size_t size, at;
} reader;

static int more(const reader *r) { return r->at < r->size; }
static unsigned byte(reader *r) { return more(r) ? r->data[r->at++] : 0; }
static unsigned pick(reader *r, unsigned n) { return byte(r) % n; }

static float number(reader *r) {
  switch (pick(r, 16)) {
  case 0: return NAN;
  case 1: return INFINITY;
  case 2: return -INFINITY;
  case 3: return 0.0f;
  case 4: return -1.0f;
  case 5: return 1e30f;
  case 6: return 1e-30f;
  case 7: return (float)(int8_t)byte(r);
  default: return (float)byte(r) / 64.0f - 1.0f;
  }
}

static int64_t dim(reader *r) {
  switch (pick(r, 24)) {
  case 0: return -1;
  case 1: return INT64_MAX;
  case 2: return (int64_t)1 << 40;
  case 3: return 1000 + pick(r, 100);
  default: return pick(r, 6);
  }
}

static const char *names[] = {"v_mem", "i_syn", "b", "spike_threshold", "tau_mem", "tau_syn",
                              "tau_adapt", "alpha_mem", "alpha_syn", "alpha_adapt", "min_v_mem",
                              "rec_connect.weight", "rec_connect.bias", "weight", "bias", "", "x"};
static const char *name(reader *r) {
  return pick(r, 20) == 0 ? NULL : names[pick(r, sizeof names / sizeof names[0])];
}

static sinabs_tensor *tensors[TENSORS];
static sinabs_layer *layers[LAYERS];
static sinabs_model *models[MODELS];
static float arena[ARENA];
static long wraps, releases;

static void released(void *context, float *data) {
  (void)data;
  if (context != &wraps) abort(); /* the context given to wrap comes back */
  releases++;
}

static void check(sinabs_status s) {
  switch (s) {
  case SINABS_OK: case SINABS_ERR_INVALID_ARGUMENT: case SINABS_ERR_SHAPE:
  case SINABS_ERR_OUT_OF_MEMORY: case SINABS_ERR_STATE: case SINABS_ERR_NOT_FOUND:
    if (s != SINABS_OK && sinabs_last_error()[0] == '\0') abort();
    return;
  default:
    fprintf(stderr, "status %d: %s\n", s, sinabs_last_error());
    abort();
  }
}

/* A call with an `out` handle: on failure it must be NULL. */
#define CHECK_OUT(call, out)                    \
  do {                                          \
    sinabs_status s_ = (call);                  \
    check(s_);                                  \
    if (s_ != SINABS_OK && (out) != NULL) abort(); \
    if (s_ == SINABS_OK && (out) == NULL) abort(); \
  } while (0)

static void put_tensor(reader *r, sinabs_tensor *t) {
  if (t == NULL) return;
  unsigned k = pick(r, TENSORS);
  sinabs_tensor_free(tensors[k]);
  tensors[k] = t;
}

static sinabs_tensor *any_tensor(reader *r) {
  return pick(r, 16) == 0 ? NULL : tensors[pick(r, TENSORS)];
}
static sinabs_layer *any_layer(reader *r) { return pick(r, 16) == 0 ? NULL : layers[pick(r, LAYERS)]; }
static sinabs_model *any_model(reader *r) { return pick(r, 16) == 0 ? NULL : models[pick(r, MODELS)]; }

static void fill(reader *r, sinabs_tensor *t) {
  float *d = NULL;
  int64_t n = 0;
  if (t == NULL || sinabs_tensor_data(&d, t) != SINABS_OK || sinabs_tensor_numel(&n, t) != SINABS_OK)
    return;
  for (int64_t i = 0; i < n && d != NULL; i++) d[i] = i < 64 ? number(r) : d[i % 64] * 0.5f;
}

static void new_tensor(reader *r) {
  int64_t shape[SINABS_MAX_RANK + 1];
  int32_t rank = (int32_t)pick(r, 6);
  if (pick(r, 32) == 0) rank = pick(r, 2) ? -1 : SINABS_MAX_RANK + 1;
  for (int i = 0; i < rank && i < SINABS_MAX_RANK + 1; i++) shape[i] = dim(r);
  sinabs_tensor *t = NULL;
  CHECK_OUT(sinabs_tensor_create(&t, pick(r, 32) ? shape : NULL, rank), t);
  fill(r, t);
  put_tensor(r, t);
}

/* A wrap over the arena at some offset: wraps overlap one another. */
static void new_wrap(reader *r) {
  int64_t shape[3];
  int32_t rank = 1 + (int32_t)pick(r, 3);
  int64_t count = 1;
  for (int i = 0; i < rank; i++) {
    shape[i] = 1 + pick(r, 8);
    count *= shape[i];
  }
  size_t offset = pick(r, 64);
  if (pick(r, 8) == 0) offset = 0;
  if ((int64_t)offset + count > ARENA) return;
  int with_callback = pick(r, 4) != 0;
  sinabs_tensor *t = NULL;
  sinabs_status s = sinabs_tensor_wrap(&t, shape, rank, arena + offset, with_callback ? released : NULL,
                                       &wraps);
  check(s);
  if (s == SINABS_OK && with_callback) wraps++;
  put_tensor(r, t);
}

static void new_neuron_layer(reader *r) {
  sinabs_neuron_options o;
  check(sinabs_neuron_options_init(&o, 1 + (int32_t)pick(r, 4)));
  if (pick(r, 2)) o.form = (int32_t)pick(r, 4);
#define MAYBE(n, statement) do { if (pick(r, n) == 0) { statement; } } while (0)
  o.batch_size = pick(r, 3) ? pick(r, 4) : dim(r);
  o.num_timesteps = pick(r, 3) ? pick(r, 4) : dim(r);
  o.recurrent_features = pick(r, 3) ? pick(r, 6) : dim(r);
  MAYBE(3, o.tau_mem = number(r));
  MAYBE(3, o.tau_syn = number(r));
  MAYBE(4, o.tau_adapt = number(r));
  MAYBE(4, o.adapt_scale = number(r));
  MAYBE(4, o.spike_threshold = number(r));
  MAYBE(3, o.spike_fn = (int32_t)pick(r, 4));
  MAYBE(3, o.max_num_spikes_per_bin = (int32_t)pick(r, 4) - 1);
  MAYBE(3, o.reset_fn = (int32_t)pick(r, 3));
  MAYBE(4, o.subtract_value = number(r));
  MAYBE(4, o.reset_value = number(r));
  MAYBE(3, o.surrogate_fn = (int32_t)pick(r, 6));
  MAYBE(5, o.grad_width = number(r));
  MAYBE(5, o.grad_scale = number(r));
  MAYBE(5, o.window = number(r));
  MAYBE(5, o.mu = number(r));
  MAYBE(5, o.sigma = number(r));
  MAYBE(5, o.h = number(r));
  MAYBE(5, o.s = number(r));
  MAYBE(3, o.min_v_mem = -number(r));
  MAYBE(4, o.norm_input = (int32_t)pick(r, 3));
  MAYBE(3, o.train_alphas = (int32_t)pick(r, 3));
  MAYBE(3, o.record_states = (int32_t)pick(r, 2));
  MAYBE(8, o.model = (int32_t)pick(r, 6));
  MAYBE(8, o.struct_size = (uint32_t)pick(r, (unsigned)sizeof o + 16));
#undef MAYBE
  unsigned k = pick(r, LAYERS);
  sinabs_layer_free(layers[k]);
  layers[k] = NULL;
  CHECK_OUT(sinabs_neuron_layer_create(&layers[k], pick(r, 32) ? &o : NULL), layers[k]);
  if (layers[k] && pick(r, 2)) check(sinabs_layer_set_training(layers[k], 1));
}

static void new_linear_layer(reader *r) {
  unsigned k = pick(r, LAYERS);
  sinabs_layer_free(layers[k]);
  layers[k] = NULL;
  int64_t in = pick(r, 8) ? (int64_t)pick(r, 6) : dim(r), out = pick(r, 6);
  CHECK_OUT(sinabs_linear_layer_create(&layers[k], in, out, (int32_t)pick(r, 2)), layers[k]);
  if (layers[k]) {
    sinabs_tensor *w = NULL;
    if (sinabs_layer_get_parameter(&w, layers[k], "weight") == SINABS_OK) fill(r, w);
    sinabs_tensor_free(w);
    if (pick(r, 2)) check(sinabs_layer_set_training(layers[k], 1));
  }
}

/* An invalid size, or a small valid one (big ones would only allocate). */
static int64_t small_or_bad(reader *r) {
  switch (pick(r, 8)) {
  case 0: return -1;
  case 1: return INT64_MAX;
  case 2: return (int64_t)1 << 40;
  default: return pick(r, 5);
  }
}

/* Encoders and quantising activations, seeded or from the process stream. */
static void new_encoder_layer(reader *r) {
  uint64_t seed = byte(r);
  const uint64_t *s = pick(r, 2) ? &seed : NULL;
  sinabs_layer *l = NULL;
  switch (pick(r, 4)) {
  case 0:
    CHECK_OUT(sinabs_img2spike_layer_create(&l, small_or_bad(r), number(r), number(r), (int32_t)pick(r, 3),
                                            (int32_t)pick(r, 2), s), l);
    break;
  case 1:
    CHECK_OUT(sinabs_sig2spike_layer_create(&l, small_or_bad(r), small_or_bad(r), number(r), (int32_t)pick(r, 2), s), l);
    break;
  case 2:
    CHECK_OUT(sinabs_neuromorphic_relu_layer_create(&l, (int32_t)pick(r, 2), dim(r), (int32_t)pick(r, 2), s), l);
    break;
  default: CHECK_OUT(sinabs_quantize_layer_create(&l, (int32_t)pick(r, 3) - 1), l);
  }
  if (l == NULL) return;
  unsigned k = pick(r, LAYERS);
  sinabs_layer_free(layers[k]);
  layers[k] = l;
  if (pick(r, 2)) check(sinabs_layer_set_training(l, 1));
}

/* A few events with bad coordinates, times and sizes now and then; the stream's raw draws. */
static void bin_events(reader *r) {
  double t[8], start = number(r);
  int32_t x[8], y[8], p[8];
  for (int i = 0; i < 8; i++) {
    t[i] = pick(r, 8) ? (double)byte(r) : number(r);
    x[i] = (int32_t)pick(r, 6) - 1, y[i] = (int32_t)pick(r, 6) - 1, p[i] = (int32_t)byte(r) - 128;
  }
  int64_t count = pick(r, 16) ? (int64_t)pick(r, 9) : -1; /* never beyond the arrays: the caller's promise */
  sinabs_tensor *frames = NULL;
  CHECK_OUT(sinabs_events_to_frames(&frames, pick(r, 16) ? t : NULL, x, y, pick(r, 16) ? p : NULL, count,
                                    small_or_bad(r), small_or_bad(r), pick(r, 2) ? small_or_bad(r) : 0,
                                    pick(r, 2) ? 0.0 : number(r), pick(r, 2) ? &start : NULL), frames);
  put_tensor(r, frames);
  float draws[8];
  check(sinabs_uniform_draws(pick(r, 8) ? draws : NULL, (int64_t)pick(r, 10) - 1, byte(r), byte(r)));
}

/* A free through a random _free: a handle of the right kind is dropped from
 * its slot, one of the wrong kind must be left alone by the library. */
static void free_any(reader *r) {
  unsigned kind = pick(r, 3), victim = pick(r, 3);
  void *handle = victim == 0 ? (void *)tensors[pick(r, TENSORS)]
               : victim == 1 ? (void *)layers[pick(r, LAYERS)] : (void *)models[pick(r, MODELS)];
  if (handle == NULL) return;
  if (kind != victim) {
    if (kind == 0) sinabs_tensor_free(handle);
    if (kind == 1) sinabs_layer_free(handle);
    if (kind == 2) sinabs_model_free(handle);
    return;
  }
  for (int i = 0; i < TENSORS; i++) if (tensors[i] == handle) { sinabs_tensor_free(tensors[i]); tensors[i] = NULL; return; }
  for (int i = 0; i < LAYERS; i++) if (layers[i] == handle) { sinabs_layer_free(layers[i]); layers[i] = NULL; return; }
  for (int i = 0; i < MODELS; i++) if (models[i] == handle) { sinabs_model_free(models[i]); models[i] = NULL; return; }
}

static void step(reader *r) {
  sinabs_tensor *t = NULL;
  switch (pick(r, 27)) {
  case 0: case 1: new_tensor(r); break;
  case 2: case 3: new_wrap(r); break;
  case 4: new_neuron_layer(r); break;
  case 5: new_linear_layer(r); break;
  case 6: case 7:
    CHECK_OUT(sinabs_layer_forward(&t, any_layer(r), any_tensor(r)), t);
    if (pick(r, 2)) put_tensor(r, t); else sinabs_tensor_free(t);
    break;
  case 8: case 9: check(sinabs_layer_forward_into(any_tensor(r), any_layer(r), any_tensor(r))); break;
  case 10: check(sinabs_layer_set_training(any_layer(r), (int32_t)pick(r, 3))); break;
  case 11:
    CHECK_OUT(sinabs_layer_backward(&t, any_layer(r), any_tensor(r)), t);
    if (pick(r, 2)) put_tensor(r, t); else sinabs_tensor_free(t);
    break;
  case 12: {
    sinabs_layer *layer = any_layer(r);
    const char *n = name(r);
    switch (pick(r, 4)) {
    case 0: CHECK_OUT(sinabs_layer_get_state(&t, layer, n), t); break;
    case 1: CHECK_OUT(sinabs_layer_get_parameter(&t, layer, n), t); break;
    case 2: CHECK_OUT(sinabs_layer_get_grad(&t, layer, n), t); break;
    default: CHECK_OUT(sinabs_layer_get_recording(&t, layer, n), t); break;
    }
    if (t && pick(r, 3) == 0) fill(r, t); /* write through: e.g. tau_mem = -5 */
    if (pick(r, 2)) put_tensor(r, t); else sinabs_tensor_free(t);
    break;
  }
  case 13:
    if (pick(r, 2)) check(sinabs_layer_set_state(any_layer(r), name(r), any_tensor(r)));
    else check(sinabs_layer_set_parameter(any_layer(r), name(r), any_tensor(r)));
    break;
  case 14: {
    const char *n[2] = {name(r), name(r)};
    float lo[2] = {number(r), number(r)}, hi[2] = {number(r), number(r)};
    int32_t count = (int32_t)pick(r, 4) - 1;
    check(sinabs_layer_reset_states(any_layer(r), (int32_t)pick(r, 2), pick(r, 8) ? n : NULL, lo, hi,
                                    count > 2 ? 2 : count, byte(r)));
    break;
  }
  case 15: {
    unsigned k = pick(r, MODELS);
    switch (pick(r, 6)) {
    case 0: sinabs_model_free(models[k]); models[k] = NULL; CHECK_OUT(sinabs_model_create(&models[k]), models[k]); break;
    case 1: case 2: check(sinabs_model_append(any_model(r), any_layer(r))); break;
    case 3: CHECK_OUT(sinabs_model_forward(&t, any_model(r), any_tensor(r)), t); put_tensor(r, t); break;
    case 4: check(sinabs_model_reset_states(any_model(r))); break;
    default: {
      sinabs_layer *l = NULL;
      CHECK_OUT(sinabs_model_get_layer(&l, any_model(r), (int32_t)pick(r, 5) - 1), l);
      if (l) { unsigned j = pick(r, LAYERS); sinabs_layer_free(layers[j]); layers[j] = l; }
    }
    }
    break;
  }
  case 16: {
    int64_t shape[4];
    int32_t rank = (int32_t)pick(r, 5);
    for (int i = 0; i < rank; i++) shape[i] = pick(r, 3) ? (int64_t)pick(r, 7) - 1 : dim(r);
    CHECK_OUT(sinabs_tensor_reshape(&t, any_tensor(r), shape, rank), t);
    put_tensor(r, t);
    break;
  }
  case 17: check(sinabs_tensor_copy_into(any_tensor(r), any_tensor(r))); break;
  case 18: CHECK_OUT(sinabs_tensor_copy(&t, any_tensor(r)), t); put_tensor(r, t); break;
  case 19: free_any(r); break;
  case 20: {
    sinabs_layer *layer = any_layer(r);
    float rate;
    int32_t count = 0;
    const char *n = NULL;
    check(sinabs_layer_firing_rate(&rate, layer));
    check(sinabs_layer_zero_grad(layer));
    if (sinabs_layer_parameter_count(&count, layer) == SINABS_OK)
      for (int32_t i = -1; i <= count; i++) check(sinabs_layer_parameter_name(&n, layer, i));
    if (sinabs_layer_state_count(&count, layer) == SINABS_OK)
      for (int32_t i = -1; i <= count; i++) check(sinabs_layer_state_name(&n, layer, i));
    break;
  }
  case 21: fill(r, any_tensor(r)); break;
  case 22: check(sinabs_set_num_threads((int32_t)pick(r, 3))); break;
  case 24: new_encoder_layer(r); break;
  case 25: bin_events(r); break;
  case 26: check(sinabs_layer_share_parameter(any_layer(r), name(r), any_tensor(r))); break;
  default: {
    int64_t shape[8];
    int32_t rank = 0;
    sinabs_tensor *x = any_tensor(r);
    check(sinabs_tensor_shape(shape, (int32_t)pick(r, 9), &rank, x));
    break;
  }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r = {data, size, 0};
  for (int m = 0; m < MODELS; m++) check(sinabs_model_create(&models[m]));
  for (int steps = 0; more(&r) && steps < 64; steps++) step(&r);
  for (int i = 0; i < TENSORS; i++) { sinabs_tensor_free(tensors[i]); tensors[i] = NULL; }
  for (int i = 0; i < LAYERS; i++) { sinabs_layer_free(layers[i]); layers[i] = NULL; }
  for (int i = 0; i < MODELS; i++) { sinabs_model_free(models[i]); models[i] = NULL; }
  if (releases != wraps) {
    fprintf(stderr, "%ld wraps, %ld release callbacks\n", wraps, releases);
    abort();
  }
  return 0;
}
