/* Parameter initialisation through the C ABI: sinabs_manual_seed makes a
 * Linear layer's torch-default init reproducible; the values equal those that
 * Swift (ParameterInitTests) and Python (test_init.py) see for the same seed;
 * the bounds are +-1/sqrt(in_features); seeding races with creation safely. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include "check.h"

/* Copies parameter `name` of `layer` (count floats) into `out`. */
static void read_parameter(float *out, const sinabs_layer *layer, const char *name, int64_t count) {
  sinabs_tensor *t = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&t, layer, name));
  int64_t n = -1;
  CHECK_OK(sinabs_tensor_numel(&n, t));
  CHECK(n == count);
  if (t && n == count) memcpy(out, data_of(t), (size_t)count * sizeof(float));
  sinabs_tensor_free(t);
}

/* Seed 42, Linear(3 -> 2): the first layer after seeding. */
static const float seed42_weight[6] = {-0x1.729668p-3f, 0x1.0d70c4p-1f, -0x1.023f8p-6f,
                                       -0x1.ff8fd6p-2f, 0x1.a26p-3f, -0x1.ff61bp-2f};
static const float seed42_bias[2] = {-0x1.68386cp-2f, 0x1.15895cp-2f};

static void test_seed_gives_the_shared_values(void) {
  for (int round = 0; round < 2; round++) {
    sinabs_manual_seed(42);
    sinabs_layer *linear = NULL;
    CHECK_OK(sinabs_linear_layer_create(&linear, 3, 2, 1));
    float w[6] = {0}, b[2] = {0};
    read_parameter(w, linear, "weight", 6);
    read_parameter(b, linear, "bias", 2);
    CHECK(memcmp(w, seed42_weight, sizeof w) == 0);
    CHECK(memcmp(b, seed42_bias, sizeof b) == 0);
    /* The next layer draws from the advanced generator: other values. */
    sinabs_layer *next = NULL;
    CHECK_OK(sinabs_linear_layer_create(&next, 3, 2, 1));
    float w2[6] = {0};
    read_parameter(w2, next, "weight", 6);
    CHECK(memcmp(w, w2, sizeof w) != 0);
    sinabs_layer_free(linear);
    sinabs_layer_free(next);
  }
}

/* Uniform in [-1/sqrt(in), 1/sqrt(in)) for weight and bias, filling the range. */
static void test_bounds(void) {
  sinabs_manual_seed(7);
  enum { IN = 100, OUT = 50 };
  sinabs_layer *linear = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, IN, OUT, 1));
  static float w[IN * OUT];
  float b[OUT];
  read_parameter(w, linear, "weight", IN * OUT);
  read_parameter(b, linear, "bias", OUT);
  const float bound = 0.1f;
  float low = 1, high = -1;
  double sum = 0;
  int outside = 0;
  for (int i = 0; i < IN * OUT; i++) {
    if (!(w[i] >= -bound && w[i] <= bound)) outside++;
    low = w[i] < low ? w[i] : low;
    high = w[i] > high ? w[i] : high;
    sum += w[i];
  }
  for (int i = 0; i < OUT; i++)
    if (!(b[i] >= -bound && b[i] <= bound)) outside++;
  CHECK(outside == 0);
  CHECK(low < -0.099f && high > 0.099f);
  CHECK(fabs(sum / (IN * OUT)) < 0.005); /* mean of U(-0.1, 0.1): sd 0.0008 here */
  sinabs_layer_free(linear);

  /* Without bias only the weight is drawn, from the same stream. */
  sinabs_manual_seed(42);
  CHECK_OK(sinabs_linear_layer_create(&linear, 3, 2, 0));
  float w6[6];
  read_parameter(w6, linear, "weight", 6);
  CHECK(memcmp(w6, seed42_weight, sizeof w6) == 0);
  sinabs_layer_free(linear);
}

/* Threads seeding and creating layers at once: no crash, values in range. */
static void *create_and_seed(void *arg) {
  int index = (int)(intptr_t)arg, outside = 0;
  for (int i = 0; i < 200; i++) {
    if (i % 10 == index) sinabs_manual_seed((uint64_t)i);
    sinabs_layer *linear = NULL;
    if (sinabs_linear_layer_create(&linear, 4, 4, 1) != SINABS_OK) return (void *)1;
    sinabs_tensor *t = NULL;
    sinabs_layer_get_parameter(&t, linear, "weight");
    const float *w = data_of(t);
    for (int k = 0; k < 16; k++) outside += !(fabsf(w[k]) <= 0.5f);
    sinabs_tensor_free(t);
    sinabs_layer_free(linear);
  }
  return (void *)(intptr_t)(outside != 0);
}

static void test_threads(void) {
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, create_and_seed, (void *)(intptr_t)i);
  for (int i = 0; i < 4; i++) {
    void *failed = NULL;
    pthread_join(threads[i], &failed);
    CHECK(failed == NULL);
  }
}

int main(void) {
  test_seed_gives_the_shared_values();
  test_bounds();
  test_threads();
  DONE();
}
