/* Neuron and linear layers through the C ABI: forward in every form, states,
 * recordings, parameters; and for each entry point its bad inputs (NULLs,
 * wrong handle kinds, wrong shapes, unknown names, indices out of range),
 * with the layer left unchanged by a failed call. */
#include <string.h>
#include "check.h"

static sinabs_layer *neuron_layer(int32_t model, void (*tweak)(sinabs_neuron_options *)) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  if (sinabs_neuron_options_init(&o, model) != SINABS_OK) exit(2);
  if (tweak) tweak(&o);
  if (sinabs_neuron_layer_create(&layer, &o) != SINABS_OK) {
    fprintf(stderr, "layer create failed: %s\n", sinabs_last_error());
    exit(2);
  }
  return layer;
}

/* Element `i` of state `name` (NAN when the state is empty). */
static float state_at(const sinabs_layer *layer, const char *name, int i) {
  sinabs_tensor *s = NULL;
  if (sinabs_layer_get_state(&s, layer, name) != SINABS_OK) return NAN;
  float *d = NULL;
  sinabs_tensor_data(&d, s);
  float v = d ? d[i] : NAN;
  sinabs_tensor_free(s);
  return v;
}

static int64_t numel(const sinabs_tensor *t) {
  int64_t n = -1;
  sinabs_tensor_numel(&n, t);
  return n;
}

static void record(sinabs_neuron_options *o) { o->record_states = 1; }

/* IAF, threshold 1, MultiSpike, subtract: 0.6 per step gives v = 0.6,
 * 1.2 -> spike, 0.2; 0.8. */
static void test_iaf_forward(void) {
  sinabs_layer *iaf = neuron_layer(SINABS_NEURON_IAF, record);
  int64_t shape[3] = {1, 3, 1};
  const float x[3] = {0.6f, 0.6f, 0.6f};
  sinabs_tensor *input = tensor_of(shape, 3, x), *out = NULL;

  sinabs_tensor *before = NULL;
  CHECK_OK(sinabs_layer_get_state(&before, iaf, "v_mem"));
  int32_t rank = 0;
  int64_t dims[SINABS_MAX_RANK];
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, before));
  CHECK(rank == 1 && dims[0] == 0); /* shape (0) before the first forward */
  sinabs_tensor_free(before);
  float rate = -1;
  CHECK_OK(sinabs_layer_firing_rate(&rate, iaf));
  CHECK(rate == 0.0f);

  CHECK_OK(sinabs_layer_forward(&out, iaf, input));
  float *y = data_of(out);
  CHECK(y[0] == 0.0f && y[1] == 1.0f && y[2] == 0.0f);
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, out));
  CHECK(rank == 3 && dims[0] == 1 && dims[1] == 3 && dims[2] == 1);
  CHECK_NEAR(state_at(iaf, "v_mem", 0), 0.8, 1e-6);
  CHECK_OK(sinabs_layer_firing_rate(&rate, iaf));
  CHECK_NEAR(rate, 1.0 / 3.0, 1e-6);

  sinabs_tensor *rec = NULL;
  CHECK_OK(sinabs_layer_get_recording(&rec, iaf, "v_mem"));
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, rec));
  CHECK(rank == 3 && dims[0] == 1 && dims[1] == 3 && dims[2] == 1);
  float *r = data_of(rec);
  CHECK_NEAR(r[0], 0.6, 1e-6);
  CHECK_NEAR(r[1], 0.2, 1e-6);
  CHECK_NEAR(r[2], 0.8, 1e-6);
  sinabs_tensor_free(rec);

  /* States carry over: 0.8 + 0.6 = 1.4 spikes at once. */
  sinabs_tensor *out2 = NULL;
  CHECK_OK(sinabs_layer_forward(&out2, iaf, input));
  CHECK(data_of(out2)[0] == 1.0f);
  sinabs_tensor_free(out2);

  /* forward_into writes into the caller's tensor; reset first. */
  CHECK_OK(sinabs_layer_reset_states(iaf, 0, NULL, NULL, NULL, 0, 0));
  CHECK(state_at(iaf, "v_mem", 0) == 0.0f);
  int64_t flat[1] = {3};
  sinabs_tensor *into = tensor_of(flat, 1, NULL);
  CHECK_OK(sinabs_layer_forward_into(into, iaf, input));
  CHECK(data_of(into)[1] == 1.0f && data_of(into)[2] == 0.0f);

  /* A new batch size re-initialises the states to zero. */
  int64_t two[3] = {2, 1, 1};
  sinabs_tensor *zeros = tensor_of(two, 3, NULL);
  CHECK_OK(sinabs_layer_forward(&out2, iaf, zeros));
  sinabs_tensor *v = NULL;
  CHECK_OK(sinabs_layer_get_state(&v, iaf, "v_mem"));
  CHECK(numel(v) == 2 && data_of(v)[0] == 0.0f && data_of(v)[1] == 0.0f);
  sinabs_tensor_free(v);
  sinabs_tensor_free(out2);
  sinabs_tensor_free(zeros);
  sinabs_tensor_free(into);
  sinabs_tensor_free(out);
  sinabs_tensor_free(input);
  sinabs_layer_free(iaf);
  sinabs_layer_free(NULL);
}

