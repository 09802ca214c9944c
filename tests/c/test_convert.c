/* ANN-to-SNN conversion through the C ABI: a Linear -> ReLU ANN becomes
 * Linear -> IAFSqueeze with rescaled biases and the ANN unchanged; a spiking
 * output is appended only when asked for and the ANN ends otherwise; the bad
 * inputs of sinabs_model_from_ann. */
#include <math.h>
#include <string.h>
#include "check.h"

static sinabs_model *linear_ann(int with_relu) {
  sinabs_model *ann = NULL;
  sinabs_layer *linear = NULL, *relu = NULL;
  CHECK_OK(sinabs_model_create(&ann));
  CHECK_OK(sinabs_linear_layer_create(&linear, 2, 1, 1));
  const float w[2] = {1, 1}, b[1] = {0.5f};
  int64_t wshape[2] = {1, 2}, bshape[1] = {1};
  sinabs_tensor *wt = tensor_of(wshape, 2, w), *bt = tensor_of(bshape, 1, b);
  CHECK_OK(sinabs_layer_set_parameter(linear, "weight", wt));
  CHECK_OK(sinabs_layer_set_parameter(linear, "bias", bt));
  CHECK_OK(sinabs_model_append(ann, linear));
  if (with_relu) {
    CHECK_OK(sinabs_relu_layer_create(&relu));
    CHECK_OK(sinabs_model_append(ann, relu));
    sinabs_layer_free(relu);
  }
  sinabs_layer_free(linear);
  sinabs_tensor_free(wt);
  sinabs_tensor_free(bt);
  return ann;
}

static sinabs_neuron_options squeeze_iaf(void) {
  sinabs_neuron_options o;
  if (sinabs_neuron_options_init(&o, SINABS_NEURON_IAF) != SINABS_OK) exit(2);
  o.form = SINABS_FORM_SQUEEZE;
  o.batch_size = 1;
  o.min_v_mem = -1.0f;
  return o;
}

static void test_convert(void) {
  sinabs_model *ann = linear_ann(1), *snn = NULL;
  sinabs_neuron_options o = squeeze_iaf();
  CHECK_OK(sinabs_model_from_ann(&snn, ann, &o, 2.0f, 1, NULL, 0));
  int32_t n = 0;
  CHECK_OK(sinabs_model_layer_count(&n, snn));
  CHECK(n == 2); /* ends in a ReLU: nothing appended */
  sinabs_tensor *bias = NULL, *ann_bias = NULL;
  CHECK_OK(sinabs_model_get_parameter(&bias, snn, "0.bias"));
  CHECK_OK(sinabs_model_get_parameter(&ann_bias, ann, "0.bias"));
  CHECK(data_of(bias)[0] == 0.25f && data_of(ann_bias)[0] == 0.5f);
  sinabs_tensor_free(bias);
  sinabs_tensor_free(ann_bias);
  /* 3 steps of input (0.5, 0.5): drive 1.25 per step -> spikes 1, 1, 1 with 0.25, 0.5, 0.75 left */
  int64_t shape[2] = {3, 2};
  const float x[6] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  sinabs_tensor *input = tensor_of(shape, 2, x), *out = NULL;
  CHECK_OK(sinabs_model_forward(&out, snn, input));
  CHECK(data_of(out)[0] == 1.0f && data_of(out)[1] == 1.0f && data_of(out)[2] == 1.0f);
  sinabs_tensor_free(out);
  sinabs_model_free(snn);

  /* input_shape: one step of zeros charges the membrane with the bias. */
  int64_t input_shape[1] = {2};
  CHECK_OK(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, input_shape, 1));
  sinabs_layer *iaf = NULL;
  sinabs_tensor *v = NULL;
  CHECK_OK(sinabs_model_get_layer(&iaf, snn, 1));
  CHECK_OK(sinabs_layer_get_state(&v, iaf, "v_mem"));
  CHECK_NEAR(data_of(v)[0], 0.5, 1e-6);
  sinabs_tensor_free(v);
  sinabs_layer_free(iaf);
  sinabs_model_free(snn);
  sinabs_tensor_free(input);
  sinabs_model_free(ann);

  ann = linear_ann(0);
  CHECK_OK(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 1, NULL, 0));
  CHECK_OK(sinabs_model_layer_count(&n, snn));
  CHECK(n == 2); /* spiking output appended */
  sinabs_model_free(snn);
  CHECK_OK(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, NULL, 0));
  CHECK_OK(sinabs_model_layer_count(&n, snn));
  CHECK(n == 1);
  sinabs_model_free(snn);
  sinabs_model_free(ann);
}

static void test_bad_inputs(void) {
  sinabs_model *ann = linear_ann(1), *snn = STALE(sinabs_model);
  sinabs_neuron_options o = squeeze_iaf();
  CHECK_FAILS(sinabs_model_from_ann(NULL, ann, &o, 1.0f, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, NULL, &o, 1.0f, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(snn == NULL);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, NULL, 1.0f, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, 0.0f, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, NAN, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, INFINITY, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 2, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, NULL, -1), SINABS_ERR_INVALID_ARGUMENT);
  int64_t bad_shape[1] = {0}, wrong_shape[1] = {3};
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, bad_shape, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, wrong_shape, 1), SINABS_ERR_SHAPE);
  sinabs_neuron_options leak;
  CHECK_OK(sinabs_neuron_options_init(&leak, SINABS_NEURON_EXPLEAK));
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &leak, 1.0f, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_neuron_options no_batch = squeeze_iaf();
  no_batch.batch_size = 0;
  CHECK_FAILS(sinabs_model_from_ann(&snn, ann, &no_batch, 1.0f, 0, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  /* a layer handle is not a model */
  sinabs_layer *relu = NULL;
  CHECK_OK(sinabs_relu_layer_create(&relu));
  CHECK_FAILS(sinabs_model_from_ann(&snn, (const sinabs_model *)relu, &o, 1.0f, 0, NULL, 0),
              SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer_free(relu);
  sinabs_model_free(ann);
}

int main(void) {
  test_convert();
  test_bad_inputs();
  DONE();
}
