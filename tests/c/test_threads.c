/* Distinct layers on distinct threads at once (the header allows it), each
 * large enough for the library's own parallel split, all reading one shared
 * input tensor: every thread gets exactly the single-threaded result. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>
#include "check.h"

enum { THREADS = 4, ROUNDS = 3, B = 4, T = 40, N = 2048 };

static const sinabs_tensor *shared_input;
static float *expected_iaf, *expected_lif;

static sinabs_layer *layer_for(int32_t model) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  if (sinabs_neuron_options_init(&o, model) != SINABS_OK) exit(2);
  o.tau_mem = 15.0f;
  if (sinabs_neuron_layer_create(&layer, &o) != SINABS_OK) exit(2);
  return layer;
}

/* Spikes of a fresh layer of `model` on the shared input (a new array). */
static float *spikes_of(int32_t model) {
  sinabs_layer *layer = layer_for(model);
  sinabs_tensor *out = NULL;
  if (sinabs_layer_forward(&out, layer, shared_input) != SINABS_OK) {
    sinabs_layer_free(layer);
    return NULL;
  }
  float *copy = malloc(sizeof(float) * B * T * N);
  float *d = NULL;
  sinabs_tensor_data(&d, out);
  if (copy && d) memcpy(copy, d, sizeof(float) * B * T * N);
  sinabs_tensor_free(out);
  sinabs_layer_free(layer);
  return copy;
}

static void *worker(void *arg) {
  int *mismatches = arg;
  for (int round = 0; round < ROUNDS; round++) {
    int32_t model = round % 2 ? SINABS_NEURON_LIF : SINABS_NEURON_IAF;
    float *got = spikes_of(model);
    const float *want = model == SINABS_NEURON_LIF ? expected_lif : expected_iaf;
    if (!got || memcmp(got, want, sizeof(float) * B * T * N) != 0) (*mismatches)++;
    free(got);
  }
  return NULL;
}

int main(void) {
  int64_t shape[3] = {B, T, N};
  sinabs_tensor *input = NULL;
  CHECK_OK(sinabs_tensor_create(&input, shape, 3));
  float *x = data_of(input);
  fill_currents(x, (int64_t)B * T * N, 7);
  shared_input = input;

  /* Single-threaded reference, then the same with the library's threads. */
  CHECK_OK(sinabs_set_num_threads(1));
  expected_iaf = spikes_of(SINABS_NEURON_IAF);
  expected_lif = spikes_of(SINABS_NEURON_LIF);
  CHECK(expected_iaf && expected_lif);
  double total = 0;
  for (int64_t i = 0; i < (int64_t)B * T * N; i++) total += expected_iaf[i];
  CHECK(total > 1000); /* the input does make spikes */
  CHECK_OK(sinabs_set_num_threads(4));

  pthread_t ids[THREADS];
  int mismatches[THREADS] = {0};
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&ids[i], NULL, worker, &mismatches[i]) == 0);
  for (int i = 0; i < THREADS; i++) {
    pthread_join(ids[i], NULL);
    CHECK(mismatches[i] == 0);
  }
  CHECK(x[0] == data_of(input)[0]); /* readers did not write the input */

  free(expected_iaf);
  free(expected_lif);
  sinabs_tensor_free(input);
  DONE();
}
