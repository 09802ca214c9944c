// Internal to libsinabs: not installed, not exported (the exports map keeps
// only sinabs_* symbols).
#ifndef SINABS_INTERNAL_H
#define SINABS_INTERNAL_H

/// Stores a copy of `message` (truncated to 1023 bytes) as this thread's
/// sinabs_last_error(); NULL clears it.
void snb_set_last_error(const char *message);

#endif
