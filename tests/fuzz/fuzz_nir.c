/* libFuzzer target for .nir files: each input is written to a file and loaded
 * with sinabs_model_load_nir (options from the first bytes); a model that
 * loads runs one forward of zeros and is saved back as NIR. Seeded with the
 * files of tests/reference/nir, so mutations reach deep into HDF5 and the
 * graph (make fuzz-nir). Aborts on a status outside sinabs.h's codes, a failed
 * load that leaves `out` non-NULL, or any ASan/UBSan report. libhdf5 itself is
 * not instrumented: only its crashes show. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sinabs.h"

static void check(sinabs_status s) {
  if (s != SINABS_OK && s != SINABS_ERR_INVALID_ARGUMENT && s != SINABS_ERR_SHAPE &&
      s != SINABS_ERR_OUT_OF_MEMORY && s != SINABS_ERR_STATE && s != SINABS_ERR_NOT_FOUND) {
    fprintf(stderr, "undocumented status %d: %s\n", (int)s, sinabs_last_error());
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64], copy[64];
  snprintf(path, sizeof path, "/tmp/sinabs-fuzz-nir-%d.nir", (int)getpid());
  snprintf(copy, sizeof copy, "/tmp/sinabs-fuzz-nir-%d-copy.nir", (int)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);

  sinabs_nir_options o;
  sinabs_nir_options_init(&o);
  o.batch_size = 2;
  o.single_spike = size > 0 && (data[size - 1] & 1);
  sinabs_model *model = (sinabs_model *)(uintptr_t)0x10;
  sinabs_status s = sinabs_model_load_nir(&model, path, &o);
  check(s);
  if (s != SINABS_OK && model != NULL) {
    fprintf(stderr, "failed load left out non-NULL\n");
    abort();
  }
  if (s == SINABS_OK) {
    int32_t layers = 0;
    check(sinabs_model_layer_count(&layers, model));
    sinabs_model_save_nir(model, copy, (const int64_t[]){4}, 1);
    remove(copy);
    sinabs_model_free(model);
  }
  remove(path);
  return 0;
}
