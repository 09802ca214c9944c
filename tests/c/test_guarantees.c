/* What a hostile caller must not be able to do: free a handle through the
 * wrong kind's _free, write a layer's output over memory it reads or keeps
 * (found by address, so separate wraps of one buffer count), pass a
 * struct_size that cuts a field, smuggle an invalid parameter in through the
 * tensor of sinabs_layer_get_parameter, or run a layer in two calls at once
 * (shown deterministically: a release callback that runs inside a forward
 * calls back into the busy layer and its model). */
#include <stddef.h>
#include "check.h"

static sinabs_layer *neuron(int32_t model, float tau_mem) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  if (sinabs_neuron_options_init(&o, model) != SINABS_OK) exit(2);
  o.tau_mem = tau_mem;
  if (sinabs_neuron_layer_create(&layer, &o) != SINABS_OK) exit(2);
  return layer;
}

static sinabs_tensor *wrap(float *data, const int64_t *shape, int32_t rank) {
  sinabs_tensor *t = NULL;
  if (sinabs_tensor_wrap(&t, shape, rank, data, NULL, NULL) != SINABS_OK) exit(2);
  return t;
}

/* A _free of another kind must do nothing (and say so): the handle works on. */
static void test_wrong_kind_free(void) {
  sinabs_layer *layer = neuron(SINABS_NEURON_IAF, 10);
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  int64_t shape[3] = {1, 2, 3};
  sinabs_tensor *x = tensor_of(shape, 3, NULL);

  CHECK_FAILS((sinabs_tensor_free((sinabs_tensor *)layer), SINABS_OK), SINABS_OK);
  CHECK(strstr(sinabs_last_error(), "not a sinabs_tensor") != NULL);
  CHECK_FAILS((sinabs_tensor_free((sinabs_tensor *)model), SINABS_OK), SINABS_OK);
  CHECK_FAILS((sinabs_layer_free((sinabs_layer *)x), SINABS_OK), SINABS_OK);
  CHECK(strstr(sinabs_last_error(), "not a sinabs_layer") != NULL);
  CHECK_FAILS((sinabs_layer_free((sinabs_layer *)model), SINABS_OK), SINABS_OK);
  CHECK_FAILS((sinabs_model_free((sinabs_model *)layer), SINABS_OK), SINABS_OK);
  CHECK_FAILS((sinabs_model_free((sinabs_model *)x), SINABS_OK), SINABS_OK);
  CHECK(strstr(sinabs_last_error(), "not a sinabs_model") != NULL);

  /* Everything is still alive and usable. */
  sinabs_tensor *y = NULL;
  CHECK_OK(sinabs_layer_forward(&y, layer, x));
  CHECK_OK(sinabs_model_append(model, layer));
  sinabs_tensor_free(y);
  y = NULL;
  CHECK_OK(sinabs_model_forward(&y, model, x));
  int64_t n = 0;
  CHECK_OK(sinabs_tensor_numel(&n, x));
  CHECK(n == 6);
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
  sinabs_layer_free(layer);
  sinabs_model_free(model);
}

