/* sinabs_neuron_options_init defaults and every validation of
 * sinabs_neuron_layer_create: each bad option is an INVALID_ARGUMENT with a
 * message naming it, and `*out` is NULL afterwards. */
#include <stddef.h>
#include <string.h>
#include "check.h"

static sinabs_neuron_options defaults(int32_t model) {
  sinabs_neuron_options o;
  memset(&o, 0xAB, sizeof o); /* init must write every field */
  if (sinabs_neuron_options_init(&o, model) != SINABS_OK) {
    fprintf(stderr, "options_init(%d) failed: %s\n", model, sinabs_last_error());
    exit(2);
  }
  return o;
}

/* Creates a layer from `o`, expects `status`, and (on failure) a message
 * containing `word` and a NULL handle. */
#define EXPECT_CREATE(o, status, word)                                       \
  do {                                                                       \
    sinabs_layer *layer_ = STALE(sinabs_layer);                              \
    CHECK_STATUS(sinabs_neuron_layer_create(&layer_, &(o)), status);         \
    if ((status) != SINABS_OK) {                                             \
      CHECK(layer_ == NULL);                                                 \
      CHECK(strstr(sinabs_last_error(), word) != NULL);                      \
    } else {                                                                 \
      CHECK(layer_ != NULL);                                                 \
    }                                                                        \
    sinabs_layer_free(status == SINABS_OK ? layer_ : NULL);                  \
  } while (0)

static void test_init(void) {
  const int32_t models[4] = {SINABS_NEURON_IAF, SINABS_NEURON_LIF, SINABS_NEURON_EXPLEAK,
                             SINABS_NEURON_ALIF};
  for (int i = 0; i < 4; i++) {
    sinabs_neuron_options o = defaults(models[i]);
    CHECK(o.struct_size == sizeof(sinabs_neuron_options));
    CHECK(o.model == models[i]);
    CHECK(o.form == SINABS_FORM_PLAIN);
    CHECK(o.spike_threshold == 1.0f);
    CHECK(isnan(o.tau_syn) && isnan(o.subtract_value) && isnan(o.min_v_mem));
    CHECK(o.reset_fn == SINABS_RESET_SUBTRACT);
    CHECK(o.surrogate_fn == SINABS_SURROGATE_SINGLE_EXPONENTIAL);
    CHECK(o.grad_width == 0.5f && o.grad_scale == 1.0f);
    CHECK(o.adapt_scale == 1.8f);
    CHECK(o.record_states == 0 && o.train_alphas == 0);
    CHECK(o.batch_size == 0 && o.num_timesteps == 0 && o.recurrent_features == 0);
    /* sinabs: LIF and ALIF normalise the input, IAF and ExpLeak do not; only
     * ALIF defaults to SingleSpike. */
    int normalises = models[i] == SINABS_NEURON_LIF || models[i] == SINABS_NEURON_ALIF;
    CHECK(o.norm_input == normalises);
    CHECK(o.spike_fn == (models[i] == SINABS_NEURON_ALIF ? SINABS_SPIKE_SINGLE : SINABS_SPIKE_MULTI));
    EXPECT_CREATE(o, SINABS_OK, "");
  }
  sinabs_neuron_options o;
  o.struct_size = 7;
  CHECK_FAILS(sinabs_neuron_options_init(&o, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "model") != NULL);
  CHECK(o.struct_size == 7); /* nothing written on failure */
  CHECK_FAILS(sinabs_neuron_options_init(&o, 5), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_neuron_options_init(&o, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_neuron_options_init(NULL, SINABS_NEURON_IAF), SINABS_ERR_INVALID_ARGUMENT);
}

static void test_time_constants(void) {
  sinabs_neuron_options o = defaults(SINABS_NEURON_LIF);
  o.tau_mem = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_mem");
  o.tau_mem = -3;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_mem");
  o.tau_mem = NAN;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_mem");
  o.tau_mem = INFINITY;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_mem");
  o = defaults(SINABS_NEURON_LIF);
  o.tau_syn = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_syn");
  o.tau_syn = 5; /* a real synaptic time constant is fine */
  EXPECT_CREATE(o, SINABS_OK, "");

  /* IAF has no membrane time constant: tau_mem is ignored. */
  o = defaults(SINABS_NEURON_IAF);
  o.tau_mem = -1;
  EXPECT_CREATE(o, SINABS_OK, "");

  o = defaults(SINABS_NEURON_ALIF);
  o.tau_adapt = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_adapt");
  o.tau_adapt = NAN;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "tau_adapt");
  o = defaults(SINABS_NEURON_ALIF);
  o.adapt_scale = INFINITY;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "adapt_scale");
}

static void test_threshold_and_reset(void) {
  sinabs_neuron_options o = defaults(SINABS_NEURON_IAF);
  o.spike_threshold = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "spike_threshold");
  o.spike_threshold = -1;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "spike_threshold");
  o.spike_threshold = NAN;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "spike_threshold");

  o = defaults(SINABS_NEURON_IAF);
  o.spike_fn = SINABS_SPIKE_MAX;
  o.max_num_spikes_per_bin = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "max_num_spikes_per_bin");
  o.max_num_spikes_per_bin = 3;
  EXPECT_CREATE(o, SINABS_OK, "");

  o = defaults(SINABS_NEURON_IAF);
  o.subtract_value = INFINITY;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "subtract_value");
  o = defaults(SINABS_NEURON_IAF);
  o.reset_fn = SINABS_RESET_MEMBRANE;
  o.reset_value = NAN;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "reset_value");
  o = defaults(SINABS_NEURON_IAF);
  o.min_v_mem = -INFINITY;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "min_v_mem");
}

