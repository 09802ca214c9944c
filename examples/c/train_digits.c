/* Train a spiking network on scikit-learn's 8x8 digits from C, with no loop
 * over layers: libsinabs' model, loss, Adam and one train-step call.
 *
 *   make example-c-digits          (exports build/digits.bin, builds, runs)
 *   train_digits DATA OUT.safetensors      train, print progress, save
 *   train_digits DATA --evaluate MODEL     test accuracy of a saved model
 *                                          (from any language)
 *
 * Network, a small convolutional SNN in sinabs' squeeze form (Batch*Time,
 * channels, height, width): Conv2d(1 -> 16, 3x3, padding 1) -> IAFSqueeze ->
 * SumPool2d(2) -> Flatten -> Linear(256 -> 10) -> IAFSqueeze. The layers are
 * created from their sinabs/torch constructor arguments
 * (sinabs_layer_create_described). Each pixel (0..16) becomes a spike train
 * over T steps with probability pixel / 16 per step (rate coding); the class
 * is the output neuron with the most spikes. Exits 1 below 90% test accuracy. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "digits_data.h"

enum { PIXELS = 64, CLASSES = 10, CHANNELS = 16, STEPS = 10, BATCH = 32, EPOCHS = 15 };

static uint64_t rng_state = 42;
static double uniform(void) { /* xorshift64*: [0, 1) */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Rate-coded spikes for `count` samples starting at records[first + order[i]]
 * into x (count * STEPS, 1, 8, 8), sample-major as sinabs squeezes
 * (Batch, Time) into one dimension; labels into y. */
static void encode(const digits *d, const int *order, int first, int count, float *x, float *y) {
  for (int b = 0; b < count; b++) {
    const unsigned char *r = d->records + (size_t)order[first + b] * 65;
    for (int t = 0; t < STEPS; t++)
      for (int p = 0; p < PIXELS; p++) x[((size_t)b * STEPS + t) * PIXELS + p] = uniform() < r[p] / 16.0 ? 1.0f : 0.0f;
    y[b] = r[64];
  }
}

static sinabs_tensor *wrap(float *data, int64_t d0, int64_t d1, int64_t d2, int64_t d3, int32_t rank) {
  int64_t shape[4] = {d0, d1, d2, d3};
  sinabs_tensor *t = NULL;
  TRY(sinabs_tensor_wrap(&t, shape, rank, data, NULL, NULL));
  return t;
}

static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + now.tv_nsec * 1e-9;
}

static sinabs_model *build_model(void) {
  /* kind, constructor arguments (JSON, as sinabs/torch name them) */
  static const char *const layers[][2] = {
      {"Conv2d", "{\"in_channels\": 1, \"out_channels\": 16, \"kernel_size\": 3, \"padding\": 1}"},
      {"IAFSqueeze", "{\"num_timesteps\": 10}"},
      {"SumPool2d", "{\"kernel_size\": 2}"},
      {"Flatten", "{}"},
      {"Linear", "{\"in_features\": 256, \"out_features\": 10}"},
      {"IAFSqueeze", "{\"num_timesteps\": 10}"},
  };
  sinabs_model *model = NULL;
  TRY(sinabs_model_create(&model));
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
    sinabs_layer *layer = NULL;
    TRY(sinabs_layer_create_described(&layer, layers[i][0], layers[i][1]));
    TRY(sinabs_model_append(model, layer));
    sinabs_layer_free(layer);
  }
  /* torch's initialisation, reproducibly: uniform in +-1/sqrt(fan_in), fan_in
   * 1 x 3 x 3 = 9 for the convolution, 256 for the Linear layer. */
  const char *names[4] = {"0.weight", "0.bias", "4.weight", "4.bias"};
  const double bound[4] = {1.0 / 3, 1.0 / 3, 1.0 / 16, 1.0 / 16};
  for (int i = 0; i < 4; i++) {
    sinabs_tensor *p = NULL;
    float *data = NULL;
    int64_t n = 0;
    TRY(sinabs_model_get_parameter(&p, model, names[i]));
    TRY(sinabs_tensor_data(&data, p));
    TRY(sinabs_tensor_numel(&n, p));
    for (int64_t k = 0; k < n; k++) data[k] = (float)((2 * uniform() - 1) * bound[i]);
    sinabs_tensor_free(p);
  }
  return model;
}