/* Overlap is found by address: two wraps of one buffer are distinct storages. */
static void test_overlap_by_address(void) {
  /* Linear 4 -> 4 reversing its input; output wrapped over the input's memory. */
  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 4, 4, 0));
  sinabs_tensor *w = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&w, linear, "weight"));
  float *wd = data_of(w);
  for (int i = 0; i < 16; i++) wd[i] = 0;
  for (int i = 0; i < 4; i++) wd[i * 4 + (3 - i)] = 1;
  float buffer[8] = {1, 2, 3, 4, 0, 0, 0, 0};
  int64_t row[2] = {1, 4};
  sinabs_tensor *in = wrap(buffer, row, 2), *same = wrap(buffer, row, 2);
  sinabs_tensor *shifted = wrap(buffer + 2, row, 2), *after = wrap(buffer + 4, row, 2);
  CHECK_FAILS(sinabs_layer_forward_into(same, linear, in), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "input") != NULL);
  CHECK_FAILS(sinabs_layer_forward_into(shifted, linear, in), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(buffer[0] == 1 && buffer[3] == 4); /* nothing written */
  /* Adjacent memory does not overlap: the right numbers. */
  CHECK_OK(sinabs_layer_forward_into(after, linear, in));
  CHECK(buffer[4] == 4 && buffer[5] == 3 && buffer[6] == 2 && buffer[7] == 1);
  /* Nor may the output be the layer's own weight. */
  int64_t flat[2] = {4, 4};
  sinabs_tensor *x16 = tensor_of(flat, 2, NULL);
  CHECK_FAILS(sinabs_layer_forward_into(w, linear, x16), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(wd[3] == 1);
  sinabs_tensor_free(x16);

  /* IAF whose output starts one element after its input. */
  sinabs_layer *iaf = neuron(SINABS_NEURON_IAF, 10);
  float spikes[9] = {2, 2, 2, 2, 2, 2, 2, 2, 0};
  int64_t seq[3] = {1, 8, 1};
  sinabs_tensor *x = wrap(spikes, seq, 3), *y = wrap(spikes + 1, seq, 3);
  CHECK_FAILS(sinabs_layer_forward_into(y, iaf, x), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(spikes[8] == 0);
  sinabs_tensor_free(x);
  sinabs_tensor_free(y);

  /* Nor over its states, parameters or tape. (1, 1, 4): states are (1, 4). */
  int64_t one_step[3] = {1, 1, 4};
  float ones[4] = {0.5f, 0.5f, 0.5f, 0.5f};
  sinabs_tensor *step = tensor_of(one_step, 3, ones), *out = NULL;
  CHECK_OK(sinabs_layer_set_training(iaf, 1));
  CHECK_OK(sinabs_layer_forward(&out, iaf, step));
  sinabs_tensor *v = NULL, *threshold = NULL;
  CHECK_OK(sinabs_layer_get_state(&v, iaf, "v_mem"));
  CHECK_FAILS(sinabs_layer_forward_into(v, iaf, step), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "v_mem") != NULL);
  CHECK(data_of(v)[0] == 0.5f); /* the state is untouched */
  int64_t scalar_step[3] = {1, 1, 1};
  sinabs_tensor *one = tensor_of(scalar_step, 3, ones);
  CHECK_OK(sinabs_layer_get_parameter(&threshold, iaf, "spike_threshold"));
  CHECK_FAILS(sinabs_layer_forward_into(threshold, iaf, one), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(data_of(threshold)[0] == 1.0f);
  /* The last training input is kept for backward: no writing over it. */
  sinabs_tensor *other = tensor_of(one_step, 3, ones);
  CHECK_FAILS(sinabs_layer_forward_into(step, iaf, other), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "tape") != NULL);
  sinabs_tensor *g = NULL;
  CHECK_OK(sinabs_layer_backward(&g, iaf, out)); /* the tape survived */

  sinabs_tensor_free(g);
  sinabs_tensor_free(other);
  sinabs_tensor_free(one);
  sinabs_tensor_free(threshold);
  sinabs_tensor_free(v);
  sinabs_tensor_free(out);
  sinabs_tensor_free(step);
  sinabs_layer_free(iaf);
  sinabs_tensor_free(in);
  sinabs_tensor_free(same);
  sinabs_tensor_free(shifted);
  sinabs_tensor_free(after);
  sinabs_tensor_free(w);
  sinabs_layer_free(linear);
}

/* struct_size may drop whole fields (an older caller), never cut one. */
static void test_struct_size_cuts(void) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_options_init(&o, SINABS_NEURON_LIF));
  o.struct_size = (uint32_t)(offsetof(sinabs_neuron_options, tau_mem) + 2);
  CHECK_FAILS(sinabs_neuron_layer_create(&layer, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "tau_mem") != NULL);
  CHECK(layer == NULL);
  o.struct_size = (uint32_t)(offsetof(sinabs_neuron_options, batch_size) + 4);
  CHECK_FAILS(sinabs_neuron_layer_create(&layer, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "batch_size") != NULL);
  o.struct_size = (uint32_t)offsetof(sinabs_neuron_options, tau_syn); /* ends after tau_mem */
  CHECK_OK(sinabs_neuron_layer_create(&layer, &o));
  sinabs_layer_free(layer);
  o.struct_size = (uint32_t)sizeof o + 64; /* a newer caller: its extra tail is ignored */
  CHECK_OK(sinabs_neuron_layer_create(&layer, &o));
  sinabs_layer_free(layer);
}

