/* A call that fails for want of memory changes nothing: a training forward
 * whose tape cannot be allocated keeps the last training forward's tape (its
 * backward still works and gives the same gradients) and the states. The
 * library's test hook SINABS_TEST_ALLOC_LIMIT makes allocations above a size
 * fail; inputs and outputs are wrapped caller memory, so only the layer's
 * own buffers are allocated. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

enum { SMALL_T = 10, BIG_T = 100, N = 1000 };

static sinabs_layer *lif(void) {
  sinabs_neuron_options o;
  sinabs_layer *layer = NULL;
  if (sinabs_neuron_options_init(&o, SINABS_NEURON_LIF) != SINABS_OK) exit(2);
  o.tau_mem = 5;
  if (sinabs_neuron_layer_create(&layer, &o) != SINABS_OK) exit(2);
  if (sinabs_layer_set_training(layer, 1) != SINABS_OK) exit(2);
  return layer;
}

static float small_x[SMALL_T * N], small_y[SMALL_T * N], ones[SMALL_T * N];
static float big_x[BIG_T * N], big_y[BIG_T * N];

/* Training forward on the small input, then backward: the input gradient's
 * first element and d tau_mem, with `fail_in_between` a forward that runs
 * out of memory between the two. */
static void train_step(int fail_in_between, float *out_grad0, float *out_dtau, float *out_v) {
  sinabs_layer *layer = lif();
  int64_t small[3] = {1, SMALL_T, N}, big[3] = {1, BIG_T, N};
  sinabs_tensor *x = NULL, *y = NULL, *gy = NULL, *bx = NULL, *by = NULL, *gx = NULL, *dtau = NULL, *v = NULL;
  CHECK_OK(sinabs_tensor_wrap(&x, small, 3, small_x, NULL, NULL));
  CHECK_OK(sinabs_tensor_wrap(&y, small, 3, small_y, NULL, NULL));
  CHECK_OK(sinabs_tensor_wrap(&gy, small, 3, ones, NULL, NULL));
  CHECK_OK(sinabs_layer_forward_into(y, layer, x));
  if (fail_in_between) {
    CHECK_OK(sinabs_tensor_wrap(&bx, big, 3, big_x, NULL, NULL));
    CHECK_OK(sinabs_tensor_wrap(&by, big, 3, big_y, NULL, NULL));
    CHECK_FAILS(sinabs_layer_forward_into(by, layer, bx), SINABS_ERR_OUT_OF_MEMORY);
    /* Also a new batch size (new states) and new time length (new tape). */
    int64_t other[3] = {2, BIG_T / 2, N};
    sinabs_tensor *ox = NULL;
    CHECK_OK(sinabs_tensor_reshape(&ox, bx, other, 3));
    CHECK_FAILS(sinabs_layer_forward_into(by, layer, ox), SINABS_ERR_OUT_OF_MEMORY);
    sinabs_tensor_free(ox);
  }
  CHECK_OK(sinabs_layer_backward(&gx, layer, gy));
  CHECK_OK(sinabs_layer_get_grad(&dtau, layer, "tau_mem"));
  CHECK_OK(sinabs_layer_get_state(&v, layer, "v_mem"));
  int64_t count = 0;
  CHECK_OK(sinabs_tensor_numel(&count, v));
  CHECK(count == N); /* the states of the small forward: (1, N) */
  if (gx && dtau && v) {
    *out_grad0 = data_of(gx)[0];
    *out_dtau = data_of(dtau)[0];
    *out_v = data_of(v)[N - 1];
  }
  sinabs_tensor *tensors[] = {x, y, gy, bx, by, gx, dtau, v};
  for (size_t i = 0; i < sizeof tensors / sizeof tensors[0]; i++) sinabs_tensor_free(tensors[i]);
  sinabs_layer_free(layer);
}

int main(void) {
  /* The small tape (40 kB) fits; the big one (400 kB) does not. */
  setenv("SINABS_TEST_ALLOC_LIMIT", "100000", 1);
  for (int i = 0; i < SMALL_T * N; i++) {
    small_x[i] = (float)(i % 7) * 0.4f;
    ones[i] = 1.0f;
  }
  float grad0 = 0, dtau = 0, v = 0, grad0_failed = 1, dtau_failed = 1, v_failed = 1;
  train_step(0, &grad0, &dtau, &v);
  train_step(1, &grad0_failed, &dtau_failed, &v_failed);
  CHECK(dtau != 0);
  CHECK(grad0 == grad0_failed && dtau == dtau_failed && v == v_failed);

  /* The hook does fail plain allocations above the limit. */
  sinabs_tensor *t = NULL;
  int64_t huge[1] = {1000000};
  CHECK_FAILS(sinabs_tensor_create(&t, huge, 1), SINABS_ERR_OUT_OF_MEMORY);
  DONE();
}
