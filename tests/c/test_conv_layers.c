/* Convolution, pooling and shape layers through the C ABI: each create, the
 * generic verbs on them (forward, forward_into, parameters, training,
 * backward, grads), the two-input Merge verbs, and for every entry point its
 * bad inputs, with the layer left unchanged by a failed call. */
#include "check.h"

static int64_t numel(const sinabs_tensor *t) {
  int64_t n = -1;
  sinabs_tensor_numel(&n, t);
  return n;
}

static int same_shape(const sinabs_tensor *t, const int64_t *shape, int32_t rank) {
  int64_t dims[SINABS_MAX_RANK];
  int32_t r = -1;
  if (sinabs_tensor_shape(dims, SINABS_MAX_RANK, &r, t) != SINABS_OK || r != rank) return 0;
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] != shape[i]) return 0;
  }
  return 1;
}

/* A 1 -> 1 channel 2x2 conv with weight [1 2; 3 4], bias 0.5, on a 3x3 input
 * 1..9: out[0][0] = 1 + 4 + 12 + 20 + 0.5 = 37.5; both kernels agree. */
static void test_conv2d(void) {
  sinabs_conv2d_options o;
  CHECK_OK(sinabs_conv2d_options_init(&o, 1, 1, 2, 2));
  CHECK(o.struct_size == sizeof o && o.stride_h == 1 && o.groups == 1 && o.bias == 1);
  o.seed = 3;
  sinabs_layer *conv = STALE(sinabs_layer);
  CHECK_OK(sinabs_conv2d_layer_create(&conv, &o));
  int32_t count = 0;
  CHECK_OK(sinabs_layer_parameter_count(&count, conv));
  CHECK(count == 2);
  int64_t wshape[4] = {1, 1, 2, 2}, bshape[1] = {1};
  const float w[4] = {1, 2, 3, 4}, b[1] = {0.5f};
  sinabs_tensor *weight = tensor_of(wshape, 4, w), *bias = tensor_of(bshape, 1, b);
  CHECK_OK(sinabs_layer_set_parameter(conv, "weight", weight));
  CHECK_OK(sinabs_layer_set_parameter(conv, "bias", bias));

  int64_t xshape[4] = {1, 1, 3, 3}, yshape[4] = {1, 1, 2, 2};
  float x[9];
  for (int i = 0; i < 9; i++) x[i] = (float)(i + 1);
  sinabs_tensor *input = tensor_of(xshape, 4, x), *out = NULL;
  CHECK_OK(sinabs_layer_set_training(conv, 1));
  for (int32_t kernel = SINABS_CONV_KERNEL_AUTO; kernel <= SINABS_CONV_KERNEL_SPARSE; kernel++) {
    CHECK_OK(sinabs_conv2d_layer_set_kernel(conv, kernel));
    CHECK_OK(sinabs_layer_forward(&out, conv, input));
    CHECK(same_shape(out, yshape, 4));
    const float *y = data_of(out);
    CHECK_NEAR(y[0], 37.5, 1e-5);
    CHECK_NEAR(y[3], 5 + 12 + 24 + 36 + 0.5, 1e-5);
    sinabs_tensor_free(out);
  }
  /* backward of sum(y): dW[k] = sum of the inputs under tap k, db = 4. */
  const float ones[4] = {1, 1, 1, 1};
  sinabs_tensor *grad = tensor_of(yshape, 4, ones), *gx = NULL, *gw = NULL, *gb = NULL;
  CHECK_OK(sinabs_layer_backward(&gx, conv, grad));
  CHECK(same_shape(gx, xshape, 4) && data_of(gx)[4] == 10.0f);  /* centre: all 4 taps */
  CHECK_OK(sinabs_layer_get_grad(&gw, conv, "weight"));
  CHECK(data_of(gw)[0] == 1 + 2 + 4 + 5);
  CHECK_OK(sinabs_layer_get_grad(&gb, conv, "bias"));
  CHECK(data_of(gb)[0] == 4.0f);
  sinabs_tensor_free(gx); /* the failing call below sets gx to NULL */
  CHECK_FAILS(sinabs_layer_backward(&gx, conv, grad), SINABS_ERR_STATE);
  CHECK_OK(sinabs_layer_zero_grad(conv));

  /* bad inputs: the layer is unchanged */
  int64_t wrong[4] = {1, 2, 3, 3}, tiny[4] = {1, 1, 1, 3};
  sinabs_tensor *bad = tensor_of(wrong, 4, NULL), *small = tensor_of(tiny, 4, NULL);
  out = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&out, conv, bad), SINABS_ERR_SHAPE);
  CHECK(out == NULL);
  CHECK_FAILS(sinabs_layer_forward(&out, conv, small), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_layer_forward_into(input, conv, input), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_layer_set_parameter(conv, "weight", bad), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_conv2d_layer_set_kernel(conv, 7), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_conv2d_layer_set_kernel(NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer *linear = NULL; /* Linear has the event-driven kernel too */
  CHECK_OK(sinabs_linear_layer_create(&linear, 4, 2, 1));
  CHECK_OK(sinabs_conv2d_layer_set_kernel(linear, SINABS_CONV_KERNEL_SPARSE));
  sinabs_layer_free(linear);
  sinabs_tensor *w_now = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&w_now, conv, "weight"));
  CHECK(data_of(w_now)[3] == 4.0f);

  sinabs_conv2d_options b2;
  CHECK_FAILS(sinabs_conv2d_options_init(NULL, 1, 1, 1, 1), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer *none = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  CHECK_FAILS(sinabs_conv2d_layer_create(NULL, &o), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_conv2d_options_init(&b2, 3, 4, 3, 3);
  b2.groups = 2; /* does not divide 3 */
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, &b2), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_conv2d_options_init(&b2, 2, 2, 0, 3);
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, &b2), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_conv2d_options_init(&b2, 2, 2, 3, 3);
  b2.padding_w = -1;
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, &b2), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_conv2d_options_init(&b2, 2, 2, 3, 3);
  b2.bias = 2;
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, &b2), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_conv2d_options_init(&b2, 2, 2, 3, 3);
  b2.struct_size = 4;
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, &b2), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_conv2d_options_init(&b2, INT64_MAX, 2, 3, 3);
  CHECK_FAILS(sinabs_conv2d_layer_create(&none, &b2), SINABS_ERR_INVALID_ARGUMENT);

  sinabs_tensor_free(w_now);
  sinabs_tensor_free(bad);
  sinabs_tensor_free(small);
  sinabs_tensor_free(grad);
  sinabs_tensor_free(gx);
  sinabs_tensor_free(gw);
  sinabs_tensor_free(gb);
  sinabs_tensor_free(input);
  sinabs_tensor_free(weight);
  sinabs_tensor_free(bias);
  sinabs_layer_free(conv);
}

