/* 8 threads for 2 seconds over three shared layers, called directly and
 * through three models that share them. Every call must either succeed with
 * the right numbers or fail with STATE and the "busy" message; no crash.
 * The layers' outputs do not depend on their carried state, so each result
 * can be checked exactly: a Linear whose weight is a permutation (exact in
 * float), a LIF and an ExpLeak with tau_mem 1e-3 (alpha = exp(-1000) = 0:
 * the membrane is the step's input), so LIF gives trunc(x) for x > 0 and
 * ExpLeak gives x. Inputs change batch and time between calls, so states are
 * re-created all the time (the crash of issue 8). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <time.h>
#include "check.h"

enum { THREADS = 8, F = 32, MAX_B = 3, MAX_T = 12, SECONDS = 2 };

static sinabs_layer *lin, *lif, *leak;
static sinabs_model *models[3];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float linear_of(const float *row, int j) { return row[(j * 7 + 3) % F] + 0.5f; }
static float spikes_of(float v) { return v > 0 ? truncf(v) : 0.0f; }

/* Expected output element `i` of call kind `k` (0-2 models, 3-5 layers). */
static float expected(int k, const float *x, int64_t i) {
  const float *row = x + (i / F) * F;
  int j = (int)(i % F);
  switch (k) {
  case 0: return spikes_of(linear_of(row, j));    /* lin, lif */
  case 1: return linear_of(row, j);               /* leak, lin */
  case 2: case 4: return spikes_of(row[j]);       /* lif, leak; lif */
  case 3: return linear_of(row, j);               /* lin */
  default: return row[j];                         /* leak */
  }
}

typedef struct { unsigned seed; long ok, busy, wrong, other; } tally;

static void *worker(void *arg) {
  tally *t = arg;
  double stop = now() + SECONDS;
  while (now() < stop) {
    t->seed = t->seed * 1103515245u + 12345u;
    int k = (int)((t->seed >> 16) % 7);
    int64_t shape[3] = {1 + (t->seed >> 8) % MAX_B, 1 + (t->seed >> 4) % MAX_T, F};
    int64_t n = shape[0] * shape[1] * F;
    sinabs_tensor *x = NULL, *y = NULL;
    if (sinabs_tensor_create(&x, shape, 3) != SINABS_OK) { t->other++; continue; }
    float *xd = data_of(x);
    for (int64_t i = 0; i < n; i++) {
      t->seed = t->seed * 1103515245u + 12345u;
      xd[i] = (float)((int)((t->seed >> 16) % 40) - 8) / 8.0f; /* -1 .. 3.875, exact */
    }
    sinabs_status s;
    int check_kind = k;
    if (k < 3) {
      s = sinabs_model_forward(&y, models[k], x);
    } else if (k < 6) {
      sinabs_layer *layer = k == 3 ? lin : k == 4 ? lif : leak;
      s = sinabs_layer_forward(&y, layer, x);
    } else { /* forward_into caller memory */
      s = sinabs_tensor_create(&y, shape, 3);
      if (s == SINABS_OK) s = sinabs_layer_forward_into(y, lif, x);
      check_kind = 4;
    }
    if (s == SINABS_OK) {
      const float *yd = data_of(y);
      int good = 1;
      for (int64_t i = 0; i < n && good; i++) good = yd[i] == expected(check_kind, xd, i);
      if (good) t->ok++; else t->wrong++;
    } else if (s == SINABS_ERR_STATE && strstr(sinabs_last_error(), "busy")) {
      t->busy++;
    } else {
      fprintf(stderr, "unexpected status %d: %s\n", s, sinabs_last_error());
      t->other++;
    }
    sinabs_tensor_free(y);
    sinabs_tensor_free(x);
  }
  return NULL;
}

static sinabs_layer *neuron(int32_t model) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  if (sinabs_neuron_options_init(&o, model) != SINABS_OK) exit(2);
  o.tau_mem = 1e-3f;
  if (sinabs_neuron_layer_create(&layer, &o) != SINABS_OK) exit(2);
  return layer;
}

/* Phase 2: a Conv2d shared by a model being trained (train_step, optimizer
 * step, model backward) and a direct forward, from four threads. Weights
 * change, so results are checked for shape and finiteness; every call must
 * succeed or be refused as busy. */
static sinabs_layer *conv;
static sinabs_model *trained;
static sinabs_optimizer *optimizer;
enum { C_IN = 2, C_OUT = 3, H = 6 };

