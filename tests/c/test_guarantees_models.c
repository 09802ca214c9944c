/* One call at a time for the training calls too: a model's backward and
 * train_step, an optimizer's step, a tape's backward and a Repeat's forward
 * mark the objects they run. Shown deterministically: the release callback of
 * a wrapped input runs inside the call that drops the input's last reference
 * and calls back into the busy objects, which must refuse with STATE. */
#include <stddef.h>
#include "check.h"

static sinabs_layer *reentered_layer;
static sinabs_model *reentered_model;
static sinabs_optimizer *reentered_optimizer;
static sinabs_status reentry[3];
static int releases;

static void call_back_in(void *context, float *data) {
  (void)context;
  (void)data;
  int32_t count = 0;
  reentry[0] = sinabs_layer_parameter_count(&count, reentered_layer);
  reentry[1] = reentered_model ? sinabs_model_layer_count(&count, reentered_model) : SINABS_ERR_STATE;
  reentry[2] = reentered_optimizer ? sinabs_optimizer_step(reentered_optimizer) : SINABS_ERR_STATE;
  releases++;
}

static void expect_refused(const char *what) {
  if (!(reentry[0] == SINABS_ERR_STATE && reentry[1] == SINABS_ERR_STATE && reentry[2] == SINABS_ERR_STATE)) {
    fprintf(stderr, "%s: a call inside it was not refused (%d %d %d)\n", what, reentry[0], reentry[1], reentry[2]);
  }
  CHECK(reentry[0] == SINABS_ERR_STATE && reentry[1] == SINABS_ERR_STATE && reentry[2] == SINABS_ERR_STATE);
  for (int k = 0; k < 3; k++) reentry[k] = SINABS_OK;
}

static sinabs_layer *lif_layer(void) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_options_init(&o, SINABS_NEURON_LIF));
  o.tau_mem = 10;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &o));
  return layer;
}

/* A training forward of `layer` (or of `model` if not NULL) on a wrapped
 * input whose only remaining reference is then a tape. */
static void forward_leaving_a_callback(sinabs_layer *layer, sinabs_model *model, const int64_t *shape, int32_t rank,
                                       float *data) {
  sinabs_tensor *x = NULL, *y = NULL;
  CHECK_OK(sinabs_tensor_wrap(&x, shape, rank, data, call_back_in, NULL));
  CHECK_OK(model ? sinabs_model_forward(&y, model, x) : sinabs_layer_forward(&y, layer, x));
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
}

static void test_model_backward_and_train_step(void) {
  sinabs_layer *lif = lif_layer();
  sinabs_model *model = NULL;
  sinabs_optimizer *optimizer = NULL;
  sinabs_optimizer_options o;
  CHECK_OK(sinabs_model_create(&model));
  CHECK_OK(sinabs_model_append(model, lif));
  CHECK_OK(sinabs_model_set_training(model, 1));
  CHECK_OK(sinabs_optimizer_options_init(&o, SINABS_OPTIMIZER_SGD));
  CHECK_OK(sinabs_optimizer_create(&optimizer, model, &o));
  reentered_layer = lif;
  reentered_model = model;
  reentered_optimizer = optimizer;
  float data[4] = {0.5f, 1.5f, 0.5f, 1.5f};
  int64_t shape[3] = {1, 2, 2};

  /* model backward drops the tape, and with it the input */
  releases = 0;
  forward_leaving_a_callback(lif, model, shape, 3, data);
  sinabs_tensor *g = tensor_of(shape, 3, NULL), *gx = NULL;
  CHECK(releases == 0);
  CHECK_OK(sinabs_model_backward(&gx, model, g));
  CHECK(releases == 1);
  expect_refused("sinabs_model_backward");
  sinabs_tensor_free(gx);

  /* train_step's forward replaces the tape */
  forward_leaving_a_callback(lif, NULL, shape, 3, data);
  sinabs_tensor *x = tensor_of(shape, 3, data), *target = tensor_of(shape, 3, NULL);
  float loss = 0;
  CHECK_OK(sinabs_model_train_step(&loss, model, optimizer, x, target, SINABS_LOSS_MSE));
  CHECK(releases == 2);
  expect_refused("sinabs_model_train_step");

  /* and after the calls, everything is free again */
  int32_t count = 0;
  CHECK_OK(sinabs_model_layer_count(&count, model));
  CHECK_OK(sinabs_optimizer_step(optimizer));
  CHECK_OK(sinabs_layer_parameter_count(&count, lif));
  reentered_model = NULL;
  reentered_optimizer = NULL;
  sinabs_tensor_free(x);
  sinabs_tensor_free(target);
  sinabs_tensor_free(g);
  sinabs_optimizer_free(optimizer);
  sinabs_model_free(model);
  sinabs_layer_free(lif);
}

static void test_tape_backward(void) {
  sinabs_layer *lif = lif_layer();
  CHECK_OK(sinabs_layer_set_training(lif, 1));
  reentered_layer = lif;
  float data[4] = {0.5f, 1.5f, 0.5f, 1.5f};
  int64_t shape[3] = {1, 2, 2};
  releases = 0;
  forward_leaving_a_callback(lif, NULL, shape, 3, data);
  sinabs_tape *tape = NULL;
  CHECK_OK(sinabs_layer_take_tape(&tape, lif));
  sinabs_tensor *g = tensor_of(shape, 3, NULL), *gx = NULL;
  CHECK_OK(sinabs_tape_backward(&gx, NULL, tape, g, NULL, NULL, 0));
  sinabs_tape_free(tape);
  CHECK(releases == 1);
  expect_refused("sinabs_tape_backward");
  sinabs_tensor_free(gx);
  sinabs_tensor_free(g);
  sinabs_layer_free(lif);
}

/* A Repeat runs its module: a call on the module inside is refused. */
static void test_repeat_marks_its_module(void) {
  sinabs_conv2d_options o;
  sinabs_layer *conv = NULL, *repeat = NULL;
  CHECK_OK(sinabs_conv2d_options_init(&o, 1, 2, 2, 2));
  CHECK_OK(sinabs_conv2d_layer_create(&conv, &o));
  CHECK_OK(sinabs_repeat_layer_create(&repeat, conv));
  CHECK_OK(sinabs_layer_set_training(repeat, 1));
  reentered_layer = conv;
  float data[2 * 9];
  for (int i = 0; i < 18; i++) data[i] = (float)i;
  int64_t shape[5] = {1, 2, 1, 3, 3};
  releases = 0;
  forward_leaving_a_callback(repeat, NULL, shape, 5, data);
  CHECK(releases == 0);
  sinabs_tensor *x = tensor_of(shape, 5, data), *y = NULL;
  CHECK_OK(sinabs_layer_forward(&y, repeat, x)); /* replaces the conv's tape */
  CHECK(releases == 1);
  expect_refused("Repeat(Conv2d) forward");
  int32_t count = 0;
  CHECK_OK(sinabs_layer_parameter_count(&count, conv));
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
  sinabs_layer_free(repeat);
  sinabs_layer_free(conv);
}

int main(void) {
  test_model_backward_and_train_step();
  test_tape_backward();
  test_repeat_marks_its_module();
  DONE();
}
