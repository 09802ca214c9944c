/* Training through the C ABI: a LIF layer with synaptic current reproduces
 * sinabs' gradients (input, tau_mem, tau_syn; reference case lif_tau_syn,
 * 1e-4 relative, 1e-5 absolute), a Linear layer gives dx, dW, db, and every
 * training entry point refuses bad input with the documented status. */
#include <string.h>
#include "check.h"
#include "reference_json.h"

static int close_enough(float got, float want) {
  return fabsf(got - want) <= 1e-5f + 1e-4f * fabsf(want);
}

/* `got` has `want`'s element count and every element is close. */
static void check_values(const sinabs_tensor *got, const ref_tensor *want, const char *what) {
  int64_t n = -1;
  CHECK_OK(sinabs_tensor_numel(&n, got));
  CHECK(n == want->count);
  if (n != want->count) return;
  const float *g = data_of(got);
  int64_t differ = 0;
  for (int64_t i = 0; i < n; i++) differ += !close_enough(g[i], want->data[i]);
  if (differ) fprintf(stderr, "%s: %lld of %lld values differ\n", what, (long long)differ, (long long)n);
  CHECK(differ == 0);
}

static void test_lif_reference(const char *dir) {
  char *json = ref_load(dir, "lif_tau_syn");
  CHECK(json != NULL);
  if (!json) {
    fprintf(stderr, "cannot read %s/lif_tau_syn.json (set SINABS_REFERENCE_DIR)\n", dir);
    return;
  }
  ref_tensor input, upstream, grad_input, grad_tau_mem, grad_tau_syn;
  CHECK(ref_read_tensor(json, "input", &input));
  CHECK(ref_read_tensor(json, "upstream_grad", &upstream));
  CHECK(ref_read_tensor(json, "grads.input", &grad_input));
  CHECK(ref_read_tensor(json, "grads.tau_mem", &grad_tau_mem));
  CHECK(ref_read_tensor(json, "grads.tau_syn", &grad_tau_syn));

  sinabs_neuron_options options;
  CHECK_OK(sinabs_neuron_options_init(&options, SINABS_NEURON_LIF));
  options.tau_mem = (float)ref_read_number(json, "layer.params.tau_mem", NAN);
  options.tau_syn = (float)ref_read_number(json, "layer.params.tau_syn", NAN);
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &options));
  sinabs_tensor *x = tensor_of(input.shape, input.rank, input.data);
  sinabs_tensor *g = tensor_of(upstream.shape, upstream.rank, upstream.data);
  sinabs_tensor *y = NULL, *dx = STALE(sinabs_tensor), *grad = NULL;

  /* Nothing to go back through yet. */
  CHECK_FAILS(sinabs_layer_backward(&dx, layer, g), SINABS_ERR_STATE);
  CHECK(dx == NULL);
  CHECK_OK(sinabs_layer_set_training(layer, 1));
  CHECK_OK(sinabs_layer_forward(&y, layer, x));

  /* A gradient of another shape is refused, and the tape stays usable. */
  const int64_t wrong_shape[3] = {input.shape[0], input.shape[1] + 1, input.shape[2]};
  sinabs_tensor *wrong = tensor_of(wrong_shape, 3, NULL);
  CHECK_FAILS(sinabs_layer_backward(&dx, layer, wrong), SINABS_ERR_SHAPE);
  CHECK_OK(sinabs_layer_backward(&dx, layer, g));
  if (dx) check_values(dx, &grad_input, "grad input");
  CHECK_OK(sinabs_layer_get_grad(&grad, layer, "tau_mem"));
  if (grad) check_values(grad, &grad_tau_mem, "grad tau_mem");
  sinabs_tensor_free(grad);
  grad = NULL;
  CHECK_OK(sinabs_layer_get_grad(&grad, layer, "tau_syn"));
  if (grad) check_values(grad, &grad_tau_syn, "grad tau_syn");
  sinabs_tensor_free(grad);

  /* One backward per training forward. */
  sinabs_tensor *again = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_backward(&again, layer, g), SINABS_ERR_STATE);
  CHECK(again == NULL);

  /* Unknown and untrainable names; zero_grad clears. */
  grad = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_get_grad(&grad, layer, "no_such_parameter"), SINABS_ERR_NOT_FOUND);
  CHECK(grad == NULL);
  CHECK_FAILS(sinabs_layer_get_grad(&grad, layer, "spike_threshold"), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_layer_get_grad(&grad, layer, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_layer_zero_grad(layer));
  CHECK_OK(sinabs_layer_get_grad(&grad, layer, "tau_mem"));
  if (grad) CHECK(data_of(grad)[0] == 0.0f);
  sinabs_tensor_free(grad);
  printf("lif_tau_syn: grads of input (%lld values), tau_mem, tau_syn checked\n", (long long)input.count);

  sinabs_tensor_free(wrong);
  sinabs_tensor_free(dx);
  sinabs_tensor_free(y);
  sinabs_tensor_free(g);
  sinabs_tensor_free(x);
  sinabs_layer_free(layer);
  free(input.data);
  free(upstream.data);
  free(grad_input.data);
  free(grad_tau_mem.data);
  free(grad_tau_syn.data);
  free(json);
}