static void *training_worker(void *arg) {
  tally *t = arg;
  int64_t in_shape[4] = {2, C_IN, H, H}, out_shape[4] = {2, C_OUT, H - 2, H - 2};
  sinabs_tensor *x = tensor_of(in_shape, 4, NULL), *target = tensor_of(out_shape, 4, NULL);
  for (int64_t i = 0; i < 2 * C_IN * H * H; i++) data_of(x)[i] = (float)(i % 5) / 4.0f;
  double stop = now() + 1.5;
  while (now() < stop) {
    t->seed = t->seed * 1103515245u + 12345u;
    int k = (int)((t->seed >> 16) % 4);
    sinabs_tensor *y = NULL;
    float loss = 0;
    sinabs_status s;
    if (k == 0) s = sinabs_model_train_step(&loss, trained, optimizer, x, target, SINABS_LOSS_MSE);
    else if (k == 1) s = sinabs_optimizer_step(optimizer);
    else if (k == 2) s = sinabs_layer_forward(&y, conv, x);
    else s = sinabs_model_backward(&y, trained, target); /* STATE without a training forward: fine */
    if (s == SINABS_OK && k == 2) {
      int good = 1;
      int64_t n = 0;
      if (sinabs_tensor_numel(&n, y) != SINABS_OK || n != 2 * C_OUT * (H - 2) * (H - 2)) good = 0;
      for (int64_t i = 0; i < n && good; i++) good = isfinite(data_of(y)[i]);
      if (good) t->ok++; else t->wrong++;
    } else if (s == SINABS_OK) {
      t->ok++;
    } else if (s == SINABS_ERR_STATE && strstr(sinabs_last_error(), "busy")) {
      t->busy++;
    } else if (s == SINABS_ERR_STATE && k == 3) {
      t->ok++; /* a backward with no training forward left to go back through */
    } else {
      fprintf(stderr, "unexpected status %d: %s\n", s, sinabs_last_error());
      t->other++;
    }
    sinabs_tensor_free(y);
  }
  sinabs_tensor_free(x);
  sinabs_tensor_free(target);
  return NULL;
}

static void stress_training(void) {
  sinabs_conv2d_options co;
  sinabs_optimizer_options oo;
  CHECK_OK(sinabs_conv2d_options_init(&co, C_IN, C_OUT, 3, 3));
  CHECK_OK(sinabs_conv2d_layer_create(&conv, &co));
  CHECK_OK(sinabs_model_create(&trained));
  CHECK_OK(sinabs_model_append(trained, conv));
  CHECK_OK(sinabs_model_set_training(trained, 1));
  CHECK_OK(sinabs_optimizer_options_init(&oo, SINABS_OPTIMIZER_SGD));
  oo.lr = 1e-4f;
  CHECK_OK(sinabs_optimizer_create(&optimizer, trained, &oo));
  pthread_t ids[4];
  tally tallies[4] = {{0}};
  for (int i = 0; i < 4; i++) {
    tallies[i].seed = 99u + (unsigned)i * 31u;
    CHECK(pthread_create(&ids[i], NULL, training_worker, &tallies[i]) == 0);
  }
  long ok = 0, busy = 0, wrong = 0, other = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(ids[i], NULL);
    ok += tallies[i].ok;
    busy += tallies[i].busy;
    wrong += tallies[i].wrong;
    other += tallies[i].other;
  }
  printf("training stress: %ld calls done, %ld refused, %ld wrong, %ld other errors\n", ok, busy, wrong, other);
  CHECK(ok > 0 && wrong == 0 && other == 0);
  CHECK(busy > 0);
  sinabs_optimizer_free(optimizer);
  sinabs_model_free(trained);
  sinabs_layer_free(conv);
}

int main(void) {
  CHECK_OK(sinabs_linear_layer_create(&lin, F, F, 1));
  sinabs_tensor *w = NULL, *b = NULL;
  CHECK_OK(sinabs_layer_get_parameter(&w, lin, "weight"));
  CHECK_OK(sinabs_layer_get_parameter(&b, lin, "bias"));
  for (int64_t i = 0; i < (int64_t)F * F; i++) data_of(w)[i] = 0.0f; /* not torch's random init */
  for (int j = 0; j < F; j++) {
    data_of(w)[j * F + (j * 7 + 3) % F] = 1.0f; /* y_j = x_{(7j+3) mod F} + 0.5 */
    data_of(b)[j] = 0.5f;
  }
  sinabs_tensor_free(w);
  sinabs_tensor_free(b);
  lif = neuron(SINABS_NEURON_LIF);
  leak = neuron(SINABS_NEURON_EXPLEAK);
  sinabs_layer *members[3][2] = {{lin, lif}, {leak, lin}, {lif, leak}};
  for (int m = 0; m < 3; m++) {
    CHECK_OK(sinabs_model_create(&models[m]));
    for (int i = 0; i < 2; i++) CHECK_OK(sinabs_model_append(models[m], members[m][i]));
  }
  CHECK_OK(sinabs_set_num_threads(1)); /* the test's threads are the parallelism */

  pthread_t ids[THREADS];
  tally tallies[THREADS] = {{0}};
  for (int i = 0; i < THREADS; i++) {
    tallies[i].seed = 1234u + (unsigned)i * 77u;
    CHECK(pthread_create(&ids[i], NULL, worker, &tallies[i]) == 0);
  }
  long ok = 0, busy = 0, wrong = 0, other = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(ids[i], NULL);
    CHECK(tallies[i].ok > 0);
    ok += tallies[i].ok;
    busy += tallies[i].busy;
    wrong += tallies[i].wrong;
    other += tallies[i].other;
  }
  printf("stress: %ld calls right, %ld refused as busy, %ld wrong, %ld other errors\n", ok, busy, wrong,
         other);
  CHECK(wrong == 0 && other == 0);
  CHECK(busy > 0); /* the calls did overlap */
  for (int m = 0; m < 3; m++) sinabs_model_free(models[m]);
  sinabs_layer_free(lin);
  sinabs_layer_free(lif);
  sinabs_layer_free(leak);
  stress_training();
  DONE();
}
