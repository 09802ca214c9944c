/* Run an SNN that another library wrote as NIR, from C: load the .nir file
 * (HDF5, as the `nir` Python package writes it) with sinabs_model_load_nir
 * and classify scikit-learn's 8x8 test digits.
 *
 *   make examples-nir     (converts an ANN in Python, saves build/digits_snn.nir,
 *                          exports build/digits.bin, builds and runs this)
 *   run_nir_digits DIGITS.bin NET.nir [EXPECTED_ACCURACY]
 *
 * The network is examples/python/convert_digits.py's converted SNN (squeeze
 * form, 32 samples per forward); each pixel / 16 is a constant input current
 * for 64 steps and the class is the output neuron with the most spikes, as
 * in the Python example, which evaluates the same test set (the split of
 * examples/export_digits.py). Prints the accuracy; with EXPECTED_ACCURACY
 * (the Python SNN's, in percent) exits 1 unless it is the same. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "digits_data.h"

enum { PIXELS = 64, CLASSES = 10, STEPS = 64, BATCH = 32 };

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DIGITS.bin NET.nir [EXPECTED_ACCURACY]\n", argv[0]);
    return 2;
  }
  digits d = load_digits(argv[1]);

  sinabs_nir_options options;
  TRY(sinabs_nir_options_init(&options));
  options.batch_size = BATCH; /* the model runs on (BATCH * STEPS, 1, 8, 8) */
  sinabs_model *model = NULL;
  TRY(sinabs_model_load_nir(&model, argv[2], &options));
  TRY(sinabs_model_build(model, (const int64_t[]){BATCH * STEPS, 1, 8, 8}, 4));
  size_t length = 0;
  TRY(sinabs_model_summary(NULL, 0, &length, model));
  char *summary = malloc(length + 1);
  TRY(sinabs_model_summary(summary, length + 1, &length, model));
  printf("%s loaded:\n%s", argv[2], summary);
  free(summary);

  float *x = malloc(sizeof(float) * BATCH * STEPS * PIXELS);
  int correct = 0;
  for (int first = 0; first < d.n_test; first += BATCH) {
    int count = d.n_test - first < BATCH ? d.n_test - first : BATCH;
    /* Sample-major (Batch, Time) squeezed; the last batch padded with zeros. */
    memset(x, 0, sizeof(float) * BATCH * STEPS * PIXELS);
    for (int b = 0; b < count; b++) {
      const unsigned char *r = d.records + (size_t)(d.n_train + first + b) * 65;
      for (int t = 0; t < STEPS; t++)
        for (int p = 0; p < PIXELS; p++) x[((size_t)b * STEPS + t) * PIXELS + p] = r[p] / 16.0f;
    }
    sinabs_tensor *input = NULL, *output = NULL;
    TRY(sinabs_tensor_create_copy(&input, (const int64_t[]){BATCH * STEPS, 1, 8, 8}, 4, x,
                                  (int64_t)BATCH * STEPS * PIXELS));
    TRY(sinabs_model_reset_states(model));
    TRY(sinabs_model_forward(&output, model, input));
    float *y = NULL;
    TRY(sinabs_tensor_data(&y, output));
    for (int b = 0; b < count; b++) {
      float spikes[CLASSES] = {0};
      for (int t = 0; t < STEPS; t++)
        for (int c = 0; c < CLASSES; c++) spikes[c] += y[((size_t)b * STEPS + t) * CLASSES + c];
      int best = 0; /* the first of equal counts, as numpy's argmax */
      for (int c = 1; c < CLASSES; c++) best = spikes[c] > spikes[best] ? c : best;
      correct += best == d.records[(size_t)(d.n_train + first + b) * 65 + 64];
    }
    sinabs_tensor_free(input);
    sinabs_tensor_free(output);
  }
  double accuracy = 100.0 * correct / d.n_test;
  printf("NIR SNN accuracy from C: %.2f%% (%d of %d test digits, %d steps)\n", accuracy, correct, d.n_test, STEPS);
  free(x);
  free(d.records);
  sinabs_model_free(model);
  if (argc > 3 && fabs(accuracy - atof(argv[3])) > 0.005) {
    printf("FAIL: the Python SNN's accuracy was %s%%\n", argv[3]);
    return 1;
  }
  return 0;
}