static void squeeze_by_batch(sinabs_neuron_options *o) {
  o->form = SINABS_FORM_SQUEEZE;
  o->batch_size = 2;
}

/* Squeeze: (Batch*Time, ...) -> states (Batch, ...); bad first dimensions. */
static void test_squeeze(void) {
  sinabs_layer *layer = neuron_layer(SINABS_NEURON_IAF, squeeze_by_batch);
  int64_t shape[2] = {4, 3};
  float x[12];
  for (int i = 0; i < 12; i++) x[i] = 0.6f;
  sinabs_tensor *input = tensor_of(shape, 2, x), *out = NULL;
  CHECK_OK(sinabs_layer_forward(&out, layer, input));
  /* rows are (b0,t0) (b0,t1) (b1,t0) (b1,t1): the second step spikes */
  CHECK(data_of(out)[0] == 0.0f && data_of(out)[3] == 1.0f && data_of(out)[9] == 1.0f);
  sinabs_tensor *v = NULL;
  CHECK_OK(sinabs_layer_get_state(&v, layer, "v_mem"));
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, v));
  CHECK(rank == 2 && dims[0] == 2 && dims[1] == 3);
  CHECK_NEAR(data_of(v)[0], 0.2, 1e-6);
  sinabs_tensor_free(v);
  sinabs_tensor_free(out);

  out = STALE(sinabs_tensor);
  int64_t odd[2] = {3, 4};
  sinabs_tensor *bad = tensor_of(odd, 2, NULL);
  CHECK_FAILS(sinabs_layer_forward(&out, layer, bad), SINABS_ERR_SHAPE);
  CHECK(out == NULL);
  CHECK_NEAR(state_at(layer, "v_mem", 0), 0.2, 1e-6); /* unchanged */
  sinabs_tensor_free(bad);
  sinabs_tensor *scalar = tensor_of(NULL, 0, NULL);
  CHECK_FAILS(sinabs_layer_forward(&out, layer, scalar), SINABS_ERR_SHAPE);
  sinabs_tensor_free(scalar);
  /* An empty batch is a valid (empty) call. */
  int64_t none[2] = {0, 3};
  sinabs_tensor *empty = tensor_of(none, 2, NULL);
  CHECK_OK(sinabs_layer_forward(&out, layer, empty));
  CHECK(numel(out) == 0);
  sinabs_tensor_free(out);
  sinabs_tensor_free(empty);
  sinabs_tensor_free(input);
  sinabs_layer_free(layer);

  /* An empty input with a huge num_timesteps: (0, 2^62, 4) steps of 4
   * neurons cannot be addressed; an error, not an overflow trap. */
  sinabs_neuron_options o;
  CHECK_OK(sinabs_neuron_options_init(&o, SINABS_NEURON_IAF));
  o.form = SINABS_FORM_SQUEEZE;
  o.num_timesteps = INT64_C(1) << 62;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &o));
  int64_t none4[2] = {0, 4};
  empty = tensor_of(none4, 2, NULL);
  out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&out, layer, empty), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(out == NULL);
  sinabs_tensor_free(empty);
  sinabs_layer_free(layer);
}

static void recurrent_two(sinabs_neuron_options *o) {
  o->form = SINABS_FORM_RECURRENT;
  o->recurrent_features = 2;
}

/* Recurrent IAF, W = [[0, 0], [2, 0]]: neuron 0's spike at t feeds 2 into
 * neuron 1 at t+1. */
