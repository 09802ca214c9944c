/* Tapes through the C ABI: two training forwards of a LIF layer with their
 * tapes taken, backward through the second with d(final v_mem) and then
 * through the first with the d(initial states) that came out, equals one
 * call over the concatenated time (input gradient and d tau_mem); and every
 * tape entry point refuses bad input with the documented status, leaving
 * the tape usable. */
#include "check.h"

enum { B = 2, T = 6, N = 3 };

static int close_enough(float got, float want) {
  return fabsf(got - want) <= 1e-5f + 1e-4f * fabsf(want);
}

static sinabs_layer *lif(void) {
  sinabs_neuron_options options;
  CHECK_OK(sinabs_neuron_options_init(&options, SINABS_NEURON_LIF));
  options.tau_mem = 5.0f;
  options.tau_syn = 3.0f;
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &options));
  CHECK_OK(sinabs_layer_set_training(layer, 1));
  return layer;
}

/* (B, steps, N) rows [from, from + steps) of a (B, T, N) array. */
static sinabs_tensor *time_slice(const float *all, int from, int steps) {
  float part[B * T * N];
  for (int b = 0; b < B; b++)
    memcpy(part + b * steps * N, all + (b * T + from) * N, sizeof(float) * steps * N);
  const int64_t shape[3] = {B, steps, N};
  return tensor_of(shape, 3, part);
}

static float grad_of(sinabs_layer *layer, const char *name) {
  sinabs_tensor *g = NULL;
  CHECK_OK(sinabs_layer_get_grad(&g, layer, name));
  float value = g ? data_of(g)[0] : NAN;
  sinabs_tensor_free(g);
  return value;
}

static void test_two_calls_equal_one(void) {
  float x[B * T * N], dy[B * T * N], dv[B * N];
  for (int k = 0; k < B * T * N; k++) {
    x[k] = (float)((k * 37) % 23) / 7.0f;
    dy[k] = (float)((k * 11) % 13) / 6.0f - 1.0f;
  }
  for (int k = 0; k < B * N; k++) dv[k] = 0.5f - (float)k / 5.0f;
  const int64_t state_shape[2] = {B, N};
  sinabs_tensor *grad_v = tensor_of(state_shape, 2, dv);

  /* One call over all T steps, with d(final v_mem). */
  sinabs_layer *whole = lif();
  sinabs_tensor *xw = time_slice(x, 0, T), *dyw = time_slice(dy, 0, T), *y = NULL, *dxw = NULL;
  CHECK_OK(sinabs_layer_forward(&y, whole, xw));
  sinabs_tape *tape = NULL;
  CHECK_OK(sinabs_layer_take_tape(&tape, whole));
  const sinabs_tensor *finals[2] = {grad_v, NULL}; /* v_mem, i_syn */
  CHECK_OK(sinabs_tape_backward(&dxw, NULL, tape, dyw, finals, NULL, 2));
  sinabs_tape_free(tape);
  sinabs_tensor_free(y);

  /* The same with d(final v_mem) given as the gradient of the last recorded step. */
  sinabs_layer *recorded = lif();
  float drec[B * T * N] = {0};
  for (int b = 0; b < B; b++) memcpy(drec + (b * T + T - 1) * N, dv + b * N, sizeof(float) * N);
  const int64_t rec_shape[3] = {B, T, N};
  sinabs_tensor *grad_rec = tensor_of(rec_shape, 3, drec), *dxr = NULL;
  const sinabs_tensor *recs[2] = {grad_rec, NULL};
  CHECK_OK(sinabs_layer_forward(&y, recorded, xw));
  CHECK_OK(sinabs_layer_take_tape(&tape, recorded));
  CHECK_FAILS(sinabs_tape_backward(&dxr, NULL, tape, dyw, NULL, finals, 2), SINABS_ERR_SHAPE);
  CHECK_OK(sinabs_tape_backward(&dxr, NULL, tape, dyw, NULL, recs, 2));
  int rec_differ = 0;
  for (int k = 0; k < B * T * N; k++) rec_differ += !close_enough(data_of(dxr)[k], data_of(dxw)[k]);
  CHECK(rec_differ == 0);
  sinabs_tape_free(tape);
  sinabs_tensor_free(y);
  sinabs_tensor_free(dxr);
  sinabs_tensor_free(grad_rec);
  sinabs_layer_free(recorded);

  /* Two calls of 4 and 2 steps; backward through the second, then the first. */
  sinabs_layer *split = lif();
  sinabs_tensor *x1 = time_slice(x, 0, 4), *x2 = time_slice(x, 4, 2);
  sinabs_tensor *dy1 = time_slice(dy, 0, 4), *dy2 = time_slice(dy, 4, 2);
  sinabs_tensor *y1 = NULL, *y2 = NULL, *dx1 = NULL, *dx2 = NULL;
  sinabs_tape *first = NULL, *second = NULL;
  CHECK_OK(sinabs_layer_forward(&y1, split, x1));
  CHECK_OK(sinabs_layer_take_tape(&first, split));
  CHECK_FAILS(sinabs_layer_take_tape(&second, split), SINABS_ERR_STATE); /* taken already */
  CHECK(second == NULL);
  CHECK_OK(sinabs_layer_forward(&y2, split, x2));
  CHECK_OK(sinabs_layer_take_tape(&second, split));
  sinabs_tensor *middle[2] = {NULL, NULL};
  CHECK_OK(sinabs_tape_backward(&dx2, middle, second, dy2, finals, NULL, 2));
  CHECK(middle[0] != NULL && middle[1] != NULL);
  CHECK_OK(sinabs_tape_backward(&dx1, NULL, first, dy1, (const sinabs_tensor *const *)middle, NULL, 2));
  sinabs_tensor *again = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_tape_backward(&again, NULL, first, dy1, NULL, NULL, 0), SINABS_ERR_STATE); /* used */
  CHECK(again == NULL);

  const float *whole_dx = data_of(dxw);
  int differ = 0;
  for (int b = 0; b < B; b++) {
    for (int t = 0; t < T; t++) {
      const float *part = t < 4 ? data_of(dx1) + (b * 4 + t) * N : data_of(dx2) + (b * 2 + t - 4) * N;
      for (int n = 0; n < N; n++) differ += !close_enough(part[n], whole_dx[(b * T + t) * N + n]);
    }
  }
  CHECK(differ == 0);
  CHECK(close_enough(grad_of(split, "tau_mem"), grad_of(whole, "tau_mem")));
  CHECK(close_enough(grad_of(split, "tau_syn"), grad_of(whole, "tau_syn")));
  CHECK(grad_of(whole, "tau_mem") != 0.0f);

  sinabs_tensor *all[] = {grad_v, xw, dyw, dxw, x1, x2, dy1, dy2, y1, y2, dx1, dx2, middle[0], middle[1]};
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) sinabs_tensor_free(all[k]);
  sinabs_tape_free(first);
  sinabs_tape_free(second);
  sinabs_layer_free(whole);
  sinabs_layer_free(split);
}

