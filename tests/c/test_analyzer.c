/* SNNAnalyzer through the C ABI: Linear(2 -> 1, weights 1, bias 0) then
 * IAFSqueeze(batch_size 1) over 3 steps; synops, firing rates, neuron count,
 * averages, the JSON document, and bad inputs. */
#include <math.h>
#include <string.h>
#include "check.h"

static sinabs_model *small_model(void) {
  sinabs_model *model = NULL;
  sinabs_layer *linear = NULL, *iaf = NULL;
  CHECK_OK(sinabs_model_create(&model));
  CHECK_OK(sinabs_linear_layer_create(&linear, 2, 1, 0));
  const float w[2] = {1, 1};
  int64_t wshape[2] = {1, 2};
  sinabs_tensor *wt = tensor_of(wshape, 2, w);
  CHECK_OK(sinabs_layer_set_parameter(linear, "weight", wt));
  sinabs_neuron_options o;
  CHECK_OK(sinabs_neuron_options_init(&o, SINABS_NEURON_IAF));
  o.form = SINABS_FORM_SQUEEZE;
  o.batch_size = 1;
  CHECK_OK(sinabs_neuron_layer_create(&iaf, &o));
  CHECK_OK(sinabs_model_append(model, linear));
  CHECK_OK(sinabs_model_append(model, iaf));
  sinabs_layer_free(linear);
  sinabs_layer_free(iaf);
  sinabs_tensor_free(wt);
  return model;
}

static void forward(sinabs_model *model, const float *x) {
  int64_t shape[2] = {3, 2};
  sinabs_tensor *input = tensor_of(shape, 2, x), *out = NULL;
  CHECK_OK(sinabs_model_forward(&out, model, input));
  sinabs_tensor_free(out);
  sinabs_tensor_free(input);
}

static void test_statistics(void) {
  sinabs_model *model = small_model();
  sinabs_analyzer *analyzer = NULL;
  CHECK_OK(sinabs_analyzer_create(&analyzer, model, 1.0f));
  float rate = -1, synops = -1;
  int64_t neurons = -1;
  CHECK_OK(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, analyzer, 0));
  CHECK(rate == 0.0f && synops == 0.0f && neurons == 0); /* nothing ran: one silent neuron */
  /* inputs sum to 1, 0, 2 per step: 3 events x fan-out 1; spikes 1, 0, 2 -> rate 1 */
  const float x[6] = {0.5f, 0.5f, 0.0f, 0.0f, 1.0f, 1.0f};
  forward(model, x);
  CHECK_OK(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, analyzer, 0));
  CHECK_NEAR(rate, 1.0, 1e-6);
  CHECK_NEAR(synops, 3.0, 1e-6);
  CHECK(neurons == 1);
  const float zeros[6] = {0};
  forward(model, zeros);
  CHECK_OK(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, analyzer, 1));
  CHECK_NEAR(synops, 1.5, 1e-6);
  CHECK_NEAR(rate, 0.5, 1e-6);
  size_t length = 0;
  CHECK_OK(sinabs_analyzer_statistics_json(NULL, 0, &length, analyzer, 0));
  char text[1024];
  CHECK(length > 0 && length < sizeof text);
  CHECK_OK(sinabs_analyzer_statistics_json(text, sizeof text, &length, analyzer, 1));
  CHECK(strstr(text, "\"SynOps/s\": 500.0") != NULL); /* 1.5 synops / 3 steps / 1 ms */
  CHECK(strstr(text, "\"n_neurons\": 1") != NULL);
  CHECK_OK(sinabs_analyzer_reset(analyzer));
  CHECK_OK(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, analyzer, 0));
  CHECK(synops == 0.0f && neurons == 0);
  sinabs_analyzer_free(analyzer);
  forward(model, x); /* the model runs on without it */
  sinabs_model_free(model);
}

static void test_bad_inputs(void) {
  sinabs_model *model = small_model();
  sinabs_analyzer *analyzer = STALE(sinabs_analyzer);
  CHECK_FAILS(sinabs_analyzer_create(&analyzer, model, 0.0f), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(analyzer == NULL);
  CHECK_FAILS(sinabs_analyzer_create(&analyzer, model, NAN), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_create(&analyzer, NULL, 1.0f), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_create(NULL, model, 1.0f), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_analyzer_create(&analyzer, model, 1.0f));
  float rate, synops;
  int64_t neurons;
  size_t length;
  CHECK_FAILS(sinabs_analyzer_model_statistics(NULL, &synops, &neurons, analyzer, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, analyzer, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, NULL, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_model_statistics(&rate, &synops, &neurons, (sinabs_analyzer *)model, 0),
              SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_statistics_json(NULL, 5, &length, analyzer, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_statistics_json(NULL, 0, NULL, analyzer, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_statistics_json(NULL, 0, &length, analyzer, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_reset(NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_analyzer_reset((sinabs_analyzer *)model), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_analyzer_free(NULL);
  sinabs_analyzer_free(analyzer);
  sinabs_model_free(model);
}

int main(void) {
  test_statistics();
  test_bad_inputs();
  DONE();
}
