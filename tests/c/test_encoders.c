/* Input encoders, quantising activations and event binning through the C
 * ABI: the random stream against committed values (the same numbers the
 * Swift and Python tests check), each layer's semantics, and every bad input. */
#include "check.h"

static int64_t numel(const sinabs_tensor *t) {
  int64_t n = -1;
  sinabs_tensor_numel(&n, t);
  return n;
}

/* SplitMix64(42)'s first 8 outputs, top 24 bits (committed; also in the Swift and Python tests). */
static const int32_t draws42[8] = {12441394, 2682851, 4674151, 5774561, 638040, 14566449, 3664231, 13432373};

static void test_stream(void) {
  float u[8];
  CHECK_OK(sinabs_uniform_draws(u, 8, 42, 0));
  for (int i = 0; i < 8; i++) CHECK(u[i] == (float)draws42[i] * 0x1p-24f);
  CHECK_OK(sinabs_uniform_draws(u, 3, 42, 5)); /* resumes at any position */
  CHECK(u[0] == (float)draws42[5] * 0x1p-24f && u[2] == (float)draws42[7] * 0x1p-24f);
  CHECK_OK(sinabs_uniform_draws(NULL, 0, 1, 0));
  CHECK_FAILS(sinabs_uniform_draws(NULL, 2, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_uniform_draws(u, -1, 1, 0), SINABS_ERR_INVALID_ARGUMENT);
}

/* Img2Spike(tw=50, max_rate=1000, norm=100, negative_spikes, seed 7) on x = i - 20 for
 * i < 100: spike count and sum(index * spike) of two forwards (committed). */
static void test_img2spike(void) {
  uint64_t seed = 7;
  sinabs_layer *layer = STALE(sinabs_layer);
  CHECK_OK(sinabs_img2spike_layer_create(&layer, 50, 1000.0f, 100.0f, 0, 1, &seed));
  float x[100];
  for (int i = 0; i < 100; i++) x[i] = (float)i - 20.0f;
  int64_t shape[1] = {100};
  sinabs_tensor *input = tensor_of(shape, 1, x);
  const double expected_count[2] = {1720, 1665}, expected_sum[2] = {3777003.0, 3678021.0};
  for (int call = 0; call < 2; call++) {
    sinabs_tensor *out = NULL;
    CHECK_OK(sinabs_layer_forward(&out, layer, input));
    CHECK(numel(out) == 5000);
    const float *s = data_of(out);
    double count = 0, sum = 0;
    for (int i = 0; i < 5000; i++) count += fabsf(s[i]), sum += (double)i * s[i];
    CHECK(count == expected_count[call] && sum == expected_sum[call]);
    sinabs_tensor_free(out);
  }
  CHECK_FAILS(sinabs_layer_backward(&(sinabs_tensor *){NULL}, layer, input), SINABS_ERR_STATE);
  sinabs_layer_free(layer);

  /* squeeze drops size-1 dimensions: (1, 3, 1) -> (tw, 3); unseeded layers follow sinabs_manual_seed */
  sinabs_layer *a = NULL, *b = NULL;
  sinabs_manual_seed(5);
  CHECK_OK(sinabs_img2spike_layer_create(&a, 4, 500.0f, 1.0f, 1, 0, NULL));
  sinabs_manual_seed(5);
  CHECK_OK(sinabs_img2spike_layer_create(&b, 4, 500.0f, 1.0f, 1, 0, NULL));
  int64_t s3[3] = {1, 3, 1};
  const float ones[3] = {1, 1, 1};
  sinabs_tensor *img = tensor_of(s3, 3, ones), *ya = NULL, *yb = NULL;
  CHECK_OK(sinabs_layer_forward(&ya, a, img));
  CHECK_OK(sinabs_layer_forward(&yb, b, img));
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, ya));
  CHECK(rank == 2 && dims[0] == 4 && dims[1] == 3);
  CHECK(memcmp(data_of(ya), data_of(yb), 12 * sizeof(float)) == 0);
  sinabs_tensor_free(ya), sinabs_tensor_free(yb), sinabs_tensor_free(img), sinabs_tensor_free(input);
  sinabs_layer_free(a), sinabs_layer_free(b);

  sinabs_layer *bad = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_img2spike_layer_create(NULL, 1, 1, 1, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_img2spike_layer_create(&bad, 0, 1, 1, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  CHECK_FAILS(sinabs_img2spike_layer_create(&bad, -3, 1, 1, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_img2spike_layer_create(&bad, INT64_MAX, 1, 1, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_img2spike_layer_create(&bad, 1, NAN, 1, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_img2spike_layer_create(&bad, 1, 1, 0, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_img2spike_layer_create(&bad, 1, 1, INFINITY, 0, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  /* an output whose size overflows: tw * (0, 2^30, 2^30) has an unaddressable extent */
  CHECK_OK(sinabs_img2spike_layer_create(&bad, 1 << 30, 1, 1, 0, 0, NULL));
  int64_t zero_big[3] = {0, 1LL << 30, 1LL << 30};
  sinabs_tensor *empty = NULL, *out = STALE(sinabs_tensor);
  CHECK_OK(sinabs_tensor_create(&empty, zero_big, 3));
  CHECK_FAILS(sinabs_layer_forward(&out, bad, empty), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(out == NULL);
  sinabs_tensor_free(empty);
  sinabs_layer_free(bad);
}

/* Sig2Spike: (2, 3) -> (3 * tw, 2), sample repeated; spk_out 0 passes the upsampled signal. */
static void test_sig2spike(void) {
  sinabs_layer *copy = NULL, *spikes = NULL;
  uint64_t seed = 42;
  CHECK_OK(sinabs_sig2spike_layer_create(&copy, 2, 2, 1.0f, 0, NULL));
  CHECK_OK(sinabs_sig2spike_layer_create(&spikes, 2, 1, 1.0f, 1, &seed));
  int64_t shape[2] = {2, 3};
  const float signal[6] = {1, 2, 3, 4, 5, 6};
  sinabs_tensor *input = tensor_of(shape, 2, signal), *up = NULL;
  CHECK_OK(sinabs_layer_forward(&up, copy, input));
  const float expected[12] = {1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6};
  CHECK(numel(up) == 12 && memcmp(data_of(up), expected, sizeof expected) == 0);
  /* with norm_level 1: spike where draw < sample; the draws of seed 42 against 0.5 */
  const float half[6] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  sinabs_tensor *halves = tensor_of(shape, 2, half), *s = NULL;
  CHECK_OK(sinabs_layer_forward(&s, spikes, halves));
  for (int i = 0; i < 6; i++) CHECK(data_of(s)[i] == ((float)draws42[i] * 0x1p-24f < 0.5f ? 1.0f : 0.0f));
  int64_t rank3[3] = {1, 2, 3};
  sinabs_tensor *wrong = tensor_of(rank3, 3, NULL), *none = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_layer_forward(&none, spikes, wrong), SINABS_ERR_SHAPE);
  CHECK(none == NULL);
  sinabs_tensor_free(up), sinabs_tensor_free(s), sinabs_tensor_free(input), sinabs_tensor_free(halves);
  sinabs_tensor_free(wrong);
  sinabs_layer_free(copy), sinabs_layer_free(spikes);
  sinabs_layer *bad = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_sig2spike_layer_create(&bad, -1, 1, 1, 1, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_sig2spike_layer_create(&bad, 1, 0, 1, 1, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_sig2spike_layer_create(&bad, 1, 1, NAN, 1, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_sig2spike_layer_create(NULL, 1, 1, 1, 1, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(bad == NULL);
}

/* NeuromorphicReLU floor / round-half-even / stochastic, backward; QuantizeLayer. */
static void test_quantizers(void) {
  int64_t shape[2] = {2, 4};
  const float x[8] = {-1.5f, 0.0f, 0.5f, 1.5f, 2.5f, 2.7f, -0.2f, 3.0f};
  sinabs_tensor *input = tensor_of(shape, 2, x), *y = NULL, *g = NULL;
  sinabs_layer *floor_relu = NULL, *round_relu = NULL, *quant = NULL;
  CHECK_OK(sinabs_neuromorphic_relu_layer_create(&floor_relu, 1, 1, 0, NULL));
  CHECK_OK(sinabs_layer_set_training(floor_relu, 1));
  CHECK_OK(sinabs_layer_forward(&y, floor_relu, input));
  const float floors[8] = {0, 0, 0, 1, 2, 2, 0, 3};
  CHECK(memcmp(data_of(y), floors, sizeof floors) == 0);
  const float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  sinabs_tensor *grad = tensor_of(shape, 2, ones);
  CHECK_OK(sinabs_layer_backward(&g, floor_relu, grad));
  const float relu_grad[8] = {0, 0, 1, 1, 1, 1, 0, 1};
  CHECK(memcmp(data_of(g), relu_grad, sizeof relu_grad) == 0);
  sinabs_tensor_free(y), sinabs_tensor_free(g);
  CHECK_FAILS(sinabs_layer_backward(&g, floor_relu, grad), SINABS_ERR_STATE);

  uint64_t seed = 42;
  CHECK_OK(sinabs_neuromorphic_relu_layer_create(&round_relu, 1, 1, 1, &seed));
  CHECK_OK(sinabs_layer_forward(&y, round_relu, input)); /* eval: round half to even */
  const float rounded[8] = {0, 0, 0, 2, 2, 3, 0, 3};
  CHECK(memcmp(data_of(y), rounded, sizeof rounded) == 0);
  sinabs_tensor_free(y);
  CHECK_OK(sinabs_layer_set_training(round_relu, 1)); /* training: up with probability frac */
  CHECK_OK(sinabs_layer_forward(&y, round_relu, input));
  for (int i = 0; i < 8; i++) {
    float r = x[i] < 0 ? 0 : x[i], low = floorf(r);
    CHECK(data_of(y)[i] == low + ((float)draws42[i] * 0x1p-24f < r - low ? 1.0f : 0.0f));
  }
  sinabs_tensor_free(y);

  CHECK_OK(sinabs_quantize_layer_create(&quant, 1));
  CHECK_OK(sinabs_layer_set_training(quant, 1));
  CHECK_OK(sinabs_layer_forward(&y, quant, input));
  const float floored[8] = {-2, 0, 0, 1, 2, 2, -1, 3};
  CHECK(memcmp(data_of(y), floored, sizeof floored) == 0);
  CHECK_OK(sinabs_layer_backward(&g, quant, input)); /* straight through */
  CHECK(memcmp(data_of(g), x, sizeof x) == 0);
  int64_t other[1] = {8};
  sinabs_tensor *flat = tensor_of(other, 1, NULL), *none = STALE(sinabs_tensor);
  sinabs_tensor_free(y), sinabs_tensor_free(g);
  CHECK_OK(sinabs_layer_forward(&y, quant, input));
  g = NULL;
  CHECK_FAILS(sinabs_layer_backward(&none, quant, flat), SINABS_ERR_SHAPE);
  CHECK(none == NULL);
  CHECK_FAILS(sinabs_quantize_layer_create(NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_neuromorphic_relu_layer_create(NULL, 1, 1, 0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(y), sinabs_tensor_free(g), sinabs_tensor_free(grad), sinabs_tensor_free(flat);
  sinabs_tensor_free(input);
  sinabs_layer_free(floor_relu), sinabs_layer_free(round_relu), sinabs_layer_free(quant);
}

/* A model file with the new kinds loads, and from_ann turns a NeuromorphicReLU into a spiking layer. */
static void test_in_models(void) {
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_layer_create_described(&layer, "NeuromorphicReLU", "{\"fanout\": 3, \"seed\": 9}"));
  sinabs_layer_free(layer);
  CHECK_OK(sinabs_layer_create_described(&layer, "QuantizeLayer", "{}"));
  sinabs_layer_free(layer);
  CHECK_OK(sinabs_layer_create_described(&layer, "Img2SpikeLayer", "{\"tw\": 3, \"norm\": 1.0}"));
  sinabs_layer_free(layer);
  CHECK_OK(sinabs_layer_create_described(&layer, "Sig2SpikeLayer", "{\"channels_in\": 2}"));
  sinabs_layer_free(layer);
  layer = STALE(sinabs_layer);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "Img2SpikeLayer", "{\"tw\": 0}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_layer_create_described(&layer, "QuantizeLayer", "{\"quantise\": true}"), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(layer == NULL);

  sinabs_model *ann = NULL, *snn = NULL, *loaded = NULL;
  CHECK_OK(sinabs_model_create(&ann));
  sinabs_layer *linear = NULL, *nrelu = NULL, *quant = NULL;
  CHECK_OK(sinabs_linear_layer_create(&linear, 3, 2, 1));
  CHECK_OK(sinabs_neuromorphic_relu_layer_create(&nrelu, 1, 2, 0, NULL));
  CHECK_OK(sinabs_quantize_layer_create(&quant, 1));
  CHECK_OK(sinabs_model_append(ann, quant));
  CHECK_OK(sinabs_model_append(ann, linear));
  CHECK_OK(sinabs_model_append(ann, nrelu));
  const char *path = "/tmp/sinabs-test-encoders.safetensors";
  CHECK_OK(sinabs_model_save(ann, path, 0));
  CHECK_OK(sinabs_model_create(&loaded));
  CHECK_OK(sinabs_model_load(loaded, path));
  int32_t count = 0;
  CHECK_OK(sinabs_model_layer_count(&count, loaded));
  CHECK(count == 3);
  remove(path);
  sinabs_neuron_options o;
  CHECK_OK(sinabs_neuron_options_init(&o, SINABS_NEURON_IAF));
  CHECK_OK(sinabs_model_from_ann(&snn, ann, &o, 1.0f, 0, NULL, 0));
  sinabs_layer *last = NULL;
  CHECK_OK(sinabs_model_get_layer(&last, snn, 2));
  int32_t states = 0;
  CHECK_OK(sinabs_layer_state_count(&states, last)); /* a neuron layer now */
  CHECK(states >= 1);
  sinabs_layer_free(last), sinabs_layer_free(linear), sinabs_layer_free(nrelu), sinabs_layer_free(quant);
  sinabs_model_free(ann), sinabs_model_free(snn), sinabs_model_free(loaded);
}

/* Events: window and bin-count conventions, and every bad input. */
static void test_events(void) {
  const double t[5] = {0, 10, 25, 30, 5};
  const int32_t x[5] = {0, 1, 2, 0, 1}, y[5] = {0, 0, 1, 1, 2}, p[5] = {1, 0, 1, -1, 1};
  sinabs_tensor *frames = STALE(sinabs_tensor);
  CHECK_OK(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 0, 10.0, NULL));
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, frames));
  CHECK(rank == 4 && dims[0] == 4 && dims[1] == 2 && dims[2] == 3 && dims[3] == 3);
  const float *f = data_of(frames);
  /* frame index = ((bin * 2 + channel) * 3 + y) * 3 + x */
  CHECK(f[((0 * 2 + 1) * 3 + 0) * 3 + 0] == 1); /* t 0, p 1 */
  CHECK(f[((0 * 2 + 1) * 3 + 2) * 3 + 1] == 1); /* t 5 */
  CHECK(f[((1 * 2 + 0) * 3 + 0) * 3 + 1] == 1); /* t 10, p 0 */
  CHECK(f[((2 * 2 + 1) * 3 + 1) * 3 + 2] == 1); /* t 25 */
  CHECK(f[((3 * 2 + 0) * 3 + 1) * 3 + 0] == 1); /* t 30, p -1 */
  double total = 0;
  for (int64_t i = 0; i < numel(frames); i++) total += f[i];
  CHECK(total == 5);
  sinabs_tensor_free(frames);
  CHECK_OK(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 2, 0.0, NULL));
  CHECK(numel(frames) == 2 * 2 * 9);
  f = data_of(frames);
  CHECK(f[((1 * 2 + 0) * 3 + 1) * 3 + 0] == 1); /* the last event (t 30) in the last bin */
  CHECK(f[((0 * 2 + 0) * 3 + 0) * 3 + 1] == 1); /* t 10 < 15: first bin */
  sinabs_tensor_free(frames);
  CHECK_OK(sinabs_events_to_frames(&frames, NULL, NULL, NULL, NULL, 0, 2, 2, 3, 0.0, NULL));
  CHECK(numel(frames) == 3 * 2 * 4);
  sinabs_tensor_free(frames);

  const int32_t outside[5] = {0, 1, 3, 0, 1}, negative[5] = {0, -1, 0, 0, 0};
  const double with_nan[5] = {0, NAN, 1, 2, 3}, start = 6.0, tiny = 1e-300;
  frames = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, outside, y, p, 5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(frames == NULL);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, negative, p, 5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, with_nan, x, y, p, 5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 0, 10.0, &start), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 2, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 0, 0.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, -2, 0.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 0, -1.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 0, NAN, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 0, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, -1, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, -5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, NULL, x, y, p, 5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, NULL, 5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_events_to_frames(NULL, t, x, y, p, 5, 3, 3, 0, 10.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  /* a window so small that the frames overflow */
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, 3, 3, 0, tiny, NULL), SINABS_ERR_OUT_OF_MEMORY);
  CHECK_FAILS(sinabs_events_to_frames(&frames, t, x, y, p, 5, INT64_MAX, INT64_MAX, 1, 0.0, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(frames == NULL);
}

int main(void) {
  test_stream();
  test_img2spike();
  test_sig2spike();
  test_quantizers();
  test_in_models();
  test_events();
  DONE();
}
