/* Shared by the digits examples: a status check that exits with the
 * library's message, and the reader of build/digits.bin, which
 * examples/export_digits.py writes ("DGT1", the train and test counts as
 * little-endian uint32, then 65 bytes per digit: 64 pixels 0..16, label). */
#ifndef DIGITS_DATA_H
#define DIGITS_DATA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sinabs.h"

#define TRY(call)                                                              \
  do {                                                                         \
    sinabs_status status_ = (call);                                            \
    if (status_ != SINABS_OK) {                                                \
      fprintf(stderr, "%s failed: %s\n", #call, sinabs_last_error());           \
      exit(2);                                                                 \
    }                                                                          \
  } while (0)

typedef struct {
  int n_train, n_test;
  unsigned char *records; /* 65 bytes each: 64 pixels (0..16), label */
} digits;

static uint32_t little_endian_u32(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The whole file, or exit(2) with a message. */
static digits load_digits(const char *path) {
  digits d = {0, 0, NULL};
  FILE *f = fopen(path, "rb");
  unsigned char header[12];
  if (f == NULL || fread(header, 1, 12, f) != 12 || memcmp(header, "DGT1", 4) != 0) {
    fprintf(stderr, "cannot read %s (python3 examples/export_digits.py writes it)\n", path);
    exit(2);
  }
  d.n_train = (int)little_endian_u32(header + 4);
  d.n_test = (int)little_endian_u32(header + 8);
  size_t bytes = (size_t)(d.n_train + d.n_test) * 65;
  d.records = malloc(bytes);
  if (d.records == NULL || fread(d.records, 1, bytes, f) != bytes) {
    fprintf(stderr, "%s is truncated\n", path);
    exit(2);
  }
  fclose(f);
  return d;
}

#endif
