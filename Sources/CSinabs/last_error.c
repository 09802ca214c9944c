// The per-thread error message behind sinabs_last_error(). Kept in C because
// a _Thread_local buffer is the simplest storage that is never NULL and needs
// no cleanup when a thread exits.
#include <string.h>
#include "sinabs.h"
#include "sinabs_internal.h"

static _Thread_local char last_error[1024];

const char *sinabs_last_error(void) { return last_error; }

void snb_set_last_error(const char *message) {
  if (message == NULL) {
    last_error[0] = '\0';
    return;
  }
  size_t n = strlen(message);
  if (n >= sizeof last_error) n = sizeof last_error - 1;
  memcpy(last_error, message, n);
  last_error[n] = '\0';
}
