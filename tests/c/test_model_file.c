/* A model file written from Python (tests/reference/gen_model_file.py) loads
 * through the C ABI and gives exactly the output the real sinabs computed
 * from the same file; saving it again from C gives the same bytes. The case
 * is found in $SINABS_REFERENCE_DIR, else tests/reference/cases. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "reference_json.h"

static char *read_all(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *bytes = malloc((size_t)*size + 1);
  if (bytes && fread(bytes, 1, (size_t)*size, f) != (size_t)*size) {
    free(bytes);
    bytes = NULL;
  }
  fclose(f);
  return bytes;
}

int main(void) {
  (void)ref_read_number; /* the shared reader has more than this test needs */
  const char *dir = getenv("SINABS_REFERENCE_DIR");
  if (!dir) dir = "tests/reference/cases";
  char *json = ref_load(dir, "model_file_lif");
  CHECK(json != NULL);
  if (!json) {
    fprintf(stderr, "cannot read %s/model_file_lif.json (set SINABS_REFERENCE_DIR)\n", dir);
    DONE();
  }
  ref_tensor input, output;
  CHECK(ref_read_tensor(json, "input", &input));
  CHECK(ref_read_tensor(json, "output", &output));
  char path[4096], copy[256];
  snprintf(path, sizeof path, "%s/model_file_lif.safetensors", dir);
  snprintf(copy, sizeof copy, "/tmp/sinabs-c-resaved-%d.safetensors", (int)getpid());

  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  CHECK_OK(sinabs_model_load(model, path));
  int32_t layers = 0;
  CHECK_OK(sinabs_model_layer_count(&layers, model));
  CHECK(layers == 4);
  sinabs_tensor *x = tensor_of(input.shape, input.rank, input.data), *y = NULL;
  CHECK_OK(sinabs_model_forward(&y, model, x));
  int64_t count = 0;
  CHECK_OK(sinabs_tensor_numel(&count, y));
  CHECK(count == output.count);
  int64_t differ = 0;
  for (int64_t i = 0; i < count && count == output.count; i++) differ += data_of(y)[i] != output.data[i];
  CHECK(differ == 0);

  /* C writes the same bytes Python wrote. */
  CHECK_OK(sinabs_model_save(model, copy, 0));
  long a = 0, b = 0;
  char *original = read_all(path, &a), *resaved = read_all(copy, &b);
  CHECK(original && resaved && a == b && memcmp(original, resaved, (size_t)a) == 0);
  remove(copy);

  free(original);
  free(resaved);
  free(input.data);
  free(output.data);
  free(json);
  sinabs_tensor_free(x);
  sinabs_tensor_free(y);
  sinabs_model_free(model);
  DONE();
}