static void test_unknown_enums(void) {
  sinabs_neuron_options o = defaults(SINABS_NEURON_IAF);
  o.model = 9;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "model");
  o = defaults(SINABS_NEURON_IAF);
  o.form = 3;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "form");
  o.form = -1;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "form");
  o = defaults(SINABS_NEURON_IAF);
  o.spike_fn = 3;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "spike_fn");
  o = defaults(SINABS_NEURON_IAF);
  o.reset_fn = 2;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "reset_fn");
  o = defaults(SINABS_NEURON_IAF);
  o.surrogate_fn = 5;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "surrogate_fn");
  o = defaults(SINABS_NEURON_IAF);
  o.norm_input = 2;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "norm_input");
  o = defaults(SINABS_NEURON_IAF);
  o.train_alphas = -1;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "train_alphas");
  o = defaults(SINABS_NEURON_IAF);
  o.record_states = 7;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "record_states");
}

static void test_surrogates(void) {
  sinabs_neuron_options o = defaults(SINABS_NEURON_IAF);
  o.grad_width = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "grad_width");
  o = defaults(SINABS_NEURON_IAF);
  o.surrogate_fn = SINABS_SURROGATE_GAUSSIAN;
  o.sigma = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "sigma");
  o = defaults(SINABS_NEURON_IAF);
  o.surrogate_fn = SINABS_SURROGATE_MULTI_GAUSSIAN;
  o.s = -1;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "s must be");
  o = defaults(SINABS_NEURON_IAF);
  o.surrogate_fn = SINABS_SURROGATE_HEAVISIDE;
  o.window = NAN;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "window");
}

static void test_forms(void) {
  sinabs_neuron_options o = defaults(SINABS_NEURON_IAF);
  o.form = SINABS_FORM_SQUEEZE; /* neither batch_size nor num_timesteps */
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "batch_size");
  o.batch_size = -2;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "batch_size");
  o.batch_size = 0;
  o.num_timesteps = -1;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "num_timesteps");
  o.num_timesteps = 4;
  EXPECT_CREATE(o, SINABS_OK, "");
  o.batch_size = 2;
  EXPECT_CREATE(o, SINABS_OK, "");
  /* Both given and their product overflows: forward would multiply them. */
  o.batch_size = INT64_C(1) << 62;
  o.num_timesteps = 4;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "overflow");

  o = defaults(SINABS_NEURON_LIF);
  o.form = SINABS_FORM_RECURRENT;
  o.recurrent_features = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "recurrent_features");
  o.recurrent_features = -5;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "recurrent_features");
  o.recurrent_features = INT64_MAX;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "recurrent_features");
  o.recurrent_features = 3;
  EXPECT_CREATE(o, SINABS_OK, "");
  o = defaults(SINABS_NEURON_EXPLEAK);
  o.form = SINABS_FORM_RECURRENT;
  o.recurrent_features = 3;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "ExpLeak");
}

/* struct_size: too small is refused; an older, shorter struct gets the
 * defaults for the fields it lacks; a newer, longer one is read in part. */
static void test_struct_size(void) {
  sinabs_neuron_options o = defaults(SINABS_NEURON_IAF);
  o.struct_size = 0;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "struct_size");
  o.struct_size = offsetof(sinabs_neuron_options, tau_mem) - 1;
  EXPECT_CREATE(o, SINABS_ERR_INVALID_ARGUMENT, "struct_size");

  o = defaults(SINABS_NEURON_IAF);
  o.record_states = 1;
  o.struct_size = offsetof(sinabs_neuron_options, record_states); /* an old caller */
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &o));
  int64_t shape[3] = {1, 2, 1};
  const float ones[2] = {1.0f, 1.0f};
  sinabs_tensor *x = tensor_of(shape, 3, ones), *y = NULL, *rec = NULL;
  CHECK_OK(sinabs_layer_forward(&y, layer, x));
  CHECK_OK(sinabs_layer_get_recording(&rec, layer, "v_mem"));
  int64_t n = -1;
  CHECK_OK(sinabs_tensor_numel(&n, rec));
  CHECK(n == 0); /* record_states was beyond struct_size: default 0 */
  sinabs_tensor_free(rec);
  sinabs_tensor_free(y);
  sinabs_tensor_free(x);
  sinabs_layer_free(layer);

  struct {
    sinabs_neuron_options known;
    char future[32];
  } longer;
  longer.known = defaults(SINABS_NEURON_LIF);
  memset(longer.future, 0x5A, sizeof longer.future);
  longer.known.struct_size = sizeof longer;
  CHECK_OK(sinabs_neuron_layer_create(&layer, &longer.known));
  sinabs_layer_free(layer);

  layer = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_neuron_layer_create(&layer, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(layer == NULL);
  o = defaults(SINABS_NEURON_IAF);
  CHECK_FAILS(sinabs_neuron_layer_create(NULL, &o), SINABS_ERR_INVALID_ARGUMENT);
}

int main(void) {
  test_init();
  test_time_constants();
  test_threshold_and_reset();
  test_unknown_enums();
  test_surrogates();
  test_forms();
  test_struct_size();
  DONE();
}
