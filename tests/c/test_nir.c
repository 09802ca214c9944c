/* .nir files through the C ABI: graphs written by sinabs
 * (tests/reference/nir/generate.py) load and give sinabs' own outputs; a
 * model saved as NIR and loaded again gives identical outputs; every bad
 * input fails with a status and a message. The fixtures are found in
 * $SINABS_NIR_DIR, else tests/reference/nir. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "reference_json.h"

static const char *dir;

static void fixture_path(char *path, size_t size, const char *name) {
  snprintf(path, size, "%s/%s.nir", dir, name);
}

static sinabs_nir_options options_with_batch(int64_t batch) {
  sinabs_nir_options o;
  sinabs_nir_options_init(&o);
  o.batch_size = batch;
  return o;
}

/* Loads fixture `name`, runs its input, compares with its output; returns the model. */
static sinabs_model *check_fixture(const char *name, float tolerance) {
  char *json = ref_load(dir, name);
  CHECK(json != NULL);
  if (!json) return NULL;
  ref_tensor input, output;
  CHECK(ref_read_tensor(json, "input", &input));
  CHECK(ref_read_tensor(json, "output", &output));
  sinabs_nir_options o = options_with_batch((int64_t)ref_read_number(json, "batch_size", 0));
  char path[4096];
  fixture_path(path, sizeof path, name);
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_load_nir(&model, path, &o));
  sinabs_tensor *x = tensor_of(input.shape, input.rank, input.data), *y = NULL;
  CHECK_OK(sinabs_model_forward(&y, model, x));
  int64_t count = 0, differ = 0;
  if (y) CHECK_OK(sinabs_tensor_numel(&count, y));
  CHECK(count == output.count);
  for (int64_t i = 0; y && i < count && count == output.count; i++) {
    differ += fabsf(data_of(y)[i] - output.data[i]) > tolerance * (1 + fabsf(output.data[i]));
  }
  CHECK(differ == 0);
  sinabs_tensor_free(x);
  sinabs_tensor_free(y);
  free(input.data);
  free(output.data);
  free(json);
  return model;
}

static void round_trip(sinabs_model *model, const int64_t *shape, int32_t rank, sinabs_tensor *input) {
  char copy[256];
  snprintf(copy, sizeof copy, "/tmp/sinabs-c-nir-%d.nir", (int)getpid());
  CHECK_OK(sinabs_model_save_nir(model, copy, shape, rank));
  sinabs_nir_options o = options_with_batch(2);
  sinabs_model *again = NULL;
  CHECK_OK(sinabs_model_load_nir(&again, copy, &o));
  sinabs_tensor *a = NULL, *b = NULL;
  CHECK_OK(sinabs_model_reset_states(model));
  CHECK_OK(sinabs_model_forward(&a, model, input));
  CHECK_OK(sinabs_model_forward(&b, again, input));
  int64_t count = 0;
  if (a) CHECK_OK(sinabs_tensor_numel(&count, a));
  CHECK(a && b && count > 0 && memcmp(data_of(a), data_of(b), (size_t)count * sizeof(float)) == 0);
  remove(copy);
  sinabs_tensor_free(a);
  sinabs_tensor_free(b);
  sinabs_model_free(again);
}

