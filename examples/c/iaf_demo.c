/* An IAF layer (sinabs defaults) on generated input: 8 samples x 100 steps
 * x 256 neurons of random currents; prints spike counts. */
#include <stdio.h>
#include <stdlib.h>
#include "sinabs.h"

#define CHECK(call)                                                          \
  do {                                                                       \
    sinabs_status s_ = (call);                                               \
    if (s_ != SINABS_OK) {                                                   \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, sinabs_last_error(),    \
              sinabs_status_name(s_));                                       \
      return 1;                                                              \
    }                                                                        \
  } while (0)

int main(void) {
  enum { B = 8, T = 100, N = 256 };
  printf("libsinabs %s: IAF layer, input (%d, %d, %d)\n", sinabs_version_string(), B, T, N);

  sinabs_neuron_options options;
  CHECK(sinabs_neuron_options_init(&options, SINABS_NEURON_IAF));
  sinabs_layer *iaf = NULL;
  CHECK(sinabs_neuron_layer_create(&iaf, &options));

  int64_t shape[3] = {B, T, N};
  sinabs_tensor *input = NULL;
  CHECK(sinabs_tensor_create(&input, shape, 3));
  float *x = NULL;
  CHECK(sinabs_tensor_data(&x, input));
  srand(1);
  for (int64_t i = 0; i < (int64_t)B * T * N; i++) x[i] = 0.5f * (float)rand() / (float)RAND_MAX;

  sinabs_tensor *spikes = NULL;
  CHECK(sinabs_layer_forward(&spikes, iaf, input));
  float *s = NULL;
  CHECK(sinabs_tensor_data(&s, spikes));
  double total = 0, first_sample = 0;
  for (int64_t i = 0; i < (int64_t)B * T * N; i++) {
    total += s[i];
    if (i < (int64_t)T * N) first_sample += s[i];
  }
  float rate = 0;
  CHECK(sinabs_layer_firing_rate(&rate, iaf));
  printf("spikes: %.0f in total, %.0f in sample 0, firing rate %.4f per neuron-step\n",
         total, first_sample, rate);

  sinabs_tensor *v_mem = NULL;
  CHECK(sinabs_layer_get_state(&v_mem, iaf, "v_mem"));
  float *v = NULL;
  CHECK(sinabs_tensor_data(&v, v_mem));
  printf("v_mem of neuron 0 after %d steps: %.4f (carried to the next call)\n", T, v[0]);

  sinabs_tensor_free(v_mem);
  sinabs_tensor_free(spikes);
  sinabs_tensor_free(input);
  sinabs_layer_free(iaf);
  return 0;
}
