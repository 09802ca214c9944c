/* Errors: the last-error message is per thread (a failure on one thread does
 * not touch another's message), status names, version and thread settings. */
/* pthread barriers are POSIX, hidden by -std=c11 otherwise. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>
#include "check.h"

/* Fails with a negative dimension on its own thread and keeps what it saw. */
typedef struct {
  pthread_barrier_t *barrier;
  char before[256]; /* message on a fresh thread */
  char mine[256];   /* after its own failure */
  char after[256];  /* after the other thread's failure */
  sinabs_status status;
  int64_t dim;
} worker;

static void *fail_then_wait(void *arg) {
  worker *w = arg;
  snprintf(w->before, sizeof w->before, "%s", sinabs_last_error());
  sinabs_tensor *t = NULL;
  int64_t shape[1] = {w->dim};
  w->status = sinabs_tensor_create(&t, shape, 1);
  snprintf(w->mine, sizeof w->mine, "%s", sinabs_last_error());
  pthread_barrier_wait(w->barrier); /* both failed */
  pthread_barrier_wait(w->barrier); /* main thread failed too */
  snprintf(w->after, sizeof w->after, "%s", sinabs_last_error());
  return NULL;
}

static void test_per_thread_messages(void) {
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, 3);
  worker a = {.barrier = &barrier, .dim = -7}, b = {.barrier = &barrier, .dim = -9};
  pthread_t ta, tb;
  CHECK(pthread_create(&ta, NULL, fail_then_wait, &a) == 0);
  CHECK(pthread_create(&tb, NULL, fail_then_wait, &b) == 0);
  pthread_barrier_wait(&barrier);
  CHECK_FAILS(sinabs_set_num_threads(0), SINABS_ERR_INVALID_ARGUMENT);
  pthread_barrier_wait(&barrier);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  pthread_barrier_destroy(&barrier);

  CHECK(strcmp(a.before, "") == 0 && strcmp(b.before, "") == 0);
  CHECK(a.status == SINABS_ERR_INVALID_ARGUMENT && b.status == SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(a.mine, "-7") != NULL && strstr(a.mine, "-9") == NULL);
  CHECK(strstr(b.mine, "-9") != NULL && strstr(b.mine, "-7") == NULL);
  CHECK(strcmp(a.after, a.mine) == 0); /* untouched by b and by main */
  CHECK(strcmp(b.after, b.mine) == 0);
  CHECK(strstr(sinabs_last_error(), "thread") != NULL); /* main's own message */
}

static void test_status_names(void) {
  CHECK(strcmp(sinabs_status_name(SINABS_OK), "SINABS_OK") == 0);
  CHECK(strcmp(sinabs_status_name(SINABS_ERR_INVALID_ARGUMENT), "SINABS_ERR_INVALID_ARGUMENT") == 0);
  CHECK(strcmp(sinabs_status_name(SINABS_ERR_SHAPE), "SINABS_ERR_SHAPE") == 0);
  CHECK(strcmp(sinabs_status_name(SINABS_ERR_OUT_OF_MEMORY), "SINABS_ERR_OUT_OF_MEMORY") == 0);
  CHECK(strcmp(sinabs_status_name(SINABS_ERR_STATE), "SINABS_ERR_STATE") == 0);
  CHECK(strcmp(sinabs_status_name(SINABS_ERR_NOT_FOUND), "SINABS_ERR_NOT_FOUND") == 0);
  CHECK(strcmp(sinabs_status_name(SINABS_ERR_INTERNAL), "SINABS_ERR_INTERNAL") == 0);
  /* Unknown codes still get a name, never NULL. */
  const char *unknown = sinabs_status_name(12345);
  CHECK(unknown != NULL && strncmp(unknown, "SINABS_", 7) == 0);
  CHECK(sinabs_status_name(INT32_MIN) != NULL);
}

static void test_version(void) {
  CHECK(sinabs_version_number() == SINABS_VERSION_NUMBER);
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", SINABS_VERSION_MAJOR, SINABS_VERSION_MINOR,
           SINABS_VERSION_PATCH);
  CHECK(strcmp(sinabs_version_string(), expected) == 0);
}

static void test_num_threads(void) {
  int32_t initial = sinabs_get_num_threads();
  CHECK(initial >= 1 && initial <= 256);
  CHECK_OK(sinabs_set_num_threads(1));
  CHECK(sinabs_get_num_threads() == 1);
  CHECK_OK(sinabs_set_num_threads(256));
  CHECK(sinabs_get_num_threads() == 256);
  CHECK_FAILS(sinabs_set_num_threads(0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_set_num_threads(257), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_set_num_threads(-1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(sinabs_get_num_threads() == 256); /* unchanged by the failures */
  CHECK_OK(sinabs_set_num_threads(initial));
}

int main(void) {
  CHECK(sinabs_last_error() != NULL && sinabs_last_error()[0] == '\0'); /* nothing failed yet */
  test_per_thread_messages();
  test_status_names();
  test_version();
  test_num_threads();
  DONE();
}