/* A parameter written through its tensor is validated when forward uses it. */
static void test_parameter_written_through_tensor(void) {
  sinabs_layer *lif = neuron(SINABS_NEURON_LIF, 10);
  int64_t shape[3] = {1, 3, 2};
  float values[6] = {1, 2, 3, 1, 2, 3};
  sinabs_tensor *x = tensor_of(shape, 3, values), *y = NULL, *tau = NULL, *v = NULL;
  CHECK_OK(sinabs_layer_forward(&y, lif, x));
  sinabs_tensor_free(y);
  y = NULL;
  CHECK_OK(sinabs_layer_get_state(&v, lif, "v_mem"));
  float v0 = data_of(v)[0];
  CHECK_OK(sinabs_layer_get_parameter(&tau, lif, "tau_mem"));
  const float bad[3] = {-5.0f, NAN, 0.0f};
  for (int i = 0; i < 3; i++) {
    data_of(tau)[0] = bad[i];
    CHECK_FAILS(sinabs_layer_forward(&y, lif, x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(strstr(sinabs_last_error(), "tau_mem") != NULL);
    CHECK(y == NULL && data_of(v)[0] == v0);
  }
  data_of(tau)[0] = 10.0f;
  CHECK_OK(sinabs_layer_forward(&y, lif, x));
  sinabs_tensor_free(y);
  sinabs_tensor_free(v);
  sinabs_tensor_free(tau);
  sinabs_tensor_free(x);
  sinabs_layer_free(lif);
}

/* A release callback runs inside the forward that drops the last reference
 * to a wrapped tensor (here: the training input the tape kept). It calls
 * back into the layer, which is busy then: STATE, never a second call on
 * the same layer. */
static sinabs_layer *reentered_layer;
static sinabs_model *reentered_model;
static sinabs_status reentry[3];
static int releases, busy_message;

static void call_back_in(void *context, float *data) {
  (void)context;
  (void)data;
  float rate = 0;
  sinabs_tensor *t = NULL;
  reentry[0] = sinabs_layer_firing_rate(&rate, reentered_layer);
  reentry[1] = sinabs_layer_get_state(&t, reentered_layer, "v_mem");
  busy_message = strstr(sinabs_last_error(), "busy") != NULL;
  sinabs_tensor_free(t);
  int64_t shape[3] = {1, 1, 2};
  sinabs_tensor *x = NULL, *y = NULL;
  sinabs_tensor_create(&x, shape, 3);
  reentry[2] = sinabs_model_forward(&y, reentered_model, x);
  sinabs_tensor_free(x);
  sinabs_tensor_free(y);
  releases++;
}

static void test_busy_layer_refuses_a_second_call(void) {
  sinabs_layer *lif = neuron(SINABS_NEURON_LIF, 10);
  sinabs_model *direct = NULL, *other = NULL;
  CHECK_OK(sinabs_model_create(&direct));
  CHECK_OK(sinabs_model_create(&other));
  CHECK_OK(sinabs_model_append(direct, lif));
  CHECK_OK(sinabs_model_append(other, lif)); /* one layer shared by two models */
  CHECK_OK(sinabs_layer_set_training(lif, 1));
  reentered_layer = lif;
  reentered_model = other;
  float data[2] = {0.5f, 0.5f};
  int64_t shape[3] = {1, 1, 2};
  for (int via_model = 0; via_model < 2; via_model++) {
    sinabs_tensor *first = NULL, *y = NULL;
    CHECK_OK(sinabs_tensor_wrap(&first, shape, 3, data, call_back_in, NULL));
    CHECK_OK(sinabs_layer_forward(&y, lif, first));
    sinabs_tensor_free(y);
    sinabs_tensor_free(first); /* the tape holds the last reference */
    CHECK(releases == via_model);
    sinabs_tensor *second = tensor_of(shape, 3, data);
    y = NULL;
    /* This forward replaces the tape's input: the callback runs inside it. */
    CHECK_OK(via_model ? sinabs_model_forward(&y, direct, second) : sinabs_layer_forward(&y, lif, second));
    CHECK(releases == via_model + 1);
    CHECK(reentry[0] == SINABS_ERR_STATE && reentry[1] == SINABS_ERR_STATE && reentry[2] == SINABS_ERR_STATE);
    sinabs_tensor_free(y);
    sinabs_tensor_free(second);
  }
  float rate = 0;
  CHECK_OK(sinabs_layer_firing_rate(&rate, lif)); /* free again after the calls */
  CHECK(busy_message);
  sinabs_model_free(direct);
  sinabs_model_free(other);
  sinabs_layer_free(lif);
}

/* As sinabs_layer_set_training says: a forward with training off leaves the
 * last training forward's tape in place (Linear dropped it). */
static void test_inference_forward_keeps_the_linear_tape(void) {
  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 3, 2, 1));
  int64_t shape[2] = {4, 3};
  sinabs_tensor *x = tensor_of(shape, 2, NULL), *y = NULL, *z = NULL, *g = NULL, *again = NULL;
  CHECK_OK(sinabs_layer_set_training(linear, 1));
  CHECK_OK(sinabs_layer_forward(&y, linear, x));
  CHECK_OK(sinabs_layer_set_training(linear, 0));
  CHECK_OK(sinabs_layer_forward(&z, linear, x));
  CHECK_OK(sinabs_layer_backward(&g, linear, y));
  CHECK_FAILS(sinabs_layer_backward(&again, linear, y), SINABS_ERR_STATE); /* one per forward */
  sinabs_tensor_free(g);
  sinabs_tensor_free(z);
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
  sinabs_layer_free(linear);
}

