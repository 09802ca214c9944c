/* sinabs_layer_share_parameter: a Linear layer computing with caller memory
 * (no copy: a write to the memory changes the next forward), the release
 * callback once both the caller's tensor and the layer let go, and bad inputs. */
#include "check.h"

static int released = 0;
static void on_release(void *context, float *data) {
  (void)context, (void)data;
  released++;
}

int main(void) {
  sinabs_layer *linear = NULL, *relu = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 2, 1, 1));
  float weight[2] = {1.0f, 2.0f};
  int64_t wshape[2] = {1, 2}, xshape[2] = {1, 2}, bshape[1] = {1};
  sinabs_tensor *w = NULL;
  CHECK_OK(sinabs_tensor_wrap(&w, wshape, 2, weight, on_release, NULL));
  CHECK_OK(sinabs_layer_share_parameter(linear, "weight", w));
  sinabs_tensor_free(w);
  CHECK(released == 0); /* the layer holds the memory */
  sinabs_tensor *bias = tensor_of(bshape, 1, NULL);
  CHECK_OK(sinabs_layer_share_parameter(linear, "bias", bias));
  const float x[2] = {3.0f, 4.0f};
  sinabs_tensor *input = tensor_of(xshape, 2, x), *y = NULL;
  CHECK_OK(sinabs_layer_forward(&y, linear, input));
  CHECK(data_of(y)[0] == 11.0f);
  sinabs_tensor_free(y);
  weight[1] = -1.0f;     /* the caller's write is the layer's weight */
  data_of(bias)[0] = 0.5f;
  CHECK_OK(sinabs_layer_forward(&y, linear, input));
  CHECK(data_of(y)[0] == -0.5f);
  sinabs_tensor *got = NULL;
  float *address = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&got, linear, "weight"));
  CHECK_OK(sinabs_tensor_data(&address, got));
  CHECK(address == weight);
  sinabs_tensor_free(got), sinabs_tensor_free(y);

  int64_t wrong[2] = {2, 1};
  sinabs_tensor *bad = tensor_of(wrong, 2, NULL);
  CHECK_FAILS(sinabs_layer_share_parameter(linear, "weight", bad), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_layer_share_parameter(linear, "gain", bias), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_layer_share_parameter(linear, NULL, bias), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_share_parameter(linear, "weight", NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_share_parameter(NULL, "weight", bias), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_share_parameter((sinabs_layer *)bias, "weight", bias), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_relu_layer_create(&relu));
  CHECK_FAILS(sinabs_layer_share_parameter(relu, "weight", bias), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_layer_get_parameter(&got, linear, "weight")); /* unchanged by the failures */
  CHECK_OK(sinabs_tensor_data(&address, got));
  CHECK(address == weight);
  sinabs_tensor_free(got);

  sinabs_layer_free(linear);
  CHECK(released == 1);
  sinabs_layer_free(relu);
  sinabs_tensor_free(bad), sinabs_tensor_free(bias), sinabs_tensor_free(input);
  DONE();
}
