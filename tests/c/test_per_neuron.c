/* Per-neuron time constants through the C ABI: a tau_mem of shape (N) gives
 * each neuron the decay of its own scalar layer (checked against N separate
 * layers, forward and gradients), a (1, N) tau broadcasts the same, and a
 * shape that does not broadcast is refused at forward with the layer
 * unchanged; bad values are refused element by element. */
#include "check.h"

enum { B = 2, T = 5, N = 3 };

static sinabs_layer *lif(float tau) {
  sinabs_neuron_options options;
  CHECK_OK(sinabs_neuron_options_init(&options, SINABS_NEURON_LIF));
  options.tau_mem = tau;
  options.spike_threshold = 0.4f;
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &options));
  return layer;
}

static float close_enough(float got, float want) { return fabsf(got - want) <= 1e-5f + 1e-4f * fabsf(want); }

int main(void) {
  const float taus[N] = {2.0f, 5.0f, 11.0f};
  float x[B * T * N], dy[B * T * N];
  for (int k = 0; k < B * T * N; k++) {
    x[k] = (float)((k * 7) % 10) / 4.0f;
    dy[k] = (float)((k * 5) % 7) / 3.0f - 1.0f;
  }
  const int64_t shape[3] = {B, T, N}, tau_shape[1] = {N}, row_shape[2] = {1, N}, bad_shape[1] = {2};
  sinabs_tensor *input = tensor_of(shape, 3, x), *upstream = tensor_of(shape, 3, dy);

  /* One layer with per-neuron tau_mem. */
  sinabs_layer *layer = lif(1.0f);
  sinabs_tensor *tau = tensor_of(tau_shape, 1, taus), *y = NULL, *dx = NULL, *grad = NULL;
  CHECK_OK(sinabs_layer_set_parameter(layer, "tau_mem", tau));
  CHECK_OK(sinabs_layer_set_training(layer, 1));
  CHECK_OK(sinabs_layer_forward(&y, layer, input));
  CHECK_OK(sinabs_layer_backward(&dx, layer, upstream));
  CHECK_OK(sinabs_layer_get_grad(&grad, layer, "tau_mem"));
  int64_t grad_count = 0;
  CHECK_OK(sinabs_tensor_numel(&grad_count, grad));
  CHECK(grad_count == N);

  /* Neuron n alone, in a scalar layer of its tau: same output, input gradient, d tau. */
  int differ = 0;
  for (int n = 0; n < N; n++) {
    float xn[B * T], dyn[B * T];
    for (int k = 0; k < B * T; k++) {
      xn[k] = x[k * N + n];
      dyn[k] = dy[k * N + n];
    }
    const int64_t one[3] = {B, T, 1};
    sinabs_tensor *xi = tensor_of(one, 3, xn), *gi = tensor_of(one, 3, dyn), *yi = NULL, *dxi = NULL, *gt = NULL;
    sinabs_layer *single = lif(taus[n]);
    CHECK_OK(sinabs_layer_set_training(single, 1));
    CHECK_OK(sinabs_layer_forward(&yi, single, xi));
    CHECK_OK(sinabs_layer_backward(&dxi, single, gi));
    CHECK_OK(sinabs_layer_get_grad(&gt, single, "tau_mem"));
    for (int k = 0; k < B * T; k++) {
      differ += data_of(yi)[k] != data_of(y)[k * N + n];
      differ += !close_enough(data_of(dx)[k * N + n], data_of(dxi)[k]);
    }
    differ += !close_enough(data_of(grad)[n], data_of(gt)[0]);
    sinabs_tensor_free(xi); sinabs_tensor_free(gi); sinabs_tensor_free(yi);
    sinabs_tensor_free(dxi); sinabs_tensor_free(gt);
    sinabs_layer_free(single);
  }
  CHECK(differ == 0);

  /* (1, N) broadcasts over the batch: the same output. */
  sinabs_layer *row = lif(1.0f);
  sinabs_tensor *tau_row = tensor_of(row_shape, 2, taus), *y_row = NULL;
  CHECK_OK(sinabs_layer_set_parameter(row, "tau_mem", tau_row));
  CHECK_OK(sinabs_layer_forward(&y_row, row, input));
  CHECK(memcmp(data_of(y_row), data_of(y), sizeof x) == 0);

  /* A shape that does not broadcast: refused at forward, states unchanged. */
  sinabs_tensor *tau_bad = tensor_of(bad_shape, 1, taus), *y_bad = STALE(sinabs_tensor), *v = NULL;
  CHECK_OK(sinabs_layer_set_parameter(row, "tau_mem", tau_bad));
  CHECK_OK(sinabs_layer_get_state(&v, row, "v_mem"));
  float before[B * N];
  memcpy(before, data_of(v), sizeof before);
  CHECK_FAILS(sinabs_layer_forward(&y_bad, row, input), SINABS_ERR_SHAPE);
  CHECK(y_bad == NULL);
  CHECK(memcmp(before, data_of(v), sizeof before) == 0);

  /* Bad values, element by element; the parameter stays as it was. */
  const float negative[N] = {2.0f, -1.0f, 3.0f}, not_a_number[N] = {2.0f, NAN, 3.0f};
  sinabs_tensor *neg = tensor_of(tau_shape, 1, negative), *nan_tau = tensor_of(tau_shape, 1, not_a_number);
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "tau_mem", neg), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "tau_mem", nan_tau), SINABS_ERR_INVALID_ARGUMENT);
  const int64_t empty_shape[1] = {0};
  sinabs_tensor *empty = tensor_of(empty_shape, 1, NULL);
  CHECK_FAILS(sinabs_layer_set_parameter(layer, "tau_mem", empty), SINABS_ERR_SHAPE);
  sinabs_tensor *current = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&current, layer, "tau_mem"));
  CHECK(memcmp(data_of(current), taus, sizeof taus) == 0);

  sinabs_tensor *all[] = {input, upstream, tau, y, dx, grad, tau_row, y_row, tau_bad, v, neg, nan_tau,
                          empty, current};
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) sinabs_tensor_free(all[k]);
  sinabs_layer_free(layer);
  sinabs_layer_free(row);
  DONE();
}
