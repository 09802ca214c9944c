/* The library's parked worker threads: results equal the single-threaded
 * ones whatever the thread count (raised, lowered, raised again), in a child
 * after fork() (which has none of the parent's threads: it must start its
 * own, not wait for the parent's), and in the parent afterwards. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

enum { B = 4, T = 40, N = 4096 };

static sinabs_tensor *input;

/* Spikes of a fresh IAF layer on `input` (a new array), NULL on failure. */
static float *spikes(void) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  sinabs_tensor *out = NULL;
  if (sinabs_neuron_options_init(&o, SINABS_NEURON_IAF) != SINABS_OK) return NULL;
  if (sinabs_neuron_layer_create(&layer, &o) != SINABS_OK) return NULL;
  float *copy = NULL, *d = NULL;
  if (sinabs_layer_forward(&out, layer, input) == SINABS_OK && sinabs_tensor_data(&d, out) == SINABS_OK) {
    copy = malloc(sizeof(float) * B * T * N);
    if (copy) memcpy(copy, d, sizeof(float) * B * T * N);
  }
  sinabs_tensor_free(out);
  sinabs_layer_free(layer);
  return copy;
}

static int same_as(const float *expected) {
  float *got = spikes();
  const int same = got && memcmp(got, expected, sizeof(float) * B * T * N) == 0;
  free(got);
  return same;
}

int main(void) {
  int64_t shape[3] = {B, T, N};
  CHECK_OK(sinabs_tensor_create(&input, shape, 3));
  float *x = data_of(input);
  fill_currents(x, (int64_t)B * T * N, 11);
  CHECK_OK(sinabs_set_num_threads(1));
  float *expected = spikes();
  CHECK(expected != NULL);
  double total = 0;
  for (int64_t i = 0; i < (int64_t)B * T * N; i++) total += expected[i];
  CHECK(total > 1000);

  const int32_t counts[] = {2, 4, 3, 8, 2};
  for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
    CHECK_OK(sinabs_set_num_threads(counts[k]));
    for (int round = 0; round < 3; round++) CHECK(same_as(expected));
  }

  /* The parent's workers exist now; the child has none of them. */
  CHECK_OK(sinabs_set_num_threads(4));
  fflush(NULL);
  const pid_t child = fork();
  CHECK(child >= 0);
  if (child == 0) {
    alarm(30); /* a child stuck waiting for the parent's threads dies */
    int ok = 1;
    for (int round = 0; round < 3; round++) ok &= same_as(expected);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(same_as(expected));

  free(expected);
  sinabs_tensor_free(input);
  DONE();
}
