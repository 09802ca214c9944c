/* A fuzzer for the C ABI: random sequences of calls with random, often
 * invalid arguments (shapes, options, names, handles, NULLs). Any signal is a
 * bug: no input may reach a Swift trap. Not part of `make test` (it is slow);
 * run it after changing a boundary, e.g. with a memory limit so that big
 * allocations fail instead of swapping:
 *   cc -O1 -Iinclude tests/c/fuzz_abi.c -o build/fuzz_abi -Lbuild/lib -lsinabs \
 *      -Wl,-rpath,$PWD/build/lib -lm
 *   (ulimit -v 6000000; for s in $(seq 1 500); do build/fuzz_abi $s 1500 2>/tmp/fuzz.log \
 *      || { echo "seed $s"; tail -1 /tmp/fuzz.log; }; done)
 * Each step is logged to stderr (DEBUG=1 adds forward input shapes). Found so
 * far: empty shapes with unaddressable extents, squeeze num_timesteps x
 * neurons overflow on empty input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sinabs.h"

static unsigned long long state;
static unsigned rnd(void) { state = state * 6364136223846793005ULL + 1442695040888963407ULL; return (unsigned)(state >> 33); }
static int pick(int n) { return (int)(rnd() % (unsigned)n); }
static float rf(void) {
  switch (pick(8)) {
  case 0: return NAN; case 1: return INFINITY; case 2: return -1.0f; case 3: return 0.0f;
  case 4: return 1e30f; default: return (float)pick(1000) / 100.0f;
  }
}
static int64_t rdim(void) {
  switch (pick(12)) { case 0: return -1; case 1: return INT64_MAX; case 2: return 1LL << 40; default: return pick(5); }
}
static const char *names[] = {"v_mem", "i_syn", "b", "spike_threshold", "tau_mem", "tau_syn", "tau_adapt",
  "alpha_mem", "alpha_syn", "alpha_adapt", "min_v_mem", "rec_connect.weight", "rec_connect.bias", "weight", "bias", ""};
static const char *rname(void) { return names[pick(16)]; }

int main(int argc, char **argv) {
  unsigned long long seed = argc > 1 ? strtoull(argv[1], 0, 10) : 1;
  int iterations = argc > 2 ? atoi(argv[2]) : 200;
  state = seed;
  sinabs_tensor *tensors[8] = {0};
  sinabs_layer *layers[4] = {0};
  sinabs_tape *tapes[2] = {0};
  sinabs_model *model = NULL;
  sinabs_optimizer *optimizer = NULL;
  sinabs_analyzer *analyzer = NULL;
  sinabs_model_create(&model);
  for (int it = 0; it < iterations; it++) {
    int op = pick(32);
    fprintf(stderr, "seed %llu step %d op %d\n", seed, it, op);
    switch (op) {
    case 0: case 1: { /* tensor */
      int64_t shape[5]; int rank = pick(5);
      for (int i = 0; i < rank; i++) shape[i] = pick(4) ? pick(5) : rdim();
      int k = pick(8); sinabs_tensor_free(tensors[k]); tensors[k] = NULL;
      sinabs_tensor_create(&tensors[k], shape, rank);
      if (tensors[k]) { float *d = NULL; int64_t n = 0; sinabs_tensor_data(&d, tensors[k]); sinabs_tensor_numel(&n, tensors[k]);
        for (int64_t i = 0; i < n; i++) d[i] = rf() * (pick(3) ? 0.3f : 1.0f); }
      break; }
    case 2: { /* neuron layer with random options */
      sinabs_neuron_options o; sinabs_neuron_options_init(&o, 1 + pick(4));
      if (pick(2)) o.form = pick(4);
      o.batch_size = pick(3) ? pick(4) : rdim(); o.num_timesteps = pick(3) ? pick(4) : rdim();
      o.recurrent_features = pick(3) ? pick(5) : rdim();
      /* Each field is changed with probability 1/n. */
#define MAYBE(n, statement) do { if (!pick(n)) { statement; } } while (0)
      MAYBE(3, o.tau_mem = rf());
      MAYBE(3, o.tau_syn = rf());
      MAYBE(4, o.spike_threshold = rf());
      MAYBE(3, o.spike_fn = pick(4));
      MAYBE(3, o.max_num_spikes_per_bin = pick(4) - 1);
      MAYBE(3, o.reset_fn = pick(3));
      MAYBE(3, o.subtract_value = rf());
      MAYBE(3, o.min_v_mem = -rf());
      MAYBE(3, o.surrogate_fn = pick(6));
      o.record_states = pick(2);
      o.train_alphas = pick(2);
      MAYBE(4, o.norm_input = pick(2));
      MAYBE(4, o.adapt_scale = rf());
      MAYBE(4, o.tau_adapt = rf());
      int k = pick(4); sinabs_layer_free(layers[k]); layers[k] = NULL;
      sinabs_neuron_layer_create(&layers[k], &o);
      if (layers[k] && pick(2)) sinabs_layer_set_training(layers[k], 1);
      break; }
    case 3: { int k = pick(4); sinabs_layer_free(layers[k]); layers[k] = NULL;
      sinabs_linear_layer_create(&layers[k], pick(3) ? pick(5) : rdim(), pick(5), pick(2)); break; }
    case 4: case 5: { sinabs_tensor *out = NULL; sinabs_tensor *T = tensors[pick(8)]; sinabs_layer *L = layers[pick(4)];
      if (getenv("DEBUG") && T) { int64_t d[8]; int32_t r = 0; sinabs_tensor_shape(d, 8, &r, T);
        fprintf(stderr, "forward shape:"); for (int i = 0; i < r; i++) fprintf(stderr, " %lld", (long long)d[i]); fprintf(stderr, "\n"); }
      sinabs_layer_forward(&out, L, T);
      if (out && pick(2)) { int k = pick(8); sinabs_tensor_free(tensors[k]); tensors[k] = out; } else sinabs_tensor_free(out); break; }
    case 6: sinabs_layer_forward_into(tensors[pick(8)], layers[pick(4)], tensors[pick(8)]); break;
    case 7: { sinabs_tensor *g = NULL; sinabs_layer_backward(&g, layers[pick(4)], tensors[pick(8)]); sinabs_tensor_free(g); break; }
    case 8: sinabs_layer_set_state(layers[pick(4)], rname(), tensors[pick(8)]); break;
    case 9: sinabs_layer_set_parameter(layers[pick(4)], rname(), tensors[pick(8)]); break;
    case 10: { const char *n[1] = {rname()}; float lo[1] = {rf()}, hi[1] = {rf()};
      sinabs_layer_reset_states(layers[pick(4)], pick(2), n, lo, hi, pick(2), rnd()); break; }
    case 11: { sinabs_tensor *t = NULL; const char *n = rname();
      switch (pick(4)) { case 0: sinabs_layer_get_state(&t, layers[pick(4)], n); break;
        case 1: sinabs_layer_get_parameter(&t, layers[pick(4)], n); break;
        case 2: sinabs_layer_get_grad(&t, layers[pick(4)], n); break;
        default: sinabs_layer_get_recording(&t, layers[pick(4)], n); }
      if (t && pick(2)) { int k = pick(8); sinabs_tensor_free(tensors[k]); tensors[k] = t; } else sinabs_tensor_free(t); break; }
    case 12: { int64_t shape[4]; int rank = pick(4); for (int i = 0; i < rank; i++) shape[i] = pick(3) ? pick(6) - 1 : rdim();
      sinabs_tensor *t = NULL; sinabs_tensor_reshape(&t, tensors[pick(8)], shape, rank);
      if (t) { int k = pick(8); sinabs_tensor_free(tensors[k]); tensors[k] = t; } break; }
    case 13: { sinabs_layer *l = layers[pick(4)]; if (l && pick(3)) sinabs_model_append(model, l);
      else if (pick(2)) { sinabs_tensor *t = NULL; sinabs_model_forward(&t, model, tensors[pick(8)]); sinabs_tensor_free(t); }
      else { sinabs_model_reset_states(model); if (pick(4) == 0) { sinabs_model_free(model); model = NULL; sinabs_model_create(&model); } }
      break; }
    case 14: sinabs_tensor_copy_into(tensors[pick(8)], tensors[pick(8)]); break;
    case 15: sinabs_set_num_threads(pick(5)); if (pick(2)) sinabs_manual_seed(rnd()); break;
    case 16: { /* a larger input for the parallel paths */
      int64_t shape[3] = {1 + pick(8), 1 + pick(30), 1 + pick(3000)};
      int k = pick(8); sinabs_tensor_free(tensors[k]); tensors[k] = NULL;
      sinabs_tensor_create(&tensors[k], shape, 3);
      if (tensors[k]) { float *d = NULL; sinabs_tensor_data(&d, tensors[k]);
        for (int64_t i = 0; i < shape[0] * shape[1] * shape[2]; i++) d[i] = (float)(rnd() % 100) / 50.0f; }
      break; }
    case 17: { sinabs_layer *l = NULL; sinabs_model_get_layer(&l, model, pick(6) - 1);
      if (l) { int k = pick(4); sinabs_layer_free(layers[k]); layers[k] = l; } break; }
    case 18: { /* conv / pool with random, often invalid options */
      sinabs_conv2d_options c; sinabs_conv2d_options_init(&c, pick(4) ? 1 + pick(4) : rdim(), pick(4) ? 1 + pick(4) : rdim(),
                                                            pick(4) ? 1 + pick(3) : rdim(), pick(4) ? 1 + pick(3) : rdim());
      MAYBE(3, c.stride_h = pick(4) ? pick(3) : rdim()); MAYBE(3, c.padding_w = pick(4) ? pick(3) : rdim());
      MAYBE(3, c.dilation_w = pick(4) ? pick(3) : rdim()); MAYBE(3, c.groups = pick(4)); MAYBE(4, c.bias = pick(3));
      MAYBE(8, c.struct_size = pick(200));
      sinabs_pool2d_options p; sinabs_pool2d_options_init(&p, pick(4) ? 1 + pick(3) : rdim(), pick(4) ? 1 + pick(3) : rdim());
      MAYBE(3, p.stride_w = pick(4) ? pick(3) : rdim()); MAYBE(3, p.padding_h = pick(3)); MAYBE(3, p.ceil_mode = pick(3));
      MAYBE(4, p.dilation_h = pick(3)); MAYBE(4, p.count_include_pad = pick(3)); MAYBE(4, p.divisor_override = pick(4) - 1);
      int k = pick(4); sinabs_layer_free(layers[k]); layers[k] = NULL;
      switch (pick(4)) { case 0: sinabs_conv2d_layer_create(&layers[k], &c); break;
        case 1: sinabs_avg_pool2d_layer_create(&layers[k], &p); break;
        case 2: sinabs_sum_pool2d_layer_create(&layers[k], &p); break;
        default: sinabs_max_pool2d_layer_create(&layers[k], &p); }
      if (layers[k] && pick(2)) sinabs_layer_set_training(layers[k], 1);
      if (layers[k]) sinabs_conv2d_layer_set_kernel(layers[k], pick(4));
      break; }
    case 19: { /* shape layers */
      int k = pick(4); sinabs_layer *l = NULL;
      switch (pick(10)) { case 0: sinabs_flatten_layer_create(&l, pick(10) - 5, pick(10) - 5); break;
        case 1: sinabs_flatten_time_layer_create(&l); break;
        case 2: sinabs_unflatten_time_layer_create(&l, pick(3) ? pick(4) : rdim()); break;
        case 3: sinabs_zero_pad2d_layer_create(&l, pick(5) - 2, pick(5) - 2, pick(3) ? pick(5) - 2 : rdim(), pick(5) - 2); break;
        case 4: sinabs_cropping2d_layer_create(&l, pick(3), pick(3), pick(3) ? pick(3) : rdim(), pick(3)); break;
        case 5: sinabs_channel_shift_layer_create(&l, pick(5) - 2, -pick(6)); break;
        case 6: sinabs_relu_layer_create(&l); break;
        case 7: sinabs_dropout_layer_create(&l, rf(), rnd()); break;
        case 8: sinabs_repeat_layer_create(&l, layers[pick(4)]); break;
        default: sinabs_merge_layer_create(&l); }
      if (l) { sinabs_layer_free(layers[k]); layers[k] = l; if (pick(2)) sinabs_layer_set_training(l, 1); }
      break; }
    case 20: { sinabs_tensor *out = NULL;
      sinabs_layer_forward_pair(&out, layers[pick(4)], tensors[pick(8)], tensors[pick(8)]);
      if (out && pick(2)) { int k = pick(8); sinabs_tensor_free(tensors[k]); tensors[k] = out; } else sinabs_tensor_free(out); break; }
    case 21: { sinabs_tensor *a = NULL, *b = NULL;
      sinabs_layer_backward_pair(pick(8) ? &a : NULL, pick(8) ? &b : NULL, layers[pick(4)], tensors[pick(8)]);
      sinabs_tensor_free(a); sinabs_tensor_free(b); break; }
    case 22: { /* training: mode, backward, gradients, clipping */
      sinabs_model_set_training(model, pick(2));
      sinabs_tensor *g = NULL; sinabs_model_backward(&g, model, tensors[pick(8)]); sinabs_tensor_free(g);
      if (!pick(4)) sinabs_model_backward_parameters(pick(8) ? model : NULL, tensors[pick(8)]);
      float norm = 0; sinabs_model_clip_grad_norm(&norm, model, rf());
      const char *pn = NULL; sinabs_model_parameter_name(&pn, model, pick(8) - 1);
      sinabs_tensor *t = NULL; const char *want[3] = {pn ? pn : "0.weight", "1.tau_mem", "x"};
      if (pick(2)) sinabs_model_get_grad(&t, model, want[pick(3)]); else sinabs_model_get_parameter(&t, model, want[pick(3)]);
      sinabs_tensor_free(t); if (!pick(4)) sinabs_model_zero_grad(model); break; }
    case 23: { /* optimizer with random options, a step, a train step with a random loss */
      sinabs_optimizer_options o; sinabs_optimizer_options_init(&o, 1 + pick(3));
      MAYBE(2, o.lr = rf()); MAYBE(3, o.momentum = rf()); MAYBE(3, o.beta1 = rf() / 10); MAYBE(3, o.beta2 = rf() / 10);
      MAYBE(3, o.eps = rf()); MAYBE(3, o.max_grad_norm = rf()); MAYBE(4, o.nesterov = pick(3)); MAYBE(4, o.kind = pick(4));
      sinabs_optimizer_free(optimizer); optimizer = NULL; sinabs_optimizer_create(&optimizer, model, &o);
      sinabs_optimizer_step(optimizer);
      float loss = 0; sinabs_model_train_step(&loss, model, optimizer, tensors[pick(8)], tensors[pick(8)], pick(4) - 1);
      break; }
    case 24: { float loss = 0; sinabs_tensor *g = NULL;
      sinabs_loss_compute(&loss, pick(2) ? &g : NULL, tensors[pick(8)], tensors[pick(8)], pick(4) - 1); sinabs_tensor_free(g);
      int64_t shape[4]; int rank = pick(4); for (int i = 0; i < rank; i++) shape[i] = pick(3) ? pick(6) : rdim();
      sinabs_model_build(model, shape, rank);
      char text[64]; size_t length = 0; sinabs_model_summary(pick(2) ? text : NULL, pick(2) ? sizeof text : 0, &length, model);
      break; }
    case 25: { /* save, then load into the model (a failed load must leave it usable) */
      sinabs_model_save(model, "/tmp/sinabs-fuzz.safetensors", pick(2));
      if (pick(3) == 0) { FILE *f = fopen("/tmp/sinabs-fuzz.safetensors", "r+b");
        if (f) { fseek(f, pick(400), SEEK_SET); fputc(pick(256), f); fclose(f); } }
      sinabs_model_load(model, "/tmp/sinabs-fuzz.safetensors"); break; }
    case 26: { /* any kind from a JSON description, sometimes broken */
      static const char *kinds[] = {"Conv2d", "SumPool2d", "AvgPool2d", "MaxPool2d", "Flatten", "Linear",
        "IAFSqueeze", "LIF", "ALIFRecurrent", "ZeroPad2d", "Merge", "Dropout", "Nope", "Repeat"};
      static const char *args[] = {"{\"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3, \"padding\": 1}",
        "{\"kernel_size\": 2}", "{}", "{\"in_features\": 4, \"out_features\": 2}", "{\"num_timesteps\": 2}",
        "{\"tau_mem\": 5.0}", "{\"kernel_size\": -1}", "{\"kernel_size\": [2, 99999999999]}", "{\"tau_mem\": 1e999}",
        "{\"padding\": [1, 1, 1, 1]}", "{\"rec_connect.in_features\": 3, \"rec_connect.out_features\": 3, \"tau_mem\": 2, \"tau_adapt\": 3}",
        "{", "[]", "{\"p\": 2.5}",
        "{\"module\": {\"kind\": \"Conv2d\", \"arguments\": {\"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3}}}",
        "{\"module\": {\"kind\": \"Repeat\", \"arguments\": {\"module\": {\"kind\": \"Flatten\", \"arguments\": {}}}}}"};
      int k = pick(4); sinabs_layer_free(layers[k]); layers[k] = NULL;
      sinabs_layer_create_described(&layers[k], kinds[pick(14)], args[pick(16)]);
      break; }
    case 27: { int k = pick(2); sinabs_tape_free(tapes[k]); tapes[k] = NULL;
      sinabs_layer_take_tape(&tapes[k], layers[pick(4)]); break; }
    case 28: { sinabs_tensor *g = NULL, *initial[4] = {0};
      const sinabs_tensor *finals[4] = {tensors[pick(8)], NULL, tensors[pick(8)], tensors[pick(8)]};
      int32_t n = (int32_t)pick(6) - 1;
      sinabs_tape_backward(&g, pick(2) ? initial : NULL, tapes[pick(2)], tensors[pick(8)],
                           pick(2) ? finals : NULL, pick(2) ? finals : NULL, n);
      sinabs_tensor_free(g);
      for (int k = 0; k < 4; k++) sinabs_tensor_free(initial[k]);
      break; }
    case 29: { /* from_ann with random options and input shape; analyzer statistics of the model */
      sinabs_neuron_options o; sinabs_neuron_options_init(&o, 1 + pick(4));
      if (pick(2)) o.form = pick(4);
      o.batch_size = pick(3) ? pick(4) : rdim(); o.num_timesteps = pick(3) ? pick(4) : rdim();
      MAYBE(3, o.min_v_mem = rf()); MAYBE(3, o.spike_threshold = rf());
      int64_t shape[4]; int rank = pick(4); for (int i = 0; i < rank; i++) shape[i] = pick(3) ? pick(6) : rdim();
      sinabs_model *snn = NULL;
      if (sinabs_model_from_ann(&snn, model, pick(6) ? &o : NULL, rf(), pick(3) - (pick(4) == 0), pick(2) ? shape : NULL,
                                pick(5) - 1) == SINABS_OK) {
        sinabs_tensor *y = NULL; sinabs_model_forward(&y, snn, tensors[pick(8)]); sinabs_tensor_free(y);
      }
      sinabs_model_free(snn);
      if (!analyzer || !pick(4)) { sinabs_analyzer_free(analyzer); analyzer = NULL; sinabs_analyzer_create(&analyzer, model, rf()); }
      sinabs_tensor *y = NULL; sinabs_model_forward(&y, model, tensors[pick(8)]); sinabs_tensor_free(y);
      float rate = 0, synops = 0; int64_t neurons = 0;
      sinabs_analyzer_model_statistics(&rate, &synops, &neurons, analyzer, pick(3) - 1);
      char text[64]; size_t length = 0;
      sinabs_analyzer_statistics_json(pick(2) ? text : NULL, pick(2) ? sizeof text : 0, &length, analyzer, pick(2));
      if (!pick(5)) sinabs_analyzer_reset(analyzer);
      break; }
    case 30: { /* encoders and quantising activations; event binning with random, often invalid events */
      int k = pick(4); sinabs_layer *l = NULL; uint64_t seed = rnd();
      switch (pick(4)) { case 0: sinabs_img2spike_layer_create(&l, pick(3) ? pick(4) : rdim(), rf(), rf(), pick(3) - 1, pick(2), pick(2) ? &seed : NULL); break;
        case 1: sinabs_sig2spike_layer_create(&l, pick(3) ? pick(4) : rdim(), pick(3) ? pick(4) : rdim(), rf(), pick(2), pick(2) ? &seed : NULL); break;
        case 2: sinabs_neuromorphic_relu_layer_create(&l, pick(2), pick(3) ? pick(4) : rdim(), pick(2), pick(2) ? &seed : NULL); break;
        default: sinabs_quantize_layer_create(&l, pick(3) - 1); }
      if (l) { sinabs_layer_free(layers[k]); layers[k] = l; if (pick(2)) sinabs_layer_set_training(l, 1); }
      double t[6], start = pick(3) ? (double)pick(4) : NAN; int32_t x[6], y[6], p[6]; int n = pick(7);
      for (int i = 0; i < 6; i++) { t[i] = pick(6) ? pick(50) : rf(); x[i] = pick(6) - 1; y[i] = pick(6) - 1; p[i] = pick(3) - 1; }
      sinabs_tensor *frames = NULL; /* counts never exceed the arrays: a C caller's own promise */
      sinabs_events_to_frames(&frames, pick(8) ? t : NULL, x, y, pick(8) ? p : NULL, pick(8) ? n : -pick(3), pick(3) ? pick(5) : rdim(),
                              pick(3) ? pick(5) : rdim(), pick(3) ? pick(4) : rdim(), pick(2) ? 0.0 : rf(), pick(2) ? &start : NULL);
      sinabs_layer_share_parameter(layers[pick(4)], pick(2) ? "weight" : rname(), tensors[pick(8)]);
      float draws[4]; sinabs_uniform_draws(pick(4) ? draws : NULL, pick(5) - (pick(4) == 0), rnd(), rnd());
      if (frames && pick(2)) { int j = pick(8); sinabs_tensor_free(tensors[j]); tensors[j] = frames; } else sinabs_tensor_free(frames);
      break; }
    case 31: { /* NIR: save with a random input shape, maybe truncate or corrupt, load with random options */
      const char *path = "/tmp/sinabs-fuzz.nir";
      int64_t shape[4]; int rank = pick(5) - (pick(6) == 0);
      for (int i = 0; i < 4; i++) shape[i] = pick(3) ? pick(6) : rdim();
      sinabs_model_save_nir(model, pick(8) ? path : NULL, pick(6) ? shape : NULL, rank);
      if (pick(3) == 0) { /* or a real graph (run from the repository root) */
        FILE *in = fopen("tests/reference/nir/sinabs_conv.nir", "rb"), *out = in ? fopen(path, "wb") : NULL;
        char buffer[4096]; size_t n;
        while (out && (n = fread(buffer, 1, sizeof buffer, in)) > 0) fwrite(buffer, 1, n, out);
        if (out) fclose(out);
        if (in) fclose(in);
      }
      if (pick(3) == 0) { FILE *f = fopen(path, "r+b");
        if (f) { for (int k = 1 + pick(4); k > 0; k--) { fseek(f, pick(36000), SEEK_SET); fputc(pick(256), f); } fclose(f); } }
      if (pick(4) == 0) truncate(path, pick(6000));
      sinabs_nir_options o; sinabs_nir_options_init(&o);
      o.batch_size = pick(3) ? pick(4) : rdim(); o.num_timesteps = pick(3) ? pick(4) : rdim();
      MAYBE(4, o.dt = rf()); MAYBE(4, o.reset_to_zero = pick(3)); MAYBE(4, o.single_spike = pick(3)); MAYBE(8, o.struct_size = (uint32_t)pick(40));
      sinabs_model *loaded = NULL;
      if (sinabs_model_load_nir(pick(10) ? &loaded : NULL, pick(10) ? path : "", pick(8) ? &o : NULL) == SINABS_OK) {
        sinabs_tensor *y = NULL; sinabs_model_forward(&y, loaded, tensors[pick(8)]); sinabs_tensor_free(y);
      }
      sinabs_model_free(loaded);
      break; }
    }
  }
  for (int k = 0; k < 2; k++) sinabs_tape_free(tapes[k]);
  for (int k = 0; k < 8; k++) sinabs_tensor_free(tensors[k]);
  for (int k = 0; k < 4; k++) sinabs_layer_free(layers[k]);
  sinabs_optimizer_free(optimizer);
  sinabs_analyzer_free(analyzer);
  sinabs_model_free(model);
  return 0;
}