/* NaN in the input reaches the surrogate's exp as NaN: defined behaviour
 * (no float->int conversion of NaN; UBSan in make test-asan checks it), and
 * the other neurons' gradients stay finite. Every surrogate. */
static void test_nan_through_the_surrogates(void) {
  for (int32_t surrogate = 0; surrogate <= SINABS_SURROGATE_PERIODIC_EXPONENTIAL; surrogate++) {
    sinabs_neuron_options o;
    sinabs_layer *lif = NULL;
    CHECK_OK(sinabs_neuron_options_init(&o, SINABS_NEURON_LIF));
    o.surrogate_fn = surrogate;
    CHECK_OK(sinabs_neuron_layer_create(&lif, &o));
    CHECK_OK(sinabs_layer_set_training(lif, 1));
    int64_t shape[3] = {1, 4, 3};
    float values[12] = {1, 2, NAN, 3, 1, 0, 2, 2, 1, 0.5f, 4, 1};
    sinabs_tensor *x = tensor_of(shape, 3, values), *y = NULL, *g = NULL;
    CHECK_OK(sinabs_layer_forward(&y, lif, x));
    float *yd = data_of(y);
    for (int i = 0; i < 12; i++) yd[i] = 1.0f; /* grad_output: ones */
    CHECK_OK(sinabs_layer_backward(&g, lif, y));
    if (g) CHECK(isfinite(data_of(g)[0]) && isfinite(data_of(g)[1])); /* the other neurons */
    sinabs_tensor_free(g);
    sinabs_tensor_free(y);
    sinabs_tensor_free(x);
    sinabs_layer_free(lif);
  }
}

int main(void) {
  test_wrong_kind_free();
  test_nan_through_the_surrogates();
  test_inference_forward_keeps_the_linear_tape();
  test_overlap_by_address();
  test_struct_size_cuts();
  test_parameter_written_through_tensor();
  test_busy_layer_refuses_a_second_call();
  DONE();
}
