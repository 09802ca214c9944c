// A minimal fork-join over pthreads: large kernels split their index range
// across threads; small ones run on the caller. The threads are parked
// workers (workers.c), or new ones while another caller has those.
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include "sinabs_kernels.h"
#include "workers.h"

enum { MAX_THREADS = 256, MIN_WORK_PER_THREAD = 1 << 16 };

static atomic_int configured_threads;  // 0 = not yet decided

static int32_t default_threads(void) {
  const char *env = getenv("SINABS_NUM_THREADS");
  if (env != NULL) {
    long n = strtol(env, NULL, 10);
    if (n >= 1 && n <= MAX_THREADS) return (int32_t)n;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1) return 1;
  return cpus > MAX_THREADS ? MAX_THREADS : (int32_t)cpus;
}

void snk_set_num_threads(int32_t n) {
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  atomic_store(&configured_threads, n);
}

int32_t snk_get_num_threads(void) {
  int n = atomic_load(&configured_threads);
  if (n == 0) {
    n = default_threads();
    atomic_store(&configured_threads, n);
  }
  return n;
}

typedef struct chunk {
  void (*body)(void *, int64_t, int64_t);
  void *context;
  int64_t begin, end;
} chunk;

static void *run_chunk(void *arg) {
  chunk *c = arg;
  c->body(c->context, c->begin, c->end);
  return NULL;
}

// Threads worth using for `count` items of `cost_per_item` each.
static int64_t team_size(int64_t count, int64_t cost_per_item) {
  int64_t threads = snk_get_num_threads();
  int64_t by_work = (count * (cost_per_item > 0 ? cost_per_item : 1)) / MIN_WORK_PER_THREAD;
  if (threads > by_work) threads = by_work;
  if (threads > count) threads = count;
  return threads;
}

// Runs fn(args + i * arg_size) for i in [0, threads): 0 on the caller, the
// rest on the parked workers, or, when another caller has them, on new
// threads; a thread that cannot be created runs inline instead.
static void run_team(int64_t threads, void *(*fn)(void *), char *args, size_t arg_size) {
  if (snk_workers_run(threads, fn, args, arg_size)) return;
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS];
  for (int64_t i = 1; i < threads; i++) {
    started[i] = pthread_create(&ids[i], NULL, fn, args + i * arg_size) == 0;
    if (!started[i]) fn(args + i * arg_size);
  }
  fn(args);
  for (int64_t i = 1; i < threads; i++) {
    if (started[i]) pthread_join(ids[i], NULL);
  }
}

void snk_parallel_for(int64_t count, int64_t cost_per_item,
                      void (*body)(void *, int64_t, int64_t), void *context) {
  if (count <= 0) return;
  const int64_t threads = team_size(count, cost_per_item);
  if (threads <= 1) {
    body(context, 0, count);
    return;
  }
  chunk chunks[MAX_THREADS];
  for (int64_t i = 0; i < threads; i++) {
    chunks[i] = (chunk){body, context, count * i / threads, count * (i + 1) / threads};
  }
  run_team(threads, run_chunk, (char *)chunks, sizeof(chunk));
}

// Dynamic schedule: every thread claims the next `grain` items until none
// are left, so a thread slowed by another process on its core does less.
// Bodies get the claiming thread's seat (for per-thread scratch).
typedef struct claimed_range {
  void (*body)(void *, int64_t, int64_t, int64_t);
  void *context;
  int64_t count, grain;
  _Atomic int64_t next;
} claimed_range;

typedef struct seat {
  claimed_range *range;
  int64_t worker;
} seat;

static void *claim(void *arg) {
  const seat *me = arg;
  claimed_range *range = me->range;
  for (;;) {
    const int64_t begin = atomic_fetch_add(&range->next, range->grain);
    if (begin >= range->count) return NULL;
    const int64_t end = range->count - begin > range->grain ? begin + range->grain : range->count;
    range->body(range->context, me->worker, begin, end);
  }
}

static void run_claims(claimed_range *range, int64_t threads) {
  seat seats[MAX_THREADS];
  for (int64_t i = 0; i < threads; i++) seats[i] = (seat){range, i};
  run_team(threads, claim, (char *)seats, sizeof(seat));
}

// snk_parallel_for_dynamic's bodies, which do not take the seat.
typedef struct unseated {
  void (*body)(void *, int64_t, int64_t);
  void *context;
} unseated;

static void without_seat(void *context, int64_t worker, int64_t begin, int64_t end) {
  (void)worker;
  const unseated *u = context;
  u->body(u->context, begin, end);
}

void snk_parallel_for_dynamic(int64_t count, int64_t cost_per_item,
                              void (*body)(void *, int64_t, int64_t), void *context) {
  if (count <= 0) return;
  const int64_t threads = team_size(count, cost_per_item);
  if (threads <= 1) {
    body(context, 0, count);
    return;
  }
  // About 8 claims per thread: load balance at a few atomics per call.
  int64_t grain = count / (threads * 8);
  unseated u = {body, context};
  claimed_range range = {without_seat, &u, count, grain > 0 ? grain : 1, 0};
  run_claims(&range, threads);
}

int64_t snk_parallel_team(int64_t count, int64_t cost_per_item) {
  const int64_t threads = team_size(count, cost_per_item);
  return threads > 1 ? threads : 1;
}

void snk_parallel_for_workers(int64_t count, int64_t workers,
                              void (*body)(void *, int64_t, int64_t, int64_t), void *context) {
  if (count <= 0) return;
  if (workers > count) workers = count;
  if (workers > MAX_THREADS) workers = MAX_THREADS;
  if (workers <= 1) {
    body(context, 0, 0, count);
    return;
  }
  claimed_range range = {body, context, count, 1, 0};
  run_claims(&range, workers);
}