static void test_bad_arguments(void) {
  sinabs_layer *layer = lif();
  const int64_t shape[3] = {1, 2, 3}, state[2] = {1, 3}, wrong[2] = {1, 4};
  sinabs_tensor *x = tensor_of(shape, 3, NULL), *y = NULL, *out = STALE(sinabs_tensor);
  sinabs_tensor *good_state = tensor_of(state, 2, NULL), *bad_state = tensor_of(wrong, 2, NULL);
  sinabs_tape *tape = STALE(sinabs_tape);
  CHECK_FAILS(sinabs_layer_take_tape(&tape, layer), SINABS_ERR_STATE); /* no forward yet */
  CHECK(tape == NULL);
  CHECK_FAILS(sinabs_layer_take_tape(NULL, layer), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_take_tape(&tape, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_take_tape(&tape, (sinabs_layer *)x), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 3, 3, 1));
  CHECK_FAILS(sinabs_layer_take_tape(&tape, linear), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer_free(linear);

  CHECK_OK(sinabs_layer_forward(&y, layer, x));
  CHECK_OK(sinabs_layer_take_tape(&tape, layer));
  CHECK_FAILS(sinabs_layer_backward(&out, layer, x), SINABS_ERR_STATE); /* the layer gave it away */
  const sinabs_tensor *bad[2] = {bad_state, NULL}, *good[2] = {good_state, NULL};
  sinabs_tensor *initial[2] = {STALE(sinabs_tensor), STALE(sinabs_tensor)};
  CHECK_FAILS(sinabs_tape_backward(&out, initial, tape, x, bad, NULL, 2), SINABS_ERR_SHAPE);
  CHECK(out == NULL && initial[0] == NULL && initial[1] == NULL);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, tape, x, good, NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, tape, x, good, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, tape, x, good, NULL, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, tape, good_state, NULL, NULL, 0), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, tape, NULL, NULL, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tape_backward(NULL, NULL, tape, x, NULL, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, NULL, x, NULL, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tape_backward(&out, NULL, (sinabs_tape *)layer, x, NULL, NULL, 0),
              SINABS_ERR_INVALID_ARGUMENT);
  /* After all that, the tape still works once. */
  CHECK_OK(sinabs_tape_backward(&out, initial, tape, x, good, NULL, 2));
  CHECK(initial[0] != NULL && initial[1] != NULL);
  sinabs_tensor_free(initial[0]);
  sinabs_tensor_free(initial[1]);
  sinabs_tensor_free(out);
  sinabs_tape_free(tape);
  sinabs_tape_free(NULL);
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
  sinabs_tensor_free(good_state);
  sinabs_tensor_free(bad_state);
  sinabs_layer_free(layer);
}

int main(void) {
  test_two_calls_equal_one();
  test_bad_arguments();
  DONE();
}