static void test_recurrent(void) {
  sinabs_layer *layer = neuron_layer(SINABS_NEURON_IAF, recurrent_two);
  sinabs_tensor *w = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&w, layer, "rec_connect.weight"));
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, w));
  CHECK(rank == 2 && dims[0] == 2 && dims[1] == 2);
  CHECK(data_of(w)[2] == 0.0f); /* starts at zero */
  const float weight[4] = {0, 0, 2, 0};
  int64_t wshape[2] = {2, 2};
  sinabs_tensor *wvalue = tensor_of(wshape, 2, weight);
  CHECK_OK(sinabs_layer_set_parameter(layer, "rec_connect.weight", wvalue));
  CHECK(data_of(w)[2] == 2.0f); /* the parameter tensor shares the layer's storage */

  int64_t shape[3] = {1, 2, 2};
  const float x[4] = {1, 0, 0, 0};
  sinabs_tensor *input = tensor_of(shape, 3, x), *out = NULL;
  CHECK_OK(sinabs_layer_forward(&out, layer, input));
  float *y = data_of(out);
  CHECK(y[0] == 1.0f && y[1] == 0.0f && y[2] == 0.0f && y[3] == 2.0f);
  CHECK(state_at(layer, "v_mem", 1) == 0.0f);
  sinabs_tensor_free(out);

  /* rec_connect.bias: added to the feedback from the second step on. Wrong
   * shape or non-finite values are refused and add nothing. */
  int32_t n = 0;
  int64_t bshape[1] = {2}, bwrong[1] = {3};
  const float bias[2] = {0.0f, 0.5f}, bad_bias[2] = {0.0f, NAN};
  sinabs_tensor *b = tensor_of(bshape, 1, bias), *bb = tensor_of(bshape, 1, bad_bias);
  sinabs_tensor *b3 = tensor_of(bwrong, 1, NULL);
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "rec_connect.bias", b3), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "rec_connect.bias", bb), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_layer_parameter_count(&n, layer));
  CHECK(n == 2); /* spike_threshold, rec_connect.weight */
  CHECK_OK(sinabs_layer_set_parameter(layer, "rec_connect.bias", b));
  CHECK_OK(sinabs_layer_parameter_count(&n, layer));
  CHECK(n == 3);
  const char *bias_name = NULL;
  CHECK_OK(sinabs_layer_parameter_name(&bias_name, layer, 2));
  CHECK(bias_name && strcmp(bias_name, "rec_connect.bias") == 0);
  CHECK_OK(sinabs_layer_reset_states(layer, 0, NULL, NULL, NULL, 0, 0));
  CHECK_OK(sinabs_layer_forward(&out, layer, input));
  y = data_of(out);
  /* t1: neuron 1 gets 2 * 1 + 0.5 = 2.5 -> 2 spikes, 0.5 left */
  CHECK(y[0] == 1.0f && y[1] == 0.0f && y[2] == 0.0f && y[3] == 2.0f);
  CHECK_NEAR(state_at(layer, "v_mem", 1), 0.5, 1e-6);
  sinabs_tensor_free(out);
  sinabs_tensor_free(b3);
  sinabs_tensor_free(bb);
  sinabs_tensor_free(b);

  /* Wrong feature count: (1, 2, 3) and (1, 2, 1, 3). */
  int64_t three[3] = {1, 2, 3}, split[4] = {1, 2, 1, 3}, rank1[1] = {2};
  sinabs_tensor *bad = tensor_of(three, 3, NULL);
  out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&out, layer, bad), SINABS_ERR_SHAPE);
  CHECK(out == NULL);
  CHECK(strstr(sinabs_last_error(), "2") != NULL);
  sinabs_tensor_free(bad);
  bad = tensor_of(split, 4, NULL);
  CHECK_FAILS(sinabs_layer_forward(&out, layer, bad), SINABS_ERR_SHAPE);
  sinabs_tensor_free(bad);
  bad = tensor_of(rank1, 1, NULL);
  CHECK_FAILS(sinabs_layer_forward(&out, layer, bad), SINABS_ERR_SHAPE);
  sinabs_tensor_free(bad);

  /* Weight of the wrong shape or not finite: refused, weight unchanged. */
  int64_t wrong[2] = {3, 3};
  sinabs_tensor *w3 = tensor_of(wrong, 2, NULL);
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "rec_connect.weight", w3), SINABS_ERR_SHAPE);
  data_of(wvalue)[0] = NAN;
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "rec_connect.weight", wvalue), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(data_of(w)[0] == 0.0f && data_of(w)[2] == 2.0f);
  sinabs_tensor_free(w3);
  sinabs_tensor_free(wvalue);
  sinabs_tensor_free(w);
  sinabs_tensor_free(input);
  sinabs_layer_free(layer);
}

/* Wrong rank, output of the wrong size or sharing the input's memory: errors,
 * and neither the state nor the output is touched. */
