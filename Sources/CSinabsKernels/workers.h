// Parked worker threads for parallel.c (workers.c).
#ifndef SNK_WORKERS_H
#define SNK_WORKERS_H

#include <stddef.h>
#include <stdint.h>

/// Runs fn(args + i * arg_size) for i in [0, team): 0 on the caller, the
/// rest on parked workers; returns 1. Returns 0 without running anything
/// when the workers are busy with another caller's team (or this is a
/// nested call) or cannot be started.
int snk_workers_run(int64_t team, void *(*fn)(void *), char *args, size_t arg_size);

#endif
