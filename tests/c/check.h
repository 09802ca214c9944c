/* A tiny assertion kit for the C tests: each CHECK counts, failures print
 * the expression and the library's last error; main ends with DONE(). */
#ifndef SINABS_TEST_CHECK_H
#define SINABS_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
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

#define DONE()                                                                \
  do {                                                                        \
    printf("%s: %d passed, %d failed\n", __FILE__, checks_run - checks_failed, \
           checks_failed);                                                    \
    return checks_failed == 0 ? 0 : 1;                                        \
  } while (0)

#endif
