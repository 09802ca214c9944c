/* Sequential models through the C ABI: append, count, get, forward through a
 * Linear -> IAF chain, reset; the bad inputs of each and wrong handle kinds. */
#include <string.h>
#include "check.h"

static sinabs_layer *iaf_layer(void) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  if (sinabs_neuron_options_init(&o, SINABS_NEURON_IAF) != SINABS_OK ||
      sinabs_neuron_layer_create(&layer, &o) != SINABS_OK)
    exit(2);
  return layer;
}

/* Linear(2 -> 1, weight [1, 1]) then IAF: per step the sum of the two inputs
 * is integrated. */
static void test_chain(void) {
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  int32_t n = -1;
  CHECK_OK(sinabs_model_layer_count(&n, model));
  CHECK(n == 0);

  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 2, 1, 0));
  const float w[2] = {1, 1};
  int64_t wshape[2] = {1, 2};
  sinabs_tensor *wt = tensor_of(wshape, 2, w);
  CHECK_OK(sinabs_layer_set_parameter(linear, "weight", wt));
  CHECK_OK(sinabs_model_append(model, linear));
  sinabs_layer *iaf = iaf_layer();
  CHECK_OK(sinabs_model_append(model, iaf));
  sinabs_layer_free(linear); /* the model keeps its own references */
  sinabs_layer_free(iaf);
  CHECK_OK(sinabs_model_layer_count(&n, model));
  CHECK(n == 2);

  int64_t shape[3] = {1, 3, 2};
  const float x[6] = {0.25f, 0.25f, 0.5f, 0.25f, 0.5f, 0.5f};
  sinabs_tensor *input = tensor_of(shape, 3, x), *out = NULL;
  CHECK_OK(sinabs_model_forward(&out, model, input));
  /* steps: 0.5 -> v 0.5; 0.75 -> 1.25 spike, 0.25; 1.0 -> 1.25 spike, 0.25 */
  float *y = data_of(out);
  CHECK(y[0] == 0.0f && y[1] == 1.0f && y[2] == 1.0f);
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, out));
  CHECK(rank == 3 && dims[0] == 1 && dims[1] == 3 && dims[2] == 1);
  sinabs_tensor_free(out);

  /* get_layer hands out the model's own layer. */
  sinabs_layer *second = NULL;
  CHECK_OK(sinabs_model_get_layer(&second, model, 1));
  sinabs_tensor *v = NULL;
  CHECK_OK(sinabs_layer_get_state(&v, second, "v_mem"));
  CHECK_NEAR(data_of(v)[0], 0.25, 1e-6);
  CHECK_OK(sinabs_model_reset_states(model));
  CHECK(data_of(v)[0] == 0.0f);
  sinabs_tensor_free(v);

  /* A failing layer: the error names its index; out is NULL. */
  int64_t wrong[3] = {1, 3, 5};
  sinabs_tensor *bad = tensor_of(wrong, 3, NULL);
  out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_model_forward(&out, model, bad), SINABS_ERR_SHAPE);
  CHECK(out == NULL);
  CHECK(strstr(sinabs_last_error(), "layer 0") != NULL);
  sinabs_tensor_free(bad);

  sinabs_layer *got = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_model_get_layer(&got, model, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(got == NULL);
  CHECK_FAILS(sinabs_model_get_layer(&got, model, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_get_layer(&got, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_get_layer(NULL, model, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(got == NULL);
  CHECK_FAILS(sinabs_model_forward(NULL, model, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_forward(&out, NULL, input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_forward(&out, model, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_FAILS(sinabs_model_layer_count(NULL, model), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_layer_count(&n, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_reset_states(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_append(NULL, second), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_append(model, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_model_layer_count(&n, model));
  CHECK(n == 2);

  sinabs_layer_free(second);
  sinabs_tensor_free(input);
  sinabs_tensor_free(wt);
  sinabs_model_free(model);
  sinabs_model_free(NULL);
}

/* An empty model still returns a new tensor, not the caller's input. */
static void test_empty_model(void) {
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  int64_t shape[1] = {2};
  const float x[2] = {1, 2};
  sinabs_tensor *input = tensor_of(shape, 1, x), *out = NULL;
  CHECK_OK(sinabs_model_forward(&out, model, input));
  CHECK(out != NULL && out != input);
  CHECK(data_of(out) != data_of(input) && data_of(out)[1] == 2.0f);
  sinabs_tensor_free(out);
  sinabs_tensor_free(input);
  sinabs_model_free(model);
  CHECK_FAILS(sinabs_model_create(NULL), SINABS_ERR_INVALID_ARGUMENT);
}

/* Tensors and layers passed as models, tensors and models as layers. */
static void test_wrong_kind(void) {
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  sinabs_layer *iaf = iaf_layer();
  int64_t shape[3] = {1, 1, 1};
  sinabs_tensor *x = tensor_of(shape, 3, NULL);
  sinabs_model *not_models[2] = {(sinabs_model *)x, (sinabs_model *)iaf};
  for (int i = 0; i < 2; i++) {
    sinabs_model *bad = not_models[i];
    CHECK_FAILS(sinabs_model_append(bad, iaf), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(strstr(sinabs_last_error(), "sinabs_model") != NULL);
    int32_t n = 0;
    CHECK_FAILS(sinabs_model_layer_count(&n, bad), SINABS_ERR_INVALID_ARGUMENT);
    sinabs_layer *got = STALE(sinabs_layer);
    CHECK_FAILS(sinabs_model_get_layer(&got, bad, 0), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(got == NULL);
    sinabs_tensor *out = STALE(sinabs_tensor);
    CHECK_FAILS(sinabs_model_forward(&out, bad, x), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_FAILS(sinabs_model_reset_states(bad), SINABS_ERR_INVALID_ARGUMENT);
  }
  CHECK_FAILS(sinabs_model_append(model, (sinabs_layer *)x), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_append(model, (sinabs_layer *)model), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor *out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_model_forward(&out, model, (sinabs_tensor *)iaf), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  int32_t n = -1;
  CHECK_OK(sinabs_model_layer_count(&n, model));
  CHECK(n == 0);
  sinabs_tensor_free(x);
  sinabs_layer_free(iaf);
  sinabs_model_free(model);
}

/* Linear(1 -> 2^22) turns an empty (0, 2^42, 1) input into (0, 2^42, 2^22),
 * whose extent overflows: an error from layer 0, not a trap in the IAF. */
static void test_empty_input_with_huge_extent(void) {
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  sinabs_layer *linear = NULL, *iaf = iaf_layer();
  CHECK_OK(sinabs_linear_layer_create(&linear, 1, INT64_C(1) << 22, 0));
  CHECK_OK(sinabs_model_append(model, linear));
  CHECK_OK(sinabs_model_append(model, iaf));
  int64_t shape[3] = {0, INT64_C(1) << 42, 1};
  sinabs_tensor *x = tensor_of(shape, 3, NULL), *out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_model_forward(&out, model, x), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(out == NULL);
  CHECK(strstr(sinabs_last_error(), "layer 0") != NULL);
  sinabs_tensor_free(x);
  sinabs_layer_free(iaf);
  sinabs_layer_free(linear);
  sinabs_model_free(model);
}

int main(void) {
  test_chain();
  test_empty_model();
  test_wrong_kind();
  test_empty_input_with_huge_extent();
  DONE();
}
