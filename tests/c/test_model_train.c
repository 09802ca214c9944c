/* Models through the C ABI beyond forward: training mode, build, backward,
 * named parameters and in-place gradients, clipping, summary, losses,
 * optimizers, the one-call train step, save and load; the bad inputs of each. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

static float lcg_uniform(unsigned *state) {
  *state = *state * 1664525u + 1013904223u;
  return (float)(*state >> 8) / 16777216.0f;
}

static void fill_uniform(sinabs_tensor *t, float low, float high, unsigned seed) {
  int64_t n = 0;
  CHECK_OK(sinabs_tensor_numel(&n, t));
  float *d = data_of(t);
  for (int64_t i = 0; i < n; i++) d[i] = low + (high - low) * lcg_uniform(&seed);
}

/* Linear(4 -> 8) -> LIF(tau 5) -> Linear(8 -> 2, no bias) -> IAF, random weights. */
static sinabs_model *small_model(unsigned seed) {
  sinabs_model *model = NULL;
  sinabs_layer *l0 = NULL, *l1 = NULL, *l2 = NULL, *l3 = NULL;
  sinabs_neuron_options lif, iaf;
  if (sinabs_model_create(&model) != SINABS_OK || sinabs_linear_layer_create(&l0, 4, 8, 1) != SINABS_OK ||
      sinabs_linear_layer_create(&l2, 8, 2, 0) != SINABS_OK ||
      sinabs_neuron_options_init(&lif, SINABS_NEURON_LIF) != SINABS_OK ||
      sinabs_neuron_options_init(&iaf, SINABS_NEURON_IAF) != SINABS_OK)
    exit(2);
  lif.tau_mem = 5;
  if (sinabs_neuron_layer_create(&l1, &lif) != SINABS_OK || sinabs_neuron_layer_create(&l3, &iaf) != SINABS_OK) exit(2);
  sinabs_layer *layers[4] = {l0, l1, l2, l3};
  for (int i = 0; i < 4; i++) {
    if (sinabs_model_append(model, layers[i]) != SINABS_OK) exit(2);
    sinabs_layer_free(layers[i]);
  }
  const char *weights[2] = {"0.weight", "2.weight"};
  for (int i = 0; i < 2; i++) {
    sinabs_tensor *w = NULL;
    if (sinabs_model_get_parameter(&w, model, weights[i]) != SINABS_OK) exit(2);
    fill_uniform(w, -0.3f, 1.2f, seed + (unsigned)i);
    sinabs_tensor_free(w);
  }
  return model;
}

/* Two classes of constant currents, (4, 6, 4), and their labels. */
static void two_class_data(sinabs_tensor **input, sinabs_tensor **labels) {
  int64_t shape[3] = {4, 6, 4}, lshape[1] = {4};
  float x[96], y[4] = {0, 1, 0, 1};
  for (int b = 0; b < 4; b++)
    for (int t = 0; t < 6; t++)
      for (int k = 0; k < 4; k++) x[(b * 6 + t) * 4 + k] = ((b % 2 == 0) == (k % 2 == 0)) ? 0.9f : 0.05f;
  *input = tensor_of(shape, 3, x);
  *labels = tensor_of(lshape, 1, y);
}

