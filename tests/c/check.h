/* A tiny assertion kit for the C tests: each CHECK counts, failures print
 * the expression and the library's last error; main ends with DONE(). */
#ifndef SINABS_TEST_CHECK_H
#define SINABS_TEST_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sinabs.h"

static int checks_run = 0, checks_failed = 0;

#define CHECK(cond)                                                           \
  do {                                                                        \
    checks_run++;                                                             \
    if (!(cond)) {                                                            \
      checks_failed++;                                                        \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,  \
              __LINE__, #cond, sinabs_last_error());                          \
    }                                                                         \
  } while (0)

#define CHECK_OK(call) CHECK((call) == SINABS_OK)
#define CHECK_STATUS(call, status) CHECK((call) == (status))
#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

/* A failing call must return `status` and leave a message of its own: a
 * marker message is set first (a refused thread count) and must be replaced. */
#define CHECK_FAILS(call, status)                                             \
  do {                                                                        \
    char marker_[128];                                                        \
    sinabs_set_num_threads(-12345);                                           \
    snprintf(marker_, sizeof marker_, "%s", sinabs_last_error());             \
    CHECK_STATUS(call, status);                                               \
    CHECK(sinabs_last_error()[0] != '\0' &&                                   \
          strcmp(sinabs_last_error(), marker_) != 0);                         \
  } while (0)

/* A non-NULL value that is not a handle: failing calls must overwrite it with
 * NULL, so a stale handle never survives an error. */
#define STALE(type) ((type *)(uintptr_t)0x10)

/* A tensor of `rank` dimensions holding `values` (NULL: zeros); aborts the
 * test on failure since everything after it would be meaningless. */
static inline sinabs_tensor *tensor_of(const int64_t *shape, int32_t rank, const float *values) {
  sinabs_tensor *t = NULL;
  int64_t count = 1;
  for (int32_t i = 0; i < rank; i++) count *= shape[i];
  sinabs_status s = values ? sinabs_tensor_create_copy(&t, shape, rank, values, count)
                           : sinabs_tensor_create(&t, shape, rank);
  if (s != SINABS_OK) {
    fprintf(stderr, "tensor_of failed: %s\n", sinabs_last_error());
    exit(2);
  }
  return t;
}

/* The data pointer of `t` (which must be a valid, non-empty tensor). */
static inline float *data_of(const sinabs_tensor *t) {
  float *p = NULL;
  if (sinabs_tensor_data(&p, t) != SINABS_OK || p == NULL) {
    fprintf(stderr, "data_of failed: %s\n", sinabs_last_error());
    exit(2);
  }
  return p;
}

/* x[0..count) = pseudo-random input currents in [0, 1), thousandths,
 * the same for the same seed. */
static inline void fill_currents(float *x, int64_t count, unsigned seed) {
  for (int64_t i = 0; i < count; i++) {
    seed = seed * 1103515245u + 12345u;
    x[i] = (float)((seed >> 16) % 1000) / 1000.0f;
  }
}

#define DONE()                                                                \
  do {                                                                        \
    printf("%s: %d passed, %d failed\n", __FILE__, checks_run - checks_failed, \
           checks_failed);                                                    \
    return checks_failed == 0 ? 0 : 1;                                        \
  } while (0)

#endif