/* 4x4 input 1..16, 2x2 windows: sum 14, avg 3.5, max 6 at the top left. */
static void test_pools(void) {
  sinabs_pool2d_options o;
  CHECK_OK(sinabs_pool2d_options_init(&o, 2, 2));
  CHECK(o.stride_h == 2 && o.count_include_pad == 1 && o.divisor_override == 0);
  sinabs_layer *pools[3] = {NULL, NULL, NULL};
  CHECK_OK(sinabs_sum_pool2d_layer_create(&pools[0], &o));
  CHECK_OK(sinabs_avg_pool2d_layer_create(&pools[1], &o));
  CHECK_OK(sinabs_max_pool2d_layer_create(&pools[2], &o));
  const float expected[3] = {14, 3.5f, 6};
  int64_t xshape[4] = {1, 1, 4, 4}, yshape[4] = {1, 1, 2, 2};
  float x[16];
  for (int i = 0; i < 16; i++) x[i] = (float)(i + 1);
  sinabs_tensor *input = tensor_of(xshape, 4, x), *output = tensor_of(yshape, 4, NULL);
  const float ones[4] = {1, 1, 1, 1};
  sinabs_tensor *grad = tensor_of(yshape, 4, ones);
  for (int k = 0; k < 3; k++) {
    CHECK_OK(sinabs_layer_set_training(pools[k], 1));
    CHECK_OK(sinabs_layer_forward_into(output, pools[k], input));
    CHECK(data_of(output)[0] == expected[k]);
    sinabs_tensor *gx = NULL;
    CHECK_OK(sinabs_layer_backward(&gx, pools[k], grad));
    CHECK(numel(gx) == 16);
    CHECK(data_of(gx)[5] == (k == 0 ? 1.0f : k == 1 ? 0.25f : 1.0f));
    CHECK(data_of(gx)[0] == (k == 2 ? 0.0f : data_of(gx)[5]));
    sinabs_tensor_free(gx);
    sinabs_tensor *g = STALE(sinabs_tensor);
    CHECK_FAILS(sinabs_layer_get_grad(&g, pools[k], "weight"), SINABS_ERR_NOT_FOUND);
    CHECK(g == NULL);
  }
  int64_t big[4] = {1, 1, 1, 1};
  sinabs_tensor *one = tensor_of(big, 4, NULL), *out = NULL;
  CHECK_FAILS(sinabs_layer_forward(&out, pools[0], one), SINABS_ERR_SHAPE); /* kernel > input */

  sinabs_layer *none = STALE(sinabs_layer);
  sinabs_pool2d_options bad = o;
  bad.padding_h = 1;
  CHECK_FAILS(sinabs_sum_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  bad.padding_h = 2; /* more than half the kernel */
  CHECK_FAILS(sinabs_avg_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.dilation_w = 2;
  CHECK_FAILS(sinabs_avg_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.divisor_override = 3;
  CHECK_FAILS(sinabs_max_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad.divisor_override = -1;
  CHECK_FAILS(sinabs_avg_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.kernel_w = 0;
  CHECK_FAILS(sinabs_max_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.ceil_mode = -1;
  CHECK_FAILS(sinabs_max_pool2d_layer_create(&none, &bad), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_pool2d_options_init(NULL, 2, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_avg_pool2d_layer_create(&none, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_conv2d_layer_set_kernel(pools[0], SINABS_CONV_KERNEL_DENSE),
              SINABS_ERR_INVALID_ARGUMENT);

  sinabs_tensor_free(one);
  sinabs_tensor_free(grad);
  sinabs_tensor_free(input);
  sinabs_tensor_free(output);
  for (int k = 0; k < 3; k++) sinabs_layer_free(pools[k]);
}

/* Runs `layer` on `input` in training and checks the output's shape and
 * that backward of a ones gradient gives the input's element count back. */
static sinabs_tensor *run_shape_layer(sinabs_layer *layer, sinabs_tensor *input, const int64_t *shape,
                                      int32_t rank) {
  sinabs_tensor *out = NULL, *grad = NULL, *gx = NULL;
  CHECK_OK(sinabs_layer_set_training(layer, 1));
  CHECK_OK(sinabs_layer_forward(&out, layer, input));
  CHECK(out != NULL && same_shape(out, shape, rank));
  if (out == NULL) return NULL;
  CHECK_OK(sinabs_tensor_copy(&grad, out));
  CHECK_OK(sinabs_layer_backward(&gx, layer, grad));
  CHECK(gx != NULL && numel(gx) == numel(input));
  sinabs_tensor_free(grad);
  sinabs_tensor_free(gx);
  return out;
}

static void test_shape_layers(void) {
  int64_t xshape[4] = {2, 3, 4, 5};
  float x[120];
  for (int i = 0; i < 120; i++) x[i] = (float)(i % 7) - 3.0f;
  sinabs_tensor *input = tensor_of(xshape, 4, x), *out = NULL;
  sinabs_layer *layer = NULL;

  CHECK_OK(sinabs_flatten_layer_create(&layer, 1, -1));
  int64_t flat[2] = {2, 60};
  sinabs_tensor_free(run_shape_layer(layer, input, flat, 2));
  sinabs_layer_free(layer);

  CHECK_OK(sinabs_flatten_time_layer_create(&layer));
  int64_t ft[3] = {6, 4, 5};
  sinabs_tensor *flattened = run_shape_layer(layer, input, ft, 3);
  sinabs_layer_free(layer);

  CHECK_OK(sinabs_unflatten_time_layer_create(&layer, 3));
  int64_t uft[4] = {3, 2, 4, 5};
  sinabs_tensor_free(run_shape_layer(layer, flattened, uft, 4));
  CHECK_FAILS(sinabs_layer_forward(&out, layer, input), SINABS_ERR_SHAPE); /* 3 does not divide 2 */
  sinabs_layer_free(layer);
  sinabs_tensor_free(flattened);

  CHECK_OK(sinabs_zero_pad2d_layer_create(&layer, 1, 2, -1, 0));
  int64_t padded[4] = {2, 3, 3, 8};
  sinabs_tensor_free(run_shape_layer(layer, input, padded, 4));
  sinabs_layer_free(layer);

  CHECK_OK(sinabs_cropping2d_layer_create(&layer, 1, 1, 0, 2));
  int64_t cropped[4] = {2, 3, 2, 3};
  sinabs_tensor_free(run_shape_layer(layer, input, cropped, 4));
  sinabs_layer_free(layer);

  CHECK_OK(sinabs_channel_shift_layer_create(&layer, 2, -3));
  int64_t shifted[4] = {2, 5, 4, 5};
  out = run_shape_layer(layer, input, shifted, 4);
  CHECK(out && data_of(out)[0] == 0.0f && data_of(out)[2 * 20] == x[0]);
  sinabs_tensor_free(out);
  sinabs_layer_free(layer);

  CHECK_OK(sinabs_relu_layer_create(&layer));
  out = run_shape_layer(layer, input, xshape, 4);
  CHECK(out && data_of(out)[0] == 0.0f && data_of(out)[5] == 2.0f);
  sinabs_tensor_free(out);
  sinabs_layer_free(layer);

  CHECK_OK(sinabs_dropout_layer_create(&layer, 0.5f, 9));
  out = run_shape_layer(layer, input, xshape, 4);
  int zeros = 0;
  for (int i = 0; out && i < 120; i++) zeros += data_of(out)[i] == 0.0f && x[i] != 0.0f;
  CHECK(zeros > 20 && zeros < 90);
  sinabs_tensor_free(out);
  CHECK_OK(sinabs_layer_set_training(layer, 0));
  CHECK_OK(sinabs_layer_forward(&out, layer, input));
  CHECK(data_of(out)[1] == x[1]);
  sinabs_tensor_free(out);
  sinabs_layer_free(layer);

  /* Repeat of a 1x1 conv over (Batch, Time, C, H, W) */
  sinabs_conv2d_options o;
  sinabs_conv2d_options_init(&o, 4, 2, 1, 1);
  sinabs_layer *conv = NULL, *repeat = NULL;
  CHECK_OK(sinabs_conv2d_layer_create(&conv, &o));
  CHECK_OK(sinabs_repeat_layer_create(&repeat, conv));
  sinabs_layer_free(conv); /* the Repeat holds its own reference */
  const char *name = NULL;
  CHECK_OK(sinabs_layer_parameter_name(&name, repeat, 0));
  CHECK(strcmp(name, "module.weight") == 0);
  int64_t seq[5] = {2, 3, 4, 5, 1}, seq_out[5] = {2, 3, 2, 5, 1};
  sinabs_tensor *frames = NULL;
  CHECK_OK(sinabs_tensor_reshape(&frames, input, seq, 5));
  sinabs_tensor_free(run_shape_layer(repeat, frames, seq_out, 5));
  sinabs_tensor *g = NULL;
  CHECK_OK(sinabs_layer_get_grad(&g, repeat, "module.weight"));
  CHECK(numel(g) == 8);
  sinabs_tensor_free(g);
  sinabs_tensor_free(frames);
  sinabs_layer_free(repeat);

  /* bad arguments */
  sinabs_layer *none = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_flatten_layer_create(&none, 9, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  CHECK_FAILS(sinabs_flatten_layer_create(NULL, 1, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_flatten_time_layer_create(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_unflatten_time_layer_create(&none, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_zero_pad2d_layer_create(&none, INT64_MAX, 0, 0, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_cropping2d_layer_create(&none, -1, 0, 0, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_channel_shift_layer_create(&none, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_relu_layer_create(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_dropout_layer_create(&none, NAN, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_dropout_layer_create(&none, 1.5f, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_repeat_layer_create(&none, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_repeat_layer_create(&none, (sinabs_layer *)input), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_cropping2d_layer_create(&layer, 3, 2, 0, 0));
  CHECK_FAILS(sinabs_layer_forward(&out, layer, input), SINABS_ERR_SHAPE); /* crops 5 of 4 rows */
  sinabs_layer_free(layer);
  sinabs_tensor_free(input);
}

/* Merge: (1, 2) + (2, 1) -> (2, 2) zero-padded; gradients cropped back. */
static void test_merge(void) {
  sinabs_layer *merge = NULL;
  CHECK_OK(sinabs_merge_layer_create(&merge));
  CHECK_OK(sinabs_layer_set_training(merge, 1));
  int64_t sa[2] = {1, 2}, sb[2] = {2, 1}, so[2] = {2, 2};
  const float a[2] = {1, 2}, b[2] = {10, 20};
  sinabs_tensor *ta = tensor_of(sa, 2, a), *tb = tensor_of(sb, 2, b), *out = NULL;
  CHECK_OK(sinabs_layer_forward_pair(&out, merge, ta, tb));
  CHECK(same_shape(out, so, 2));
  const float *y = data_of(out);
  CHECK(y[0] == 11 && y[1] == 2 && y[2] == 20 && y[3] == 0);
  sinabs_tensor *ga = NULL, *gb = NULL;
  CHECK_OK(sinabs_layer_backward_pair(&ga, &gb, merge, out));
  CHECK(same_shape(ga, sa, 2) && same_shape(gb, sb, 2));
  CHECK(data_of(ga)[1] == 2 && data_of(gb)[1] == 20);
  sinabs_tensor_free(ga);
  sinabs_tensor_free(gb);

  sinabs_tensor *none = STALE(sinabs_tensor), *none_b = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&none, merge, ta), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  CHECK_FAILS(sinabs_layer_backward_pair(&none, &none_b, merge, out), SINABS_ERR_STATE);
  CHECK(none == NULL && none_b == NULL);
  int64_t s3[3] = {1, 1, 1};
  sinabs_tensor *t3 = tensor_of(s3, 3, NULL);
  CHECK_FAILS(sinabs_layer_forward_pair(&none, merge, ta, t3), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_layer_forward_pair(&none, merge, ta, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_forward_pair(NULL, merge, ta, tb), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward_pair(&none, NULL, merge, out), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward_pair(NULL, &none_b, merge, out), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer *relu = NULL;
  sinabs_relu_layer_create(&relu);
  CHECK_FAILS(sinabs_layer_forward_pair(&none, relu, ta, tb), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_backward_pair(&none, &none_b, relu, out), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_layer_free(relu);
  sinabs_tensor_free(t3);
  sinabs_tensor_free(out);
  sinabs_tensor_free(ta);
  sinabs_tensor_free(tb);
  sinabs_layer_free(merge);
}

int main(void) {
  test_conv2d();
  test_pools();
  test_shape_layers();
  test_merge();
  DONE();
}
