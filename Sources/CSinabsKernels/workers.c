// Parked worker threads for snk_parallel_for: a forward of a conv SNN runs
// several parallel calls a few microseconds apart, and starting a thread for
// each costs about 40 us on the critical path. Workers are started on first
// use, run slot i of each team call, spin for a short while for the next
// call (so a core is not kept busy for longer than that) and then sleep on a
// condition variable. One caller at a time uses them; a second, concurrent or
// nested caller gets 0 and starts threads of its own as before. After fork()
// the child starts with none; unloading the library stops and joins them.
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "workers.h"

enum { MAX_WORKERS = 255 };
static const int64_t SPIN_NS = 100 * 1000;

typedef struct task {
  void *(*fn)(void *);
  char *args;
  size_t arg_size;
  int64_t team;
} task;

// What a worker starts with: its slot and the generation it has seen (the
// one current when it was started, so that it waits for the next).
typedef struct worker_start {
  int64_t slot;
  uint64_t seen;
} worker_start;

static struct {
  pthread_mutex_t owner;  // held by the caller whose team is running
  pthread_mutex_t lock;   // guards the sleeps below
  pthread_cond_t wake, done;
  pthread_t ids[MAX_WORKERS];
  worker_start starts[MAX_WORKERS];
  int64_t started;
  task current;
  _Atomic uint64_t generation;
  _Atomic int64_t pending;
  _Atomic int stop;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER};

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins up to SPIN_NS for `done` to hold, then returns whether it does.
static int spin_until(int (*done)(uint64_t), uint64_t value) {
  const int64_t start = now_ns();
  for (int i = 0;; i++) {
    if (done(value)) return 1;
    relax();
    if ((i & 255) == 255 && now_ns() - start > SPIN_NS) return done(value);
  }
}

static int new_generation(uint64_t seen) {
  return atomic_load(&pool.generation) != seen || atomic_load(&pool.stop);
}

static int all_done(uint64_t unused) {
  (void)unused;
  return atomic_load(&pool.pending) == 0;
}

static void *work(void *arg) {
  const int64_t slot = ((const worker_start *)arg)->slot;
  uint64_t seen = ((const worker_start *)arg)->seen;
  for (;;) {
    if (!spin_until(new_generation, seen)) {
      pthread_mutex_lock(&pool.lock);
      while (!new_generation(seen)) pthread_cond_wait(&pool.wake, &pool.lock);
      pthread_mutex_unlock(&pool.lock);
    }
    if (atomic_load(&pool.stop)) return NULL;
    seen = atomic_load(&pool.generation);
    const task t = pool.current;
    if (slot < t.team) t.fn(t.args + slot * t.arg_size);
    if (atomic_fetch_sub(&pool.pending, 1) == 1) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
  }
}

// The child of a fork() has none of the parent's threads: forget them.
static void forget_after_fork(void) {
  pthread_mutex_init(&pool.owner, NULL);
  pthread_mutex_init(&pool.lock, NULL);
  pthread_cond_init(&pool.wake, NULL);
  pthread_cond_init(&pool.done, NULL);
  pool.started = 0;
  atomic_store(&pool.pending, 0);
  atomic_store(&pool.stop, 0);
}

static pthread_once_t at_fork_once = PTHREAD_ONCE_INIT;
static void register_at_fork(void) { pthread_atfork(NULL, NULL, forget_after_fork); }

// Starts workers up to slot `team - 1`; returns how many exist.
static int64_t start_workers(int64_t team) {
  pthread_once(&at_fork_once, register_at_fork);
  if (team - 1 > MAX_WORKERS) team = MAX_WORKERS + 1;
  while (pool.started < team - 1) {
    worker_start *start = &pool.starts[pool.started];
    *start = (worker_start){pool.started + 1, atomic_load(&pool.generation)};
    if (pthread_create(&pool.ids[pool.started], NULL, work, start) != 0) break;
    pool.started++;
  }
  return pool.started;
}

int snk_workers_run(int64_t team, void *(*fn)(void *), char *args, size_t arg_size) {
  if (pthread_mutex_trylock(&pool.owner) != 0) return 0;
  if (atomic_load(&pool.stop) || start_workers(team) < team - 1) {
    pthread_mutex_unlock(&pool.owner);
    return 0;
  }
  pool.current = (task){fn, args, arg_size, team};
  atomic_store(&pool.pending, pool.started);
  pthread_mutex_lock(&pool.lock);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  fn(args);
  if (!spin_until(all_done, 0)) {
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.pending) != 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
  }
  pthread_mutex_unlock(&pool.owner);
  return 1;
}

// Before the library's code goes away (dlclose, exit): wake every worker
// and wait until it has returned.
// (A call still running on another thread, e.g. at exit(), is not waited
// for: its workers stop after it.)
__attribute__((destructor)) static void stop_workers(void) {
  const int owned = pthread_mutex_trylock(&pool.owner) == 0;
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.stop, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  if (!owned) return;
  for (int64_t i = 0; i < pool.started; i++) pthread_join(pool.ids[i], NULL);
  pool.started = 0;
  pthread_mutex_unlock(&pool.owner);
}