static void test_forward_errors(void) {
  sinabs_layer *iaf = neuron_layer(SINABS_NEURON_IAF, NULL);
  int64_t shape[3] = {1, 2, 2};
  const float x[4] = {0.5f, 0.5f, 0.5f, 0.5f};
  sinabs_tensor *input = tensor_of(shape, 3, x), *out = NULL;
  CHECK_OK(sinabs_layer_forward(&out, iaf, input));
  sinabs_tensor_free(out);
  CHECK(state_at(iaf, "v_mem", 0) == 0.0f); /* 0.5 + 0.5 spiked and reset */

  sinabs_tensor *set = NULL;
  int64_t sshape[2] = {1, 2};
  const float v[2] = {0.25f, 0.75f};
  set = tensor_of(sshape, 2, v);
  CHECK_OK(sinabs_layer_set_state(iaf, "v_mem", set));
  sinabs_tensor_free(set);

  int64_t r1[1] = {4};
  sinabs_tensor *rank1 = tensor_of(r1, 1, NULL);
  out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&out, iaf, rank1), SINABS_ERR_SHAPE);
  CHECK(out == NULL);
  CHECK(strstr(sinabs_last_error(), "rank") != NULL);
  sinabs_tensor *scalar = tensor_of(NULL, 0, NULL);
  CHECK_FAILS(sinabs_layer_forward(&out, iaf, scalar), SINABS_ERR_SHAPE);

  int64_t five[1] = {5};
  sinabs_tensor *small = tensor_of(five, 1, NULL);
  data_of(small)[0] = 9.0f;
  CHECK_FAILS(sinabs_layer_forward_into(small, iaf, input), SINABS_ERR_SHAPE);
  CHECK(data_of(small)[0] == 9.0f);
  CHECK_FAILS(sinabs_layer_forward_into(input, iaf, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "share") != NULL);
  int64_t flat[1] = {4};
  sinabs_tensor *view = NULL;
  CHECK_OK(sinabs_tensor_reshape(&view, input, flat, 1));
  CHECK_FAILS(sinabs_layer_forward_into(view, iaf, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(data_of(input)[0] == 0.5f);
  /* Wrapping the input's memory a second time is the caller's aliasing: we
   * only promise to catch shared tensor storage. Not tested. */
  CHECK_FAILS(sinabs_layer_forward_into(NULL, iaf, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_forward_into(small, iaf, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_forward_into(small, NULL, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_forward(NULL, iaf, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_forward(&out, NULL, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_forward(&out, iaf, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  /* None of this touched the state. */
  CHECK(state_at(iaf, "v_mem", 0) == 0.25f && state_at(iaf, "v_mem", 1) == 0.75f);

  sinabs_tensor_free(view);
  sinabs_tensor_free(small);
  sinabs_tensor_free(scalar);
  sinabs_tensor_free(rank1);
  sinabs_tensor_free(input);
  sinabs_layer_free(iaf);
}

static void with_syn(sinabs_neuron_options *o) { o->tau_syn = 5.0f; }

/* State names per model; get/set/reset and their bad inputs. */
static void test_states(void) {
  sinabs_layer *lif = neuron_layer(SINABS_NEURON_LIF, with_syn);
  sinabs_layer *alif = neuron_layer(SINABS_NEURON_ALIF, NULL);
  int32_t n = 0;
  CHECK_OK(sinabs_layer_state_count(&n, lif));
  CHECK(n == 2);
  const char *name = NULL;
  CHECK_OK(sinabs_layer_state_name(&name, lif, 0));
  CHECK(name && strcmp(name, "v_mem") == 0);
  CHECK_OK(sinabs_layer_state_name(&name, lif, 1));
  CHECK(name && strcmp(name, "i_syn") == 0);
  CHECK_OK(sinabs_layer_state_count(&n, alif));
  CHECK(n == 3 || n == 4);
  const char *last = NULL;
  CHECK_OK(sinabs_layer_state_name(&last, alif, n - 1));
  CHECK(last && strcmp(last, "spike_threshold") == 0);

  name = "untouched";
  CHECK_FAILS(sinabs_layer_state_name(&name, lif, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_state_name(&name, lif, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(name, "untouched") == 0);
  CHECK_FAILS(sinabs_layer_state_name(NULL, lif, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_state_name(&name, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_state_count(NULL, lif), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_state_count(&n, NULL), SINABS_ERR_INVALID_ARGUMENT);

  /* set_state before any forward initialises every state from the shape. */
  int64_t shape[2] = {2, 3};
  const float v[6] = {1, 2, 3, 4, 5, 6};
  sinabs_tensor *value = tensor_of(shape, 2, v);
  CHECK_OK(sinabs_layer_set_state(lif, "i_syn", value));
  CHECK(state_at(lif, "i_syn", 5) == 6.0f && state_at(lif, "v_mem", 5) == 0.0f);
  /* get_state shares storage: a write through it changes the layer. */
  sinabs_tensor *view = NULL;
  CHECK_OK(sinabs_layer_get_state(&view, lif, "v_mem"));
  data_of(view)[0] = 7.0f;
  CHECK(state_at(lif, "v_mem", 0) == 7.0f);

  /* Wrong shape: SHAPE, nothing changes. */
  int64_t wrong[2] = {3, 2};
  sinabs_tensor *bad = tensor_of(wrong, 2, NULL);
  CHECK_FAILS(sinabs_layer_set_state(lif, "v_mem", bad), SINABS_ERR_SHAPE);
  CHECK(state_at(lif, "v_mem", 0) == 7.0f && state_at(lif, "i_syn", 0) == 1.0f);
  sinabs_tensor *tmp = NULL;
  CHECK_OK(sinabs_layer_get_state(&tmp, lif, "v_mem"));
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, tmp));
  CHECK(rank == 2 && dims[0] == 2 && dims[1] == 3);
  sinabs_tensor_free(tmp);
  CHECK_FAILS(sinabs_layer_set_state(lif, "b", value), SINABS_ERR_NOT_FOUND);
  CHECK(strstr(sinabs_last_error(), "b") != NULL);
  CHECK_FAILS(sinabs_layer_set_state(lif, NULL, value), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_state(lif, "v_mem", NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_state(NULL, "v_mem", value), SINABS_ERR_INVALID_ARGUMENT);
  /* A rank-0 value cannot initialise states (no batch dimension). */
  sinabs_layer *fresh = neuron_layer(SINABS_NEURON_IAF, NULL);
  sinabs_tensor *scalar = tensor_of(NULL, 0, NULL);
  CHECK_FAILS(sinabs_layer_set_state(fresh, "v_mem", scalar), SINABS_ERR_SHAPE);
  CHECK(isnan(state_at(fresh, "v_mem", 0))); /* still shape (0) */

  sinabs_tensor *got = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_get_state(&got, lif, "nope"), SINABS_ERR_NOT_FOUND);
  CHECK(got == NULL);
  CHECK_FAILS(sinabs_layer_get_state(&got, lif, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_state(&got, NULL, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_state(NULL, lif, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(got == NULL);

  /* reset: zeros; randomize with a seed is reproducible and honours ranges. */
  CHECK_OK(sinabs_layer_reset_states(lif, 0, NULL, NULL, NULL, 0, 0));
  CHECK(state_at(lif, "v_mem", 0) == 0.0f && state_at(lif, "i_syn", 5) == 0.0f);
  const char *names[1] = {"i_syn"};
  const float lows[1] = {-3.0f}, highs[1] = {-2.0f};
  CHECK_OK(sinabs_layer_reset_states(lif, 1, names, lows, highs, 1, 42));
  float first = state_at(lif, "v_mem", 4);
  int in_range = 1;
  for (int i = 0; i < 6; i++) {
    float s = state_at(lif, "i_syn", i), m = state_at(lif, "v_mem", i);
    in_range &= s >= -3.0f && s < -2.0f + 1e-6f && m >= 0.0f && m < 1.0f;
  }
  CHECK(in_range);
  CHECK_OK(sinabs_layer_reset_states(lif, 1, names, lows, highs, 1, 42));
  CHECK(state_at(lif, "v_mem", 4) == first);

  const char *unknown[1] = {"b"};
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, unknown, lows, highs, 1, 0), SINABS_ERR_NOT_FOUND);
  CHECK(state_at(lif, "v_mem", 4) == first); /* unchanged */
  const float reversed_lo[1] = {1.0f}, reversed_hi[1] = {0.0f}, nan_hi[1] = {NAN};
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, names, reversed_lo, reversed_hi, 1, 0),
              SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, names, lows, nan_hi, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  /* Finite ends whose width overflows would fill NaN and inf. */
  const float huge_lo[1] = {-3e38f}, huge_hi[1] = {3e38f};
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, names, huge_lo, huge_hi, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  const char *null_name[1] = {NULL};
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, null_name, lows, highs, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, NULL, lows, highs, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, names, NULL, highs, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_reset_states(lif, 1, names, lows, highs, -1, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_reset_states(NULL, 0, NULL, NULL, NULL, 0, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(state_at(lif, "v_mem", 4) == first);

  sinabs_tensor_free(scalar);
  sinabs_layer_free(fresh);
  sinabs_tensor_free(bad);
  sinabs_tensor_free(view);
  sinabs_tensor_free(value);
  sinabs_layer_free(alif);
  sinabs_layer_free(lif);
}

static void test_recordings_and_rate(void) {
  sinabs_layer *plain = neuron_layer(SINABS_NEURON_IAF, NULL);
  int64_t shape[3] = {1, 2, 1};
  sinabs_tensor *x = tensor_of(shape, 3, NULL), *out = NULL, *rec = STALE(sinabs_tensor);
  CHECK_OK(sinabs_layer_forward(&out, plain, x));
  CHECK_OK(sinabs_layer_get_recording(&rec, plain, "v_mem"));
  CHECK(numel(rec) == 0); /* nothing recorded without record_states */
  sinabs_tensor_free(rec);
  rec = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_get_recording(&rec, plain, "i_syn"), SINABS_ERR_NOT_FOUND);
  CHECK(rec == NULL);
  CHECK_FAILS(sinabs_layer_get_recording(&rec, plain, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_recording(NULL, plain, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_recording(&rec, NULL, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
  float rate = -1;
  CHECK_OK(sinabs_layer_firing_rate(&rate, plain));
  CHECK(rate == 0.0f);
  CHECK_FAILS(sinabs_layer_firing_rate(NULL, plain), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_firing_rate(&rate, NULL), SINABS_ERR_INVALID_ARGUMENT);

  /* A linear layer has no recordings or firing rate. */
  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 2, 2, 0));
  CHECK_FAILS(sinabs_layer_get_recording(&rec, linear, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_firing_rate(&rate, linear), SINABS_ERR_INVALID_ARGUMENT);
  int32_t n = -1;
  CHECK_OK(sinabs_layer_state_count(&n, linear));
  CHECK(n == 0);
  CHECK_FAILS(sinabs_layer_get_state(&rec, linear, "v_mem"), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_layer_set_state(linear, "v_mem", x), SINABS_ERR_NOT_FOUND);
  CHECK_OK(sinabs_layer_reset_states(linear, 0, NULL, NULL, NULL, 0, 0));
  sinabs_layer_free(linear);
  sinabs_tensor_free(out);
  sinabs_tensor_free(x);
  sinabs_layer_free(plain);
}

static void train_alphas(sinabs_neuron_options *o) { o->train_alphas = 1; }

/* Parameter names, scalar values, validation on set. */
static void test_parameters(void) {
  sinabs_layer *lif = neuron_layer(SINABS_NEURON_LIF, NULL);
  int32_t n = 0;
  CHECK_OK(sinabs_layer_parameter_count(&n, lif));
  CHECK(n == 2);
  const char *name = NULL;
  CHECK_OK(sinabs_layer_parameter_name(&name, lif, 0));
  CHECK(name && strcmp(name, "tau_mem") == 0);
  CHECK_OK(sinabs_layer_parameter_name(&name, lif, 1));
  CHECK(name && strcmp(name, "spike_threshold") == 0);
  name = "untouched";
  CHECK_FAILS(sinabs_layer_parameter_name(&name, lif, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_parameter_name(&name, lif, INT32_MIN), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(name, "untouched") == 0);
  CHECK_FAILS(sinabs_layer_parameter_name(NULL, lif, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_parameter_name(&name, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_parameter_count(NULL, lif), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_parameter_count(&n, NULL), SINABS_ERR_INVALID_ARGUMENT);

  sinabs_tensor *tau = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&tau, lif, "tau_mem"));
  int32_t rank = -1;
  CHECK_OK(sinabs_tensor_rank(&rank, tau));
  CHECK(rank == 0 && data_of(tau)[0] == 10.0f);

  const float twenty = 20.0f, zero = 0.0f, nan_value = NAN, half = 0.5f;
  sinabs_tensor *value = tensor_of(NULL, 0, &twenty);
  CHECK_OK(sinabs_layer_set_parameter(lif, "tau_mem", value));
  CHECK(data_of(tau)[0] == 20.0f);
  sinabs_tensor *bad = tensor_of(NULL, 0, &zero);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, "tau_mem", bad), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, "spike_threshold", bad), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor *nan_t = tensor_of(NULL, 0, &nan_value);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, "tau_mem", nan_t), SINABS_ERR_INVALID_ARGUMENT);
  int64_t none[1] = {0};  /* time constants take any broadcasting shape, not an empty one */
  sinabs_tensor *vector = tensor_of(none, 1, NULL);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, "tau_mem", vector), SINABS_ERR_SHAPE);
  CHECK(data_of(tau)[0] == 20.0f);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, "tau_syn", value), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, NULL, value), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(lif, "tau_mem", NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(NULL, "tau_mem", value), SINABS_ERR_INVALID_ARGUMENT);

  sinabs_tensor *got = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_get_parameter(&got, lif, "alpha_mem"), SINABS_ERR_NOT_FOUND);
  CHECK(got == NULL);
  CHECK_FAILS(sinabs_layer_get_parameter(&got, lif, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_parameter(&got, NULL, "tau_mem"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_parameter(NULL, lif, "tau_mem"), SINABS_ERR_INVALID_ARGUMENT);

  /* train_alphas: alpha_mem = exp(-1/tau); 0, > 1 and NaN are refused. */
  sinabs_layer *alphas = neuron_layer(SINABS_NEURON_LIF, train_alphas);
  CHECK_OK(sinabs_layer_get_parameter(&got, alphas, "alpha_mem"));
  CHECK_NEAR(data_of(got)[0], exp(-0.1), 1e-6);
  const float above_one = 1.5f;
  sinabs_tensor *alpha_one = tensor_of(NULL, 0, &above_one);
  CHECK_FAILS(sinabs_layer_set_parameter(alphas, "alpha_mem", alpha_one), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(alphas, "alpha_mem", bad), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(alphas, "alpha_mem", nan_t), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_NEAR(data_of(got)[0], exp(-0.1), 1e-6);
  sinabs_tensor *alpha_half = tensor_of(NULL, 0, &half);
  CHECK_OK(sinabs_layer_set_parameter(alphas, "alpha_mem", alpha_half));
  CHECK(data_of(got)[0] == 0.5f);

  sinabs_tensor_free(alpha_half);
  sinabs_tensor_free(alpha_one);
  sinabs_tensor_free(got);
  sinabs_layer_free(alphas);
  sinabs_tensor_free(vector);
  sinabs_tensor_free(nan_t);
  sinabs_tensor_free(bad);
  sinabs_tensor_free(value);
  sinabs_tensor_free(tau);
  sinabs_layer_free(lif);
}

/* y = x W^T + b over the last dimension. */
static void test_linear(void) {
  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 3, 2, 1));
  int32_t n = 0;
  CHECK_OK(sinabs_layer_parameter_count(&n, linear));
  CHECK(n == 2);
  const float w[6] = {1, 2, 3, 4, 5, 6}, b[2] = {0.5f, -1.0f};
  int64_t wshape[2] = {2, 3}, bshape[1] = {2};
  sinabs_tensor *wt = tensor_of(wshape, 2, w), *bt = tensor_of(bshape, 1, b);
  CHECK_OK(sinabs_layer_set_parameter(linear, "weight", wt));
  CHECK_OK(sinabs_layer_set_parameter(linear, "bias", bt));
  CHECK_FAILS(sinabs_layer_set_parameter(linear, "weight", bt), SINABS_ERR_SHAPE);
  int64_t xshape[3] = {2, 1, 3};
  const float x[6] = {1, 0, 0, 1, 1, 1};
  sinabs_tensor *input = tensor_of(xshape, 3, x), *out = NULL;
  CHECK_OK(sinabs_layer_forward(&out, linear, input));
  float *y = data_of(out);
  CHECK(y[0] == 1.5f && y[1] == 3.0f && y[2] == 6.5f && y[3] == 14.0f);
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, out));
  CHECK(rank == 3 && dims[2] == 2);

  /* The last dimension must be in_features; rank 0 has none. */
  sinabs_tensor *bad_out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&bad_out, linear, bt), SINABS_ERR_SHAPE);
  CHECK(bad_out == NULL);
  sinabs_tensor *scalar = tensor_of(NULL, 0, NULL);
  CHECK_FAILS(sinabs_layer_forward(&bad_out, linear, scalar), SINABS_ERR_SHAPE);
  int64_t two[1] = {2};
  sinabs_tensor *small = tensor_of(two, 1, NULL);
  CHECK_FAILS(sinabs_layer_forward_into(small, linear, input), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_layer_forward_into(input, linear, input), SINABS_ERR_SHAPE);
  sinabs_tensor_free(small);
  sinabs_tensor_free(scalar);
  sinabs_layer *nobias = NULL;
  CHECK_OK(sinabs_linear_layer_create(&nobias, 2, 1, 0));
  sinabs_tensor *got = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_get_parameter(&got, nobias, "bias"), SINABS_ERR_NOT_FOUND);
  CHECK(got == NULL);

  sinabs_layer *bad = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_linear_layer_create(&bad, 0, 2, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  CHECK_FAILS(sinabs_linear_layer_create(&bad, 2, -1, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_linear_layer_create(&bad, INT64_MAX, 2, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_linear_layer_create(NULL, 2, 2, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(bad == NULL);

  sinabs_layer_free(nobias);
  sinabs_tensor_free(out);
  sinabs_tensor_free(input);
  sinabs_tensor_free(bt);
  sinabs_tensor_free(wt);
  sinabs_layer_free(linear);
}

/* A tensor or a model handle where a layer is expected (and a layer where a
 * tensor is): INVALID_ARGUMENT naming the expected kind, never a crash. */
static void test_wrong_kind(void) {
  sinabs_layer *iaf = neuron_layer(SINABS_NEURON_IAF, NULL);
  int64_t shape[3] = {1, 1, 1};
  sinabs_tensor *x = tensor_of(shape, 3, NULL);
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  sinabs_layer *not_layers[2] = {(sinabs_layer *)x, (sinabs_layer *)model};
  const char *names[1] = {"v_mem"};
  const float lo[1] = {0}, hi[1] = {1};
  for (int i = 0; i < 2; i++) {
    sinabs_layer *bad = not_layers[i];
    sinabs_tensor *out = STALE(sinabs_tensor);
    CHECK_FAILS(sinabs_layer_forward(&out, bad, x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK(strstr(sinabs_last_error(), "sinabs_layer") != NULL);
    CHECK_FAILS(sinabs_layer_forward_into(x, bad, x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_reset_states(bad, 1, names, lo, hi, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
    int32_t n = 0;
    const char *name = NULL;
    float rate = 0;
    CHECK_FAILS(sinabs_layer_state_count(&n, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_state_name(&name, bad, 0), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_get_state(&out, bad, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_FAILS(sinabs_layer_set_state(bad, "v_mem", x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_get_recording(&out, bad, "v_mem"), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_firing_rate(&rate, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_parameter_count(&n, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_parameter_name(&name, bad, 0), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_get_parameter(&out, bad, "spike_threshold"), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_set_parameter(bad, "spike_threshold", x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_set_training(bad, 1), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_backward(&out, bad, x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_get_grad(&out, bad, "spike_threshold"), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_layer_zero_grad(bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
  }
  /* A layer where a tensor is expected. */
  sinabs_tensor *as_tensor = (sinabs_tensor *)iaf, *out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&out, iaf, as_tensor), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK(strstr(sinabs_last_error(), "sinabs_tensor") != NULL);
  CHECK_FAILS(sinabs_layer_forward_into(as_tensor, iaf, x), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_state(iaf, "v_mem", as_tensor), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(iaf, "spike_threshold", as_tensor), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward(&out, iaf, as_tensor), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_model_free(model);
  sinabs_tensor_free(x);
  sinabs_layer_free(iaf);
}

/* Backward needs a training forward first; names it does not know. */
static void test_training_entry_points(void) {
  sinabs_layer *iaf = neuron_layer(SINABS_NEURON_IAF, NULL);
  int64_t shape[3] = {1, 2, 1};
  sinabs_tensor *x = tensor_of(shape, 3, NULL), *out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_backward(&out, iaf, x), SINABS_ERR_STATE);
  CHECK(out == NULL);
  CHECK_OK(sinabs_layer_set_training(iaf, 0));
  CHECK_OK(sinabs_layer_forward(&out, iaf, x));
  sinabs_tensor_free(out);
  out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_backward(&out, iaf, x), SINABS_ERR_STATE); /* not a training forward */
  CHECK(out == NULL);
  CHECK_FAILS(sinabs_layer_backward(NULL, iaf, x), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward(&out, NULL, x), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward(&out, iaf, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_layer_set_training(iaf, 1));
  CHECK_FAILS(sinabs_layer_set_training(NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_layer_zero_grad(iaf));
  CHECK_FAILS(sinabs_layer_zero_grad(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_grad(&out, iaf, "no_such_parameter"), SINABS_ERR_NOT_FOUND);
  CHECK(out == NULL);
  CHECK_FAILS(sinabs_layer_get_grad(&out, iaf, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_grad(&out, NULL, "spike_threshold"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_grad(NULL, iaf, "spike_threshold"), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(x);
  sinabs_layer_free(iaf);
}

/* Every option combination: each state and parameter name the layer lists
 * is a real name (not a placeholder) that get_state / get_parameter accept,
 * and after a training forward + backward every parameter except the fixed
 * ones (spike_threshold, min_v_mem) has a gradient of its own shape. */
static void test_names_round_trip(void) {
  const int32_t models[4] = {SINABS_NEURON_IAF, SINABS_NEURON_LIF, SINABS_NEURON_EXPLEAK,
                             SINABS_NEURON_ALIF};
  int layers = 0, names_checked = 0;
  for (int m = 0; m < 4; m++)
    for (int recurrent = 0; recurrent < 2; recurrent++)
      for (int variant = 0; variant < 8; variant++) {
        if (recurrent && models[m] == SINABS_NEURON_EXPLEAK) continue;
        sinabs_neuron_options o;
        CHECK_OK(sinabs_neuron_options_init(&o, models[m]));
        o.train_alphas = variant & 1;
        if (variant & 2) o.tau_syn = 5.0f;
        if (variant & 4) o.min_v_mem = -1.0f;
        if (recurrent) {
          o.form = SINABS_FORM_RECURRENT;
          o.recurrent_features = 3;
        }
        sinabs_layer *layer = NULL;
        CHECK_OK(sinabs_neuron_layer_create(&layer, &o));
        if (!layer) continue;
        layers++;
        int64_t shape[3] = {2, 4, 3};
        float x[24];
        for (int i = 0; i < 24; i++) x[i] = 0.1f * (float)(i % 7);
        sinabs_tensor *input = tensor_of(shape, 3, x), *out = NULL, *grad_in = NULL;
        sinabs_tensor *ones = tensor_of(shape, 3, NULL);
        for (int i = 0; i < 24; i++) data_of(ones)[i] = 1.0f;
        if (recurrent && (variant & 1)) { /* with a recurrent bias too */
          int64_t bshape[1] = {3};
          const float bias[3] = {0.1f, 0.2f, 0.3f};
          sinabs_tensor *b = tensor_of(bshape, 1, bias);
          CHECK_OK(sinabs_layer_set_parameter(layer, "rec_connect.bias", b));
          sinabs_tensor_free(b);
        }
        CHECK_OK(sinabs_layer_set_training(layer, 1));
        CHECK_OK(sinabs_layer_forward(&out, layer, input));
        CHECK_OK(sinabs_layer_backward(&grad_in, layer, ones));

        int32_t count = 0;
        CHECK_OK(sinabs_layer_state_count(&count, layer));
        CHECK(count >= 1);
        for (int32_t i = 0; i < count; i++) {
          const char *name = NULL;
          sinabs_tensor *t = NULL;
          CHECK_OK(sinabs_layer_state_name(&name, layer, i));
          CHECK(name && strcmp(name, "?") != 0);
          CHECK_OK(sinabs_layer_get_state(&t, layer, name ? name : ""));
          CHECK(numel(t) == 6); /* (B, N) */
          sinabs_tensor_free(t);
          names_checked++;
        }
        CHECK_OK(sinabs_layer_parameter_count(&count, layer));
        for (int32_t i = 0; i < count; i++) {
          const char *name = NULL;
          sinabs_tensor *t = NULL, *g = NULL;
          CHECK_OK(sinabs_layer_parameter_name(&name, layer, i));
          CHECK(name && strcmp(name, "?") != 0);
          if (!name) continue;
          CHECK_OK(sinabs_layer_get_parameter(&t, layer, name));
          int fixed = strcmp(name, "spike_threshold") == 0 || strcmp(name, "min_v_mem") == 0;
          if (fixed) {
            CHECK_FAILS(sinabs_layer_get_grad(&g, layer, name), SINABS_ERR_NOT_FOUND);
          } else {
            CHECK_OK(sinabs_layer_get_grad(&g, layer, name));
            CHECK(g != NULL && numel(g) == numel(t));
          }
          sinabs_tensor_free(g);
          sinabs_tensor_free(t);
          names_checked++;
        }
        /* zero_grad empties every accumulator. */
        CHECK_OK(sinabs_layer_zero_grad(layer));
        for (int32_t i = 0; i < count; i++) {
          const char *name = NULL;
          sinabs_tensor *g = NULL;
          sinabs_layer_parameter_name(&name, layer, i);
          if (name && sinabs_layer_get_grad(&g, layer, name) == SINABS_OK) {
            int zero = 1;
            for (int64_t k = 0; k < numel(g); k++) zero &= data_of(g)[k] == 0.0f;
            CHECK(zero);
          }
          sinabs_tensor_free(g);
        }
        sinabs_tensor_free(grad_in);
        sinabs_tensor_free(ones);
        sinabs_tensor_free(out);
        sinabs_tensor_free(input);
        sinabs_layer_free(layer);
      }
  CHECK(layers == 56);
  CHECK(names_checked > 100);
}

int main(void) {
  test_iaf_forward();
  test_squeeze();
  test_recurrent();
  test_forward_errors();
  test_states();
  test_recordings_and_rate();
  test_parameters();
  test_linear();
  test_wrong_kind();
  test_training_entry_points();
  test_names_round_trip();
  DONE();
}
