// Zero padding and cropping of the last two dimensions: one kernel serves
// ZeroPad2d, Cropping2dLayer, ChannelShift and Merge, and their backward
// passes (the adjoint of a pad is the crop with negated amounts).
#include <string.h>
#include "sinabs_kernels.h"

typedef struct pad_job {
  const float *input;
  float *output;
  int64_t rows, cols, top, bottom, left, right;
} pad_job;

static void pad_range(void *context, int64_t begin, int64_t end) {
  const pad_job *job = context;
  const int64_t rows = job->rows, cols = job->cols;
  const int64_t out_rows = rows + job->top + job->bottom, out_cols = cols + job->left + job->right;
  // The copied input columns [c0, c1) land at output column c0 + left.
  const int64_t c0 = job->left < 0 ? -job->left : 0;
  const int64_t c1 = job->right < 0 ? cols + job->right : cols;
  for (int64_t block = begin; block < end; block++) {
    const float *x = job->input + block * rows * cols;
    float *y = job->output + block * out_rows * out_cols;
    for (int64_t oy = 0; oy < out_rows; oy++) {
      float *out = y + oy * out_cols;
      const int64_t iy = oy - job->top;
      if (iy < 0 || iy >= rows || c1 <= c0) {
        memset(out, 0, (size_t)out_cols * sizeof(float));
        continue;
      }
      const int64_t first = c0 + job->left;  // output column of input column c0
      memset(out, 0, (size_t)first * sizeof(float));
      memcpy(out + first, x + iy * cols + c0, (size_t)(c1 - c0) * sizeof(float));
      const int64_t tail = out_cols - first - (c1 - c0);
      memset(out + first + (c1 - c0), 0, (size_t)tail * sizeof(float));
    }
  }
}

void snk_pad2d(const float *input, int64_t outer, int64_t rows, int64_t cols, float *output,
               int64_t top, int64_t bottom, int64_t left, int64_t right) {
  pad_job job = {input, output, rows, cols, top, bottom, left, right};
  snk_parallel_for(outer, (rows + top + bottom) * (cols + left + right) + 1, pad_range, &job);
}