/* y = x W^T + b for one row: dx = dy W, dW = dy^T x, db = dy. */
static void test_linear(void) {
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_linear_layer_create(&layer, 2, 1, 1));
  const int64_t w_shape[2] = {1, 2}, x_shape[2] = {1, 2}, y_shape[2] = {1, 1};
  sinabs_tensor *w = tensor_of(w_shape, 2, (const float[]){2, 3});
  sinabs_tensor *x = tensor_of(x_shape, 2, (const float[]){1, -1});
  sinabs_tensor *dy = tensor_of(y_shape, 2, (const float[]){0.5f});
  sinabs_tensor *y = NULL, *dx = NULL, *dw = NULL, *db = NULL;
  CHECK_OK(sinabs_layer_set_parameter(layer, "weight", w));
  CHECK_OK(sinabs_layer_set_training(layer, 1));
  CHECK_OK(sinabs_layer_forward(&y, layer, x));
  CHECK_OK(sinabs_layer_backward(&dx, layer, dy));
  CHECK_OK(sinabs_layer_get_grad(&dw, layer, "weight"));
  CHECK_OK(sinabs_layer_get_grad(&db, layer, "bias"));
  if (dx && dw && db) {
    CHECK(data_of(dx)[0] == 1.0f && data_of(dx)[1] == 1.5f);
    CHECK(data_of(dw)[0] == 0.5f && data_of(dw)[1] == -0.5f);
    CHECK(data_of(db)[0] == 0.5f);
  }
  sinabs_tensor *stale = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_backward(&stale, layer, dy), SINABS_ERR_STATE);
  CHECK(stale == NULL);
  sinabs_tensor_free(db);
  sinabs_tensor_free(dw);
  sinabs_tensor_free(dx);
  sinabs_tensor_free(y);
  sinabs_tensor_free(dy);
  sinabs_tensor_free(x);
  sinabs_tensor_free(w);
  sinabs_layer_free(layer);
}

/* NULL handles and out-parameters. */
static void test_null_arguments(void) {
  sinabs_layer *layer = NULL;
  sinabs_neuron_options options;
  CHECK_OK(sinabs_neuron_options_init(&options, SINABS_NEURON_IAF));
  CHECK_OK(sinabs_neuron_layer_create(&layer, &options));
  const int64_t shape[3] = {1, 2, 1};
  sinabs_tensor *t = tensor_of(shape, 3, NULL), *out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_set_training(NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward(NULL, layer, t), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward(&out, NULL, t), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_FAILS(sinabs_layer_backward(&out, layer, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_grad(NULL, layer, "x"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_get_grad(&out, NULL, "x"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_zero_grad(NULL), SINABS_ERR_INVALID_ARGUMENT);
  /* A tensor handle is not a layer. */
  CHECK_FAILS(sinabs_layer_set_training((sinabs_layer *)t, 1), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(t);
  sinabs_layer_free(layer);
}

int main(void) {
  const char *dir = getenv("SINABS_REFERENCE_DIR");
  if (!dir || !*dir) dir = "tests/reference/cases";
  test_lif_reference(dir);
  test_linear();
  test_null_arguments();
  DONE();
}