static void bad_loads(void) {
  char path[4096], junk[256];
  fixture_path(path, sizeof path, "sinabs_conv");
  sinabs_nir_options o = options_with_batch(2);
  sinabs_model *model = STALE(sinabs_model);
  CHECK_FAILS(sinabs_model_load_nir(NULL, path, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_load_nir(&model, NULL, &o), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(model == NULL);
  CHECK_FAILS(sinabs_model_load_nir(&model, path, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_load_nir(&model, "", &o), SINABS_ERR_NOT_FOUND);
  CHECK_FAILS(sinabs_model_load_nir(&model, "/nonexistent/net.nir", &o), SINABS_ERR_NOT_FOUND);
  CHECK(model == NULL);

  sinabs_nir_options bad = o;
  bad.struct_size = 4;
  CHECK_FAILS(sinabs_model_load_nir(&model, path, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = options_with_batch(0);
  CHECK_FAILS(sinabs_model_load_nir(&model, path, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = options_with_batch(-3);
  CHECK_FAILS(sinabs_model_load_nir(&model, path, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.dt = NAN;
  CHECK_FAILS(sinabs_model_load_nir(&model, path, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.reset_to_zero = 2;
  CHECK_FAILS(sinabs_model_load_nir(&model, path, &bad), SINABS_ERR_INVALID_ARGUMENT);
  bad = o;
  bad.single_spike = -1;
  CHECK_FAILS(sinabs_model_load_nir(&model, path, &bad), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_nir_options_init(NULL), SINABS_ERR_INVALID_ARGUMENT);

  /* Not HDF5, and truncated copies of a good file. */
  snprintf(junk, sizeof junk, "/tmp/sinabs-c-nir-junk-%d.nir", (int)getpid());
  FILE *f = fopen(junk, "wb");
  fputs("definitely not an HDF5 file", f);
  fclose(f);
  CHECK_FAILS(sinabs_model_load_nir(&model, junk, &o), SINABS_ERR_INVALID_ARGUMENT);
  FILE *good = fopen(path, "rb");
  static char bytes[1 << 16];
  size_t size = good ? fread(bytes, 1, sizeof bytes, good) : 0;
  if (good) fclose(good);
  CHECK(size > 4096);
  size_t cuts[] = {8, 512, 2048, size / 2, size - 1};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    f = fopen(junk, "wb");
    fwrite(bytes, 1, cuts[i], f);
    fclose(f);
    CHECK_FAILS(sinabs_model_load_nir(&model, junk, &o), SINABS_ERR_INVALID_ARGUMENT);
  }
  remove(junk);

  /* HDF5 without NIR, an unsupported node, shapes that do not fit, NaN. */
  const char *names[] = {"bad_not_nir", "bad_unsupported_node", "bad_inconsistent_shapes", "bad_nan_parameters"};
  const sinabs_status expected[] = {SINABS_ERR_INVALID_ARGUMENT, SINABS_ERR_INVALID_ARGUMENT, SINABS_ERR_SHAPE,
                                    SINABS_ERR_INVALID_ARGUMENT};
  const char *words[] = {"not a NIR file", "'0' (Delay)", "Output node", "NaN"};
  for (int i = 0; i < 4; i++) {
    fixture_path(path, sizeof path, names[i]);
    CHECK_FAILS(sinabs_model_load_nir(&model, path, &o), expected[i]);
    CHECK(strstr(sinabs_last_error(), words[i]) != NULL);
    CHECK(model == NULL);
  }
}

static void bad_saves(sinabs_model *model) {
  int64_t shape[] = {2, 8, 8}, wrong[] = {3, 8, 8};
  const char *path = "/tmp/sinabs-c-nir-bad.nir";
  CHECK_FAILS(sinabs_model_save_nir(NULL, path, shape, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save_nir(model, NULL, shape, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save_nir(model, path, NULL, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save_nir(model, path, shape, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save_nir(model, path, shape, 99), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_model_save_nir(model, path, wrong, 3), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_model_save_nir(model, "/nonexistent/dir/net.nir", shape, 3), SINABS_ERR_INVALID_ARGUMENT);

  /* A layer NIR cannot express: the message names it. */
  sinabs_model *pooled = NULL;
  sinabs_layer *pool = NULL;
  sinabs_pool2d_options p;
  sinabs_pool2d_options_init(&p, 2, 2);
  CHECK_OK(sinabs_model_create(&pooled));
  CHECK_OK(sinabs_max_pool2d_layer_create(&pool, &p));
  CHECK_OK(sinabs_model_append(pooled, pool));
  int64_t image[] = {1, 4, 4};
  CHECK_FAILS(sinabs_model_save_nir(pooled, path, image, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(strstr(sinabs_last_error(), "layer 0 (MaxPool2d)") != NULL);
  CHECK(access(path, F_OK) != 0);
  sinabs_layer_free(pool);
  sinabs_model_free(pooled);
}

int main(void) {
  dir = getenv("SINABS_NIR_DIR");
  if (!dir) dir = "tests/reference/nir";
  sinabs_model *conv = check_fixture("sinabs_conv", 1e-4f);
  sinabs_model *cuba = check_fixture("sinabs_cubalif", 0);
  if (conv) {
    int64_t shape[] = {2, 8, 8}, batch[] = {12, 2, 8, 8};
    float values[12 * 2 * 8 * 8];
    for (int i = 0; i < 12 * 2 * 8 * 8; i++) values[i] = (float)((i * 7) % 4);
    sinabs_tensor *x = tensor_of(batch, 4, values);
    round_trip(conv, shape, 3, x);
    sinabs_tensor_free(x);
    bad_saves(conv);
  }
  if (cuba) {
    int64_t shape[] = {4}, batch[] = {12, 4};
    float values[48];
    for (int i = 0; i < 48; i++) values[i] = (float)((i * 5) % 3) * 0.8f;
    sinabs_tensor *x = tensor_of(batch, 2, values);
    round_trip(cuba, shape, 1, x);
    sinabs_tensor_free(x);
  }
  bad_loads();
  sinabs_model_free(conv);
  sinabs_model_free(cuba);
  DONE();
}