static void test_parameters_and_gradients(void) {
  sinabs_model *model = small_model(1);
  int32_t n = 0;
  CHECK_OK(sinabs_model_parameter_count(&n, model));
  CHECK(n == 6);
  const char *expected[6] = {"0.weight", "0.bias", "1.tau_mem", "1.spike_threshold", "2.weight", "3.spike_threshold"};
  for (int32_t i = 0; i < n && i < 6; i++) {
    const char *name = NULL;
    CHECK_OK(sinabs_model_parameter_name(&name, model, i));
    CHECK(name != NULL && strcmp(name, expected[i]) == 0);
  }
  const char *name = "stale";
  CHECK_FAILS(sinabs_model_parameter_name(&name, model, 6), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_parameter_name(&name, model, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_parameter_name(NULL, model, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_parameter_count(NULL, model), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_parameter_count(&n, NULL), SINABS_ERR_INVALID_ARGUMENT);

  /* Backward before a training forward; then a training forward and backward. */
  sinabs_tensor *input = NULL, *labels = NULL, *out = NULL, *grad_in = STALE(sinabs_tensor);
  two_class_data(&input, &labels);
  int64_t gshape[3] = {4, 6, 2};
  sinabs_tensor *gy = tensor_of(gshape, 3, NULL);
  fill_uniform(gy, -1, 1, 5);
  CHECK_FAILS(sinabs_model_backward(&grad_in, model, gy), SINABS_ERR_STATE);
  CHECK(grad_in == NULL);
  CHECK_OK(sinabs_model_set_training(model, 1));
  CHECK_OK(sinabs_model_forward(&out, model, input));
  int64_t wrong[3] = {4, 6, 3};
  sinabs_tensor *bad = tensor_of(wrong, 3, NULL);
  CHECK_FAILS(sinabs_model_backward(&grad_in, model, bad), SINABS_ERR_SHAPE);
  CHECK_OK(sinabs_model_backward(&grad_in, model, gy));
  /* Parameter gradients only: the same accumulators, one backward per forward. */
  sinabs_tensor *w_grad = NULL, *w_grad_after = NULL, *out_again = NULL;
  CHECK_OK(sinabs_model_get_grad(&w_grad, model, "0.weight"));
  float w_before[32]; /* 0.weight is 8 x 4 */
  memcpy(w_before, data_of(w_grad), sizeof w_before);
  CHECK_FAILS(sinabs_model_backward_parameters(model, gy), SINABS_ERR_STATE);
  CHECK_OK(sinabs_model_zero_grad(model));
  CHECK_OK(sinabs_model_reset_states(model));
  CHECK_OK(sinabs_model_forward(&out_again, model, input));
  CHECK_FAILS(sinabs_model_backward_parameters(model, bad), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_model_backward_parameters(NULL, gy), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_backward_parameters(model, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_model_backward_parameters(model, gy));
  CHECK_OK(sinabs_model_get_grad(&w_grad_after, model, "0.weight"));
  for (int k = 0; k < 32; k++) CHECK_NEAR(data_of(w_grad_after)[k], w_before[k], 1e-5);
  CHECK(w_before[0] != 0.0f || w_before[1] != 0.0f);
  sinabs_tensor_free(out_again);
  sinabs_tensor_free(w_grad);
  sinabs_tensor_free(w_grad_after);
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, grad_in));
  CHECK(rank == 3 && dims[0] == 4 && dims[1] == 6 && dims[2] == 4);

  /* The model's gradient is the layer's accumulator (shared memory). */
  sinabs_tensor *g = NULL, *g_again = NULL, *layer_copy = NULL;
  CHECK_OK(sinabs_model_get_grad(&g, model, "2.weight"));
  sinabs_layer *l2 = NULL;
  CHECK_OK(sinabs_model_get_layer(&l2, model, 2));
  CHECK_OK(sinabs_layer_get_grad(&layer_copy, l2, "weight"));
  CHECK(memcmp(data_of(g), data_of(layer_copy), 16 * sizeof(float)) == 0);
  data_of(g)[0] = 42;
  CHECK_OK(sinabs_model_get_grad(&g_again, model, "2.weight"));
  CHECK(data_of(g_again)[0] == 42.0f);
  float norm = -1;
  CHECK_OK(sinabs_model_clip_grad_norm(&norm, model, 1.0f));
  CHECK(norm >= 42.0f);
  double sum = 0;
  const char *trainable[4] = {"0.weight", "0.bias", "1.tau_mem", "2.weight"};
  for (int i = 0; i < 4; i++) {
    sinabs_tensor *t = NULL;
    int64_t count = 0;
    CHECK_OK(sinabs_model_get_grad(&t, model, trainable[i]));
    CHECK_OK(sinabs_tensor_numel(&count, t));
    for (int64_t k = 0; k < count; k++) sum += (double)data_of(t)[k] * data_of(t)[k];
    sinabs_tensor_free(t);
  }
  CHECK_NEAR(sqrt(sum), 1.0, 1e-4);
  CHECK_FAILS(sinabs_model_clip_grad_norm(&norm, model, NAN), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_clip_grad_norm(&norm, model, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_clip_grad_norm(NULL, model, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_model_zero_grad(model));
  CHECK(data_of(g)[0] == 0.0f);

  sinabs_tensor *t = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_model_get_grad(&t, model, "1.spike_threshold"), SINABS_ERR_NOT_FOUND);
  CHECK(t == NULL);
  CHECK_FAILS(sinabs_model_get_grad(&t, model, "9.weight"), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_model_get_parameter(&t, model, "weight"), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_model_get_parameter(&t, model, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_get_grad(NULL, model, "0.weight"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_zero_grad(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_set_training(NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor *no_grad = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_model_backward(NULL, model, gy), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_backward(&no_grad, model, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(no_grad == NULL);

  sinabs_tensor_free(g);
  sinabs_tensor_free(g_again);
  sinabs_tensor_free(layer_copy);
  sinabs_layer_free(l2);
  sinabs_tensor_free(bad);
  sinabs_tensor_free(grad_in);
  sinabs_tensor_free(out);
  sinabs_tensor_free(gy);
  sinabs_tensor_free(input);
  sinabs_tensor_free(labels);
  sinabs_model_free(model);
}

static void test_build_and_summary(void) {
  sinabs_model *model = small_model(2);
  int64_t good[3] = {2, 5, 4}, bad[3] = {2, 5, 3};
  CHECK_OK(sinabs_model_build(model, good, 3));
  CHECK_FAILS(sinabs_model_build(model, bad, 3), SINABS_ERR_SHAPE);
  CHECK(strstr(sinabs_last_error(), "layer 0 (Linear)") != NULL);
  CHECK_FAILS(sinabs_model_build(model, NULL, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_build(model, good, 9), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_build(NULL, good, 3), SINABS_ERR_INVALID_ARGUMENT);

  size_t length = 0;
  CHECK_OK(sinabs_model_summary(NULL, 0, &length, model));
  CHECK(length > 100);
  char *text = malloc(length + 1);
  CHECK_OK(sinabs_model_summary(text, length + 1, &length, model));
  CHECK(strlen(text) == length);
  CHECK(strstr(text, "Sequential: 4 layers") != NULL && strstr(text, "(2, 5, 8)") != NULL);
  char small[8];
  CHECK_OK(sinabs_model_summary(small, sizeof small, &length, model));
  CHECK(strlen(small) == 7 && strncmp(small, text, 7) == 0);
  CHECK_FAILS(sinabs_model_summary(NULL, 4, &length, model), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_summary(small, sizeof small, NULL, model), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_summary(small, sizeof small, &length, NULL), SINABS_ERR_INVALID_ARGUMENT);
  free(text);
  sinabs_model_free(model);
}

static void test_losses(void) {
  int64_t oshape[3] = {2, 3, 2}, lshape[1] = {2};
  const float y[12] = {1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0};
  const float labels[2] = {0, 1};
  sinabs_tensor *output = tensor_of(oshape, 3, y), *target = tensor_of(lshape, 1, labels), *grad = NULL;
  float loss = -1;
  CHECK_OK(sinabs_loss_compute(&loss, &grad, output, target, SINABS_LOSS_CROSS_ENTROPY_SUM));
  /* scores (3, 0) and (0, 2): mean of log(1 + e^-3) and log(1 + e^-2) */
  CHECK_NEAR(loss, (log(1 + exp(-3.0)) + log(1 + exp(-2.0))) / 2, 1e-6);
  CHECK(grad != NULL && data_of(grad)[0] < 0 && data_of(grad)[1] > 0);
  sinabs_tensor_free(grad);
  CHECK_OK(sinabs_loss_compute(&loss, NULL, output, target, SINABS_LOSS_CROSS_ENTROPY_MEAN));
  CHECK_NEAR(loss, (log(1 + exp(-1.0)) + log(1 + exp(-2.0 / 3))) / 2, 1e-6);
  CHECK_OK(sinabs_loss_compute(&loss, NULL, output, output, SINABS_LOSS_MSE));
  CHECK(loss == 0.0f);
  grad = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_loss_compute(&loss, &grad, output, output, SINABS_LOSS_CROSS_ENTROPY_SUM), SINABS_ERR_SHAPE);
  CHECK(grad == NULL);
  CHECK_FAILS(sinabs_loss_compute(&loss, &grad, output, target, SINABS_LOSS_MSE), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_loss_compute(&loss, &grad, output, target, 7), SINABS_ERR_INVALID_ARGUMENT);
  const float bad_labels[2] = {0, 2};
  sinabs_tensor *bad = tensor_of(lshape, 1, bad_labels);
  CHECK_FAILS(sinabs_loss_compute(&loss, &grad, output, bad, SINABS_LOSS_CROSS_ENTROPY_SUM), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_loss_compute(NULL, &grad, output, target, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_loss_compute(&loss, &grad, NULL, target, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_loss_compute(&loss, &grad, output, NULL, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(grad == NULL);
  sinabs_tensor_free(bad);
  sinabs_tensor_free(output);
  sinabs_tensor_free(target);
}

static void test_optimizer_options(void) {
  sinabs_optimizer_options o;
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_ADAM));
  CHECK(o.struct_size == sizeof o && o.kind == SINABS_OPTIMIZER_ADAM);
  CHECK(o.lr == 1e-3f && o.beta1 == 0.9f && o.beta2 == 0.999f && o.eps == 1e-8f && isnan(o.max_grad_norm));
  CHECK_FAILS(sinabs_optimizer_options_init(&o, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_options_init(NULL, SINABS_OPTIMIZER_SGD), SINABS_ERR_INVALID_ARGUMENT);

  sinabs_model *model = small_model(3);
  sinabs_optimizer *opt = STALE(sinabs_optimizer);
  struct { const char *what; int field; float value; } bad[] = {
      {"lr NaN", 0, NAN}, {"lr < 0", 0, -1}, {"momentum inf", 1, INFINITY}, {"beta1 = 1", 2, 1},
      {"beta2 NaN", 3, NAN}, {"eps < 0", 4, -1e-8f}, {"max_grad_norm 0", 5, 0}, {"weight_decay < 0", 6, -0.1f}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_OK(sinabs_optimizer_options_init(&o, bad[i].field == 1 ? SINABS_OPTIMIZER_SGD : SINABS_OPTIMIZER_ADAM));
    float *fields[7] = {&o.lr, &o.momentum, &o.beta1, &o.beta2, &o.eps, &o.max_grad_norm, &o.weight_decay};
    *fields[bad[i].field] = bad[i].value;
    CHECK_FAILS(sinabs_optimizer_create(&opt, model, &o), SINABS_ERR_INVALID_ARGUMENT);
    if (opt != NULL) fprintf(stderr, "accepted: %s\n", bad[i].what);
    CHECK(opt == NULL);
  }
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_SGD));
  o.nesterov = 1;
  CHECK_FAILS(sinabs_optimizer_create(&opt, model, &o), SINABS_ERR_INVALID_ARGUMENT);
  o.nesterov = 2;
  o.momentum = 0.9f;
  CHECK_FAILS(sinabs_optimizer_create(&opt, model, &o), SINABS_ERR_INVALID_ARGUMENT);
  o.nesterov = 0;
  o.kind = 9;
  CHECK_FAILS(sinabs_optimizer_create(&opt, model, &o), SINABS_ERR_INVALID_ARGUMENT);
  o.kind = SINABS_OPTIMIZER_SGD;
  o.struct_size = 4;
  CHECK_FAILS(sinabs_optimizer_create(&opt, model, &o), SINABS_ERR_INVALID_ARGUMENT);
  /* An older, shorter struct: the rest keeps the defaults. */
  o.struct_size = (uint32_t)offsetof(sinabs_optimizer_options, momentum);
  o.lr = 0.5f;
  CHECK_OK(sinabs_optimizer_create(&opt, model, &o));
  sinabs_optimizer_free(opt);
  CHECK_FAILS(sinabs_optimizer_create(&opt, model, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_create(&opt, NULL, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_create(NULL, model, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_step(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_step((sinabs_optimizer *)model), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_zero_grad(NULL), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_optimizer_free(NULL);
  sinabs_model_free(model);
}

/* SGD through the ABI: p -= lr * grad, visible in the shared parameter. */
static void test_sgd_step(void) {
  sinabs_model *model = small_model(4);
  sinabs_optimizer_options o;
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_SGD));
  o.lr = 0.5f;
  sinabs_optimizer *opt = NULL;
  CHECK_OK(sinabs_optimizer_create(&opt, model, &o));
  sinabs_tensor *w = NULL, *g = NULL;
  CHECK_OK(sinabs_model_get_parameter(&w, model, "2.weight"));
  CHECK_OK(sinabs_model_get_grad(&g, model, "2.weight"));
  float before = data_of(w)[3];
  data_of(g)[3] = 0.25f;
  CHECK_OK(sinabs_optimizer_step(opt));
  CHECK(data_of(w)[3] == before - 0.5f * 0.25f);
  CHECK_OK(sinabs_optimizer_zero_grad(opt));
  CHECK(data_of(g)[3] == 0.0f);
  sinabs_tensor_free(w);
  sinabs_tensor_free(g);
  sinabs_optimizer_free(opt);
  sinabs_model_free(model);
}

static void test_train_step_learns(void) {
  sinabs_model *model = small_model(5), *other = small_model(6);
  sinabs_optimizer_options o;
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_ADAM));
  o.lr = 0.05f;
  o.max_grad_norm = 5;
  sinabs_optimizer *opt = NULL;
  CHECK_OK(sinabs_optimizer_create(&opt, model, &o));
  sinabs_tensor *input = NULL, *labels = NULL;
  two_class_data(&input, &labels);
  float first = 0, loss = 0, last = 0;
  for (int step = 0; step < 40; step++) {
    CHECK_OK(sinabs_model_reset_states(model));
    CHECK_OK(sinabs_model_train_step(&loss, model, opt, input, labels, SINABS_LOSS_CROSS_ENTROPY_SUM));
    if (step == 0) first = loss;
    if (step >= 35) last += loss / 5;
  }
  CHECK(last < 0.5f * first);
  if (!(last < 0.5f * first)) fprintf(stderr, "loss %g -> %g\n", first, last);

  /* Failures before the update leave the parameters alone. */
  sinabs_tensor *w = NULL;
  CHECK_OK(sinabs_model_get_parameter(&w, model, "0.weight"));
  float w0 = data_of(w)[0];
  int64_t wrong[3] = {4, 6, 5};
  sinabs_tensor *bad = tensor_of(wrong, 3, NULL);
  CHECK_FAILS(sinabs_model_train_step(&loss, model, opt, bad, labels, SINABS_LOSS_CROSS_ENTROPY_SUM), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_model_train_step(&loss, model, opt, input, input, SINABS_LOSS_CROSS_ENTROPY_SUM), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_model_train_step(&loss, model, opt, input, labels, 42), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_train_step(&loss, other, opt, input, labels, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "another model") != NULL);
  CHECK_FAILS(sinabs_model_train_step(NULL, model, opt, input, labels, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_train_step(&loss, model, NULL, input, labels, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_train_step(&loss, model, opt, NULL, labels, SINABS_LOSS_MSE), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(data_of(w)[0] == w0);

  sinabs_tensor_free(bad);
  sinabs_tensor_free(w);
  sinabs_tensor_free(input);
  sinabs_tensor_free(labels);
  sinabs_optimizer_free(opt);
  sinabs_model_free(other); /* the optimizer's reference keeps `model` alive until here */
  sinabs_model_free(model);
}

static void test_save_and_load(void) {
  char path[64], bad_path[64];
  snprintf(path, sizeof path, "/tmp/sinabs-c-model-%d.safetensors", (int)getpid());
  snprintf(bad_path, sizeof bad_path, "/tmp/sinabs-c-bad-%d.safetensors", (int)getpid());
  sinabs_model *model = small_model(7), *loaded = NULL;
  sinabs_tensor *input = NULL, *labels = NULL, *a = NULL, *b = NULL;
  two_class_data(&input, &labels);
  CHECK_OK(sinabs_model_save(model, path, 0));
  CHECK_OK(sinabs_model_create(&loaded));
  CHECK_OK(sinabs_model_load(loaded, path));
  int32_t n = 0;
  CHECK_OK(sinabs_model_layer_count(&n, loaded));
  CHECK(n == 4);
  CHECK_OK(sinabs_model_forward(&a, model, input));
  CHECK_OK(sinabs_model_forward(&b, loaded, input));
  CHECK(memcmp(data_of(a), data_of(b), 4 * 6 * 2 * sizeof(float)) == 0);

  /* A truncated copy and a file that is not a model: errors, model unchanged. */
  FILE *source = fopen(path, "rb");
  char bytes[4096];
  size_t size = source ? fread(bytes, 1, sizeof bytes, source) : 0;
  if (source) fclose(source);
  CHECK(size > 100 && size < sizeof bytes);
  size_t cuts[4] = {0, 7, size / 2, size - 1};
  for (int i = 0; i < 4; i++) {
    FILE *f = fopen(bad_path, "wb");
    fwrite(bytes, 1, cuts[i], f);
    fclose(f);
    CHECK_FAILS(sinabs_model_load(loaded, bad_path), SINABS_ERR_INVALID_ARGUMENT);
  }
  FILE *f = fopen(bad_path, "wb");
  fputs("hello, not a model", f);
  fclose(f);
  CHECK_FAILS(sinabs_model_load(loaded, bad_path), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_load(loaded, "/nonexistent/x.safetensors"), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_model_load(loaded, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_load(NULL, path), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save(model, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save(NULL, path, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save(model, "/nonexistent/dir/x.safetensors", 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_model_layer_count(&n, loaded));
  CHECK(n == 4);
  CHECK_OK(sinabs_model_reset_states(loaded));
  CHECK_OK(sinabs_model_reset_states(model));
  sinabs_tensor_free(b);
  sinabs_tensor_free(a);
  CHECK_OK(sinabs_model_forward(&a, model, input));
  CHECK_OK(sinabs_model_forward(&b, loaded, input));
  CHECK(memcmp(data_of(a), data_of(b), 4 * 6 * 2 * sizeof(float)) == 0);

  /* States travel with include_states. */
  CHECK_OK(sinabs_model_save(model, path, 1));
  sinabs_model *with_states = NULL;
  CHECK_OK(sinabs_model_create(&with_states));
  CHECK_OK(sinabs_model_load(with_states, path));
  sinabs_layer *layer = NULL;
  sinabs_tensor *v = NULL;
  CHECK_OK(sinabs_model_get_layer(&layer, with_states, 1));
  CHECK_OK(sinabs_layer_get_state(&v, layer, "v_mem"));
  CHECK_OK(sinabs_tensor_numel(&(int64_t){0}, v));
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_rank(&rank, v));
  CHECK(rank == 2);
  sinabs_tensor_free(v);
  sinabs_layer_free(layer);
  sinabs_model_free(with_states);

  remove(path);
  remove(bad_path);
  sinabs_tensor_free(a);
  sinabs_tensor_free(b);
  sinabs_tensor_free(input);
  sinabs_tensor_free(labels);
  sinabs_model_free(loaded);
  sinabs_model_free(model);
}

static void test_wrong_kinds(void) {
  sinabs_model *model = small_model(8);
  int64_t shape[1] = {1};
  sinabs_tensor *x = tensor_of(shape, 1, NULL);
  sinabs_optimizer *opt = NULL;
  sinabs_optimizer_options o;
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_SGD));
  CHECK_FAILS(sinabs_optimizer_create(&opt, (sinabs_model *)x, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_optimizer_create(&opt, model, &o));
  CHECK_FAILS(sinabs_model_zero_grad((sinabs_model *)opt), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_optimizer_step((sinabs_optimizer *)x), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "sinabs_optimizer") != NULL);
  float loss = 0;
  CHECK_FAILS(sinabs_model_train_step(&loss, model, (sinabs_optimizer *)model, x, x, SINABS_LOSS_MSE),
              SINABS_ERR_INVALID_ARGUMENT);
  sinabs_optimizer_free(opt);
  sinabs_tensor_free(x);
  sinabs_model_free(model);
}

/* A (Batch, Time, ...) conv SNN with Repeat-wrapped per-frame layers, from
 * described layers (the module given as a nested description): builds, runs,
 * and comes back from a file with identical outputs; bad nested modules fail. */
static void test_described_repeat_model(void) {
  const char *kinds[4] = {"Repeat", "LIF", "Repeat", NULL};
  const char *arguments[3] = {
      ("{\"module\": {\"kind\": \"Conv2d\", \"arguments\": {\"in_channels\": 2, \"out_channels\": 3, "
       "\"kernel_size\": 3, \"padding\": 1}}}"),
      "{\"tau_mem\": 5.0}",
      "{\"module\": {\"kind\": \"SumPool2d\", \"arguments\": {\"kernel_size\": 2}}}"};
  sinabs_model *model = NULL, *copy = NULL;
  CHECK_OK(sinabs_model_create(&model));
  for (int i = 0; kinds[i] != NULL; i++) {
    sinabs_layer *layer = NULL;
    CHECK_OK(sinabs_layer_create_described(&layer, kinds[i], arguments[i]));
    CHECK_OK(sinabs_model_append(model, layer));
    sinabs_layer_free(layer);
  }
  int64_t shape[5] = {2, 4, 2, 6, 6};
  CHECK_OK(sinabs_model_build(model, shape, 5));
  sinabs_tensor *x = tensor_of(shape, 5, NULL);
  fill_uniform(x, 0, 3, 5);
  sinabs_tensor *a = NULL, *b = NULL;
  CHECK_OK(sinabs_model_forward(&a, model, x));
  char path[64];
  snprintf(path, sizeof path, "/tmp/sinabs-c-repeat-%d.safetensors", (int)getpid());
  CHECK_OK(sinabs_model_save(model, path, 0));
  CHECK_OK(sinabs_model_create(&copy));
  CHECK_OK(sinabs_model_load(copy, path));
  CHECK_OK(sinabs_model_forward(&b, copy, x));
  int64_t out_shape[SINABS_MAX_RANK] = {0};
  int32_t out_rank = 0;
  CHECK_OK(sinabs_tensor_shape(out_shape, SINABS_MAX_RANK, &out_rank, b));
  CHECK(out_rank == 5 && out_shape[0] == 2 && out_shape[1] == 4 && out_shape[2] == 3 && out_shape[3] == 3);
  CHECK(memcmp(data_of(a), data_of(b), 2 * 4 * 3 * 3 * 3 * sizeof(float)) == 0);
  remove(path);

  sinabs_layer *layer = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Repeat", "{\"module\": 3}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(layer == NULL && strstr(sinabs_last_error(), "module must be a layer") != NULL);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Repeat", "{\"module\": {\"kind\": \"Conv9d\", \"arguments\": {}}}"),
              SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "Conv9d") != NULL);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Repeat", "{\"module\": {\"arguments\": {}}}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Repeat", "{}"), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(x);
  sinabs_tensor_free(a);
  sinabs_tensor_free(b);
  sinabs_model_free(model);
  sinabs_model_free(copy);
}

/* A squeeze-form conv SNN from described layers: builds, trains a step,
 * round-trips through a file. */
static void test_described_conv_model(void) {
  const char *kinds[7] = {"Conv2d", "IAFSqueeze", "SumPool2d", "Flatten", "Linear", "IAFSqueeze", NULL};
  const char *arguments[6] = {
      "{\"in_channels\": 1, \"out_channels\": 4, \"kernel_size\": 3, \"padding\": 1}",
      "{\"num_timesteps\": 5}", "{\"kernel_size\": 2}", "{}",
      "{\"in_features\": 64, \"out_features\": 3}", "{\"num_timesteps\": 5, \"spike_threshold\": 0.5}"};
  sinabs_model *model = NULL, *copy = NULL;
  CHECK_OK(sinabs_model_create(&model));
  for (int i = 0; kinds[i] != NULL; i++) {
    sinabs_layer *layer = NULL;
    CHECK_OK(sinabs_layer_create_described(&layer, kinds[i], arguments[i]));
    CHECK_OK(sinabs_model_append(model, layer));
    sinabs_layer_free(layer);
  }
  int64_t shape[4] = {2 * 5, 1, 8, 8}, lshape[1] = {2};
  CHECK_OK(sinabs_model_build(model, shape, 4));
  sinabs_tensor *x = tensor_of(shape, 4, NULL), *labels = tensor_of(lshape, 1, (const float[]){1, 2});
  fill_uniform(x, 0, 1, 11);
  sinabs_optimizer_options o;
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_SGD));
  sinabs_optimizer *opt = NULL;
  CHECK_OK(sinabs_optimizer_create(&opt, model, &o));
  float loss = 0;
  CHECK_OK(sinabs_model_train_step(&loss, model, opt, x, labels, SINABS_LOSS_CROSS_ENTROPY_SUM));
  CHECK(loss > 0);
  char path[64];
  snprintf(path, sizeof path, "/tmp/sinabs-c-conv-%d.safetensors", (int)getpid());
  CHECK_OK(sinabs_model_save(model, path, 0));
  CHECK_OK(sinabs_model_create(&copy));
  CHECK_OK(sinabs_model_load(copy, path));
  sinabs_tensor *a = NULL, *b = NULL;
  CHECK_OK(sinabs_model_reset_states(model));
  CHECK_OK(sinabs_model_forward(&a, model, x));
  CHECK_OK(sinabs_model_forward(&b, copy, x));
  CHECK(memcmp(data_of(a), data_of(b), 10 * 3 * sizeof(float)) == 0);
  remove(path);

  sinabs_layer *layer = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Conv9d", "{}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(layer == NULL && strstr(sinabs_last_error(), "Conv9d") != NULL);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Linear", "{\"in_features\": 2"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Linear", "[1]"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Linear", "{\"in_features\": 2}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "LIF", "{\"tau_mem\": -1}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "LIF", "{\"tau_mem\": 1e999}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "IAF", "{\"typo\": 1}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, NULL, "{}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "IAF", NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(NULL, "IAF", "{}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(layer == NULL);
  sinabs_tensor_free(a);
  sinabs_tensor_free(b);
  sinabs_tensor_free(x);
  sinabs_tensor_free(labels);
  sinabs_optimizer_free(opt);
  sinabs_model_free(copy);
  sinabs_model_free(model);
}

int main(void) {
  test_described_conv_model();
  test_described_repeat_model();
  test_parameters_and_gradients();
  test_build_and_summary();
  test_losses();
  test_optimizer_options();
  test_sgd_step();
  test_train_step_learns();
  test_save_and_load();
  test_wrong_kinds();
  DONE();
}
