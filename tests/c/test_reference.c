/* Parity from C with the real sinabs: the IAF (and one LIF) reference cases
 * run through the C ABI reproduce sinabs' output exactly, and its final v_mem,
 * per-step v_mem recordings, firing rate and gradients (1e-4 relative, 1e-5
 * absolute).
 * The cases are found in $SINABS_REFERENCE_DIR, else tests/reference/cases
 * relative to the working directory (the repository root under make). */
#include "check.h"
#include "reference_json.h"

static int close_enough(float got, float want) {
  return fabsf(got - want) <= 1e-5f + 1e-4f * fabsf(want);
}

/* A tensor of the layer's (from get_state / get_recording) equals `want`:
 * same shape, every element close. */
static void check_tensor_close(const sinabs_tensor *got, const ref_tensor *want, const char *what) {
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = -1;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, got));
  int same_shape = rank == want->rank;
  for (int32_t i = 0; same_shape && i < rank; i++) same_shape = dims[i] == want->shape[i];
  CHECK(same_shape);
  if (!same_shape) return;
  const float *g = data_of(got);
  int64_t mismatches = 0;
  for (int64_t i = 0; i < want->count; i++) mismatches += !close_enough(g[i], want->data[i]);
  if (mismatches) fprintf(stderr, "%s: %lld of %lld values differ\n", what, (long long)mismatches,
                          (long long)want->count);
  CHECK(mismatches == 0);
}

static void run_case(const char *dir, const char *name) {
  char *json = ref_load(dir, name);
  CHECK(json != NULL);
  if (!json) {
    fprintf(stderr, "cannot read %s/%s.json (set SINABS_REFERENCE_DIR)\n", dir, name);
    return;
  }
  ref_tensor input, output, v_after, v_record;
  CHECK(ref_read_tensor(json, "input", &input));
  CHECK(ref_read_tensor(json, "output", &output));
  CHECK(ref_read_tensor(json, "state_after.v_mem", &v_after));
  CHECK(ref_read_tensor(json, "recordings.v_mem", &v_record));
  double firing_rate = ref_read_number(json, "firing_rate", NAN);
  ref_tensor upstream, grad_input;
  CHECK(ref_read_tensor(json, "upstream_grad", &upstream));
  CHECK(ref_read_tensor(json, "grads.input", &grad_input));
  const char *type = json_find(json, "layer.type");
  int lif = type && strncmp(type, "\"LIF\"", 5) == 0;
  CHECK(type && (lif || strncmp(type, "\"IAF\"", 5) == 0));

  sinabs_neuron_options options;
  CHECK_OK(sinabs_neuron_options_init(&options, lif ? SINABS_NEURON_LIF : SINABS_NEURON_IAF));
  options.record_states = (int32_t)ref_read_number(json, "layer.params.record_states", 0);
  options.tau_mem = (float)ref_read_number(json, "layer.params.tau_mem", options.tau_mem);
  CHECK(options.record_states == 1);
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &options));
  CHECK_OK(sinabs_layer_set_training(layer, 1));

  sinabs_tensor *x = NULL, *y = NULL, *state = NULL, *recording = NULL;
  CHECK_OK(sinabs_tensor_create_copy(&x, input.shape, input.rank, input.data, input.count));
  CHECK_OK(sinabs_layer_forward(&y, layer, x));
  if (y) {
    int64_t n = 0;
    CHECK_OK(sinabs_tensor_numel(&n, y));
    CHECK(n == output.count);
    const float *spikes = data_of(y);
    int64_t differ = 0;
    for (int64_t i = 0; n == output.count && i < n; i++) differ += spikes[i] != output.data[i];
    if (differ) fprintf(stderr, "%s: %lld spike counts differ\n", name, (long long)differ);
    CHECK(differ == 0);
  }
  CHECK_OK(sinabs_layer_get_state(&state, layer, "v_mem"));
  if (state) check_tensor_close(state, &v_after, "state_after.v_mem");
  CHECK_OK(sinabs_layer_get_recording(&recording, layer, "v_mem"));
  if (recording) check_tensor_close(recording, &v_record, "recordings.v_mem");
  float rate = -1;
  CHECK_OK(sinabs_layer_firing_rate(&rate, layer));
  CHECK(close_enough(rate, (float)firing_rate));

  /* Backward through the training forward: sinabs' input gradient for
   * loss = sum(output * upstream_grad), and LIF's tau_mem gradient. */
  sinabs_tensor *g_out = NULL, *g_in = NULL, *g_tau = NULL;
  CHECK_OK(sinabs_tensor_create_copy(&g_out, upstream.shape, upstream.rank, upstream.data, upstream.count));
  CHECK_OK(sinabs_layer_backward(&g_in, layer, g_out));
  if (g_in) check_tensor_close(g_in, &grad_input, "grads.input");
  if (lif) {
    ref_tensor grad_tau;
    CHECK(ref_read_tensor(json, "grads.tau_mem", &grad_tau));
    CHECK_OK(sinabs_layer_get_grad(&g_tau, layer, "tau_mem"));
    if (g_tau) check_tensor_close(g_tau, &grad_tau, "grads.tau_mem");
    free(grad_tau.data);
  }
  printf("%s: input %lld values; output, v_mem, recordings, firing rate %.6f, input%s gradient checked\n",
         name, (long long)input.count, rate, lif ? " and tau_mem" : "");
  sinabs_tensor_free(g_tau);
  sinabs_tensor_free(g_in);
  sinabs_tensor_free(g_out);
  free(upstream.data);
  free(grad_input.data);

  sinabs_tensor_free(recording);
  sinabs_tensor_free(state);
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
  sinabs_layer_free(layer);
  free(input.data);
  free(output.data);
  free(v_after.data);
  free(v_record.data);
  free(json);
}

/* The reader itself, on a snippet with the awkward parts. */
static void test_reader(void) {
  const char *json = "{\"a\": {\"s\": \"x}]\\\"\", \"t\": {\"shape\": [2], \"data\": [1.5, -2e-1]}},"
                     " \"b\": true, \"c\": [[1], {\"t\": 1}], \"t\": {\"shape\": [], \"data\": [7]}}";
  ref_tensor t;
  CHECK(ref_read_tensor(json, "a.t", &t));
  CHECK(t.rank == 1 && t.shape[0] == 2 && t.data[0] == 1.5f && t.data[1] == -0.2f);
  free(t.data);
  CHECK(ref_read_tensor(json, "t", &t));
  CHECK(t.rank == 0 && t.count == 1 && t.data[0] == 7.0f);
  free(t.data);
  CHECK(ref_read_number(json, "b", 0) == 1);
  CHECK(json_find(json, "a.missing") == NULL);
  CHECK(!ref_read_tensor(json, "c", &t));
}

int main(void) {
  test_reader();
  const char *dir = getenv("SINABS_REFERENCE_DIR");
  if (!dir || !*dir) dir = "tests/reference/cases";
  run_case(dir, "iaf_default");
  run_case(dir, "iaf_5d");
  run_case(dir, "lif_default");
  DONE();
}