/* Fraction of the test set classified right (the most output spikes). */
static double test_accuracy(sinabs_model *model, const digits *d, float *x, float *y) {
  int *order = malloc(sizeof(int) * (size_t)d->n_test);
  for (int i = 0; i < d->n_test; i++) order[i] = d->n_train + i;
  encode(d, order, 0, d->n_test, x, y);
  sinabs_tensor *input = wrap(x, (int64_t)d->n_test * STEPS, 1, 8, 8, 4), *output = NULL;
  TRY(sinabs_model_reset_states(model));
  TRY(sinabs_model_forward(&output, model, input));
  float *spikes = NULL;
  TRY(sinabs_tensor_data(&spikes, output));
  int right = 0;
  for (int b = 0; b < d->n_test; b++) {
    float counts[CLASSES] = {0};
    for (int t = 0; t < STEPS; t++)
      for (int c = 0; c < CLASSES; c++) counts[c] += spikes[((size_t)b * STEPS + t) * CLASSES + c];
    int best = 0;
    for (int c = 1; c < CLASSES; c++)
      if (counts[c] > counts[best]) best = c;
    right += best == (int)y[b];
  }
  sinabs_tensor_free(output);
  sinabs_tensor_free(input);
  free(order);
  return (double)right / d->n_test;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DATA OUT.safetensors | %s DATA --evaluate MODEL\n", argv[0], argv[0]);
    return 2;
  }
  digits d = load_digits(argv[1]);
  TRY(sinabs_set_num_threads(1)); /* small calls: threads cost more than they save */
  int most = d.n_train > d.n_test ? d.n_train : d.n_test;
  float *x = malloc(sizeof(float) * (size_t)most * STEPS * PIXELS), *y = malloc(sizeof(float) * (size_t)most);
  if (x == NULL || y == NULL) return 2;

  if (strcmp(argv[2], "--evaluate") == 0 && argc > 3) {
    sinabs_model *model = NULL;
    TRY(sinabs_model_create(&model));
    TRY(sinabs_model_load(model, argv[3]));
    double accuracy = test_accuracy(model, &d, x, y);
    printf("C: model %s: test accuracy %.1f%%\n", argv[3], 100 * accuracy);
    sinabs_model_free(model);
    return accuracy >= 0.9 ? 0 : 1;
  }

  sinabs_model *model = build_model();
  sinabs_optimizer_options options;
  TRY(sinabs_optimizer_options_init(&options, SINABS_OPTIMIZER_ADAM));
  options.lr = 2e-3f;
  sinabs_optimizer *adam = NULL;
  TRY(sinabs_optimizer_create(&adam, model, &options));
  int *order = malloc(sizeof(int) * (size_t)d.n_train);
  for (int i = 0; i < d.n_train; i++) order[i] = i;
  double started = seconds(), accuracy = 0;
  for (int epoch = 1; epoch <= EPOCHS; epoch++) {
    for (int i = d.n_train - 1; i > 0; i--) { /* Fisher-Yates */
      int j = (int)(uniform() * (i + 1)), swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    double loss_sum = 0;
    int batches = 0;
    for (int first = 0; first < d.n_train; first += BATCH) {
      int count = d.n_train - first < BATCH ? d.n_train - first : BATCH;
      encode(&d, order, first, count, x, y);
      sinabs_tensor *input = wrap(x, (int64_t)count * STEPS, 1, 8, 8, 4), *labels = wrap(y, count, 0, 0, 0, 1);
      float loss = 0;
      TRY(sinabs_model_reset_states(model));
      TRY(sinabs_model_train_step(&loss, model, adam, input, labels, SINABS_LOSS_CROSS_ENTROPY_SUM));
      loss_sum += loss;
      batches++;
      sinabs_tensor_free(input);
      sinabs_tensor_free(labels);
    }
    accuracy = test_accuracy(model, &d, x, y);
    printf("epoch %2d  loss %.4f  test accuracy %5.1f%%  (%.1f s)\n", epoch, loss_sum / batches, 100 * accuracy,
           seconds() - started);
    fflush(stdout);
  }
  TRY(sinabs_model_save(model, argv[2], 0));
  size_t length = 0;
  TRY(sinabs_model_summary(NULL, 0, &length, model));
  char *summary = malloc(length + 1);
  TRY(sinabs_model_summary(summary, length + 1, &length, model));
  printf("%ssaved %s; C: final test accuracy %.1f%%\n", summary, argv[2], 100 * accuracy);
  free(summary);
  free(order);
  free(x);
  free(y);
  free(d.records);
  sinabs_optimizer_free(adam);
  sinabs_model_free(model);
  return accuracy >= 0.9 ? 0 : 1;
}
