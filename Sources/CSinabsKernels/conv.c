// Dense Conv2d's patch matrices, one sample at a time (the callers are
// parallel over samples, so that a worker's patch matrix stays in L2 between
// im2col and its GEMM): im2col lays out a sample's patches, col2im adds them
// back. Also the early-exit density check.
#include <string.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

static int64_t group_channels(const snk_conv_shape *s) { return s->channels / s->groups; }

// Stride 1 with out_w == width ("same" width): a patch row is the input
// plane shifted by (dy, dx) in flat order, so it moves as one long run
// instead of out_h runs of a few dozen floats. Entries whose column left the
// plane (the run wraps into the neighbouring row there) are zero in col.
static int flat_rows(const snk_conv_shape *s) {
  return s->stride_h == 1 && s->stride_w == 1 && s->out_w == s->width;
}

typedef struct flat_run {
  int64_t oy0, oy1;  // output rows whose input row is inside the plane
  int64_t dx;        // column shift
  int64_t from, to;  // j in [from, to): col[oy0 * W + j] <-> x[start + j]
  int64_t start;
} flat_run;

static flat_run flat_run_of(const snk_conv_shape *s, int64_t ky, int64_t kx) {
  const int64_t H = s->height, W = s->width, OH = s->out_h;
  const int64_t dy = ky * s->dilation_h - s->pad_h, dx = kx * s->dilation_w - s->pad_w;
  flat_run r;
  r.oy0 = dy < 0 ? -dy : 0;
  if (r.oy0 > OH) r.oy0 = OH;
  r.oy1 = H - dy < OH ? H - dy : OH;
  if (r.oy1 < r.oy0) r.oy1 = r.oy0;
  r.dx = dx;
  r.start = (r.oy0 + dy) * W + dx;
  const int64_t length = (r.oy1 - r.oy0) * W;
  r.from = r.start < 0 ? -r.start : 0;
  if (r.from > length) r.from = length;
  r.to = H * W - r.start < length ? H * W - r.start : length;
  if (r.to < r.from) r.to = r.from;
  return r;
}

// Zeroes the entries of rows [oy0, oy1) of a patch row whose column is outside the plane.
static void zero_wrapped_columns(float *patch, const flat_run *r, int64_t W) {
  if (r->dx == 0) return;
  const int64_t first = r->dx > 0 ? W - r->dx : 0, last = r->dx > 0 ? W : -r->dx;
  for (int64_t oy = r->oy0; oy < r->oy1; oy++) {
    for (int64_t ox = first < 0 ? 0 : first; ox < (last > W ? W : last); ox++) patch[oy * W + ox] = 0.0f;
  }
}

static void im2col_flat(const snk_conv_shape *s, const float *x, float *patch, int64_t ky, int64_t kx) {
  const flat_run r = flat_run_of(s, ky, kx);
  const int64_t W = s->width, plane = s->out_h * W;
  float *run = patch + r.oy0 * W;
  memset(patch, 0, (size_t)(r.oy0 * W + r.from) * sizeof(float));
  memcpy(run + r.from, x + r.start + r.from, (size_t)(r.to - r.from) * sizeof(float));
  memset(run + r.to, 0, (size_t)(plane - r.oy0 * W - r.to) * sizeof(float));
  zero_wrapped_columns(patch, &r, W);
}

// The adjoint of im2col_flat; clears the wrapped entries of `patch` first.
SNK_INLINE void col2im_flat(const snk_conv_shape *s, float *patch, float *g, int64_t ky, int64_t kx) {
  const flat_run r = flat_run_of(s, ky, kx);
  const int64_t W = s->width;
  zero_wrapped_columns(patch, &r, W);
  const float *run = patch + r.oy0 * W;
  for (int64_t j = r.from; j < r.to; j++) g[r.start + j] += run[j];
}

// Row r of col is (c, ky, kx) of the group's channels, over the out_h x
// out_w output pixels.
SNK_MULTIVERSION
void snk_im2col_sample(const snk_conv_shape *s, const float *input, int64_t group, float *col) {
  const int64_t kh = s->kernel_h, kw = s->kernel_w, H = s->height, W = s->width;
  const int64_t OH = s->out_h, OW = s->out_w, plane = OH * OW;
  for (int64_t row = 0; row < group_channels(s) * kh * kw; row++) {
    const int64_t c = row / (kh * kw), ky = row / kw % kh, kx = row % kw;
    const float *x = input + (group * group_channels(s) + c) * H * W;
    float *dst = col + row * plane;
    if (flat_rows(s)) {
      im2col_flat(s, x, dst, ky, kx);
      continue;
    }
    for (int64_t oy = 0; oy < OH; oy++) {
      const int64_t iy = oy * s->stride_h - s->pad_h + ky * s->dilation_h;
      float *out = dst + oy * OW;
      if (iy < 0 || iy >= H) {
        for (int64_t ox = 0; ox < OW; ox++) out[ox] = 0.0f;
        continue;
      }
      const float *xrow = x + iy * W;
      const int64_t x0 = kx * s->dilation_w - s->pad_w;
      if (s->stride_w == 1) {  // zeros where the window hangs over a side, one copy between
        int64_t first = x0 < 0 ? -x0 : 0, last = W - x0 < OW ? W - x0 : OW;
        if (first > OW) first = OW;
        if (last < first) last = first;
        for (int64_t ox = 0; ox < first; ox++) out[ox] = 0.0f;
        // A loop, not memcpy: rows are a few dozen floats, where a call costs more than the copy.
        for (int64_t ox = first; ox < last; ox++) out[ox] = xrow[x0 + ox];
        for (int64_t ox = last; ox < OW; ox++) out[ox] = 0.0f;
        continue;
      }
      for (int64_t ox = 0; ox < OW; ox++) {
        const int64_t ix = x0 + ox * s->stride_w;
        out[ox] = (ix >= 0 && ix < W) ? xrow[ix] : 0.0f;
      }
    }
  }
}

// Input plane by input plane: each gathers from its kh * kw rows of col.
SNK_MULTIVERSION
void snk_col2im_add_sample(const snk_conv_shape *s, float *col, int64_t group, float *grad_input) {
  const int64_t kh = s->kernel_h, kw = s->kernel_w, H = s->height, W = s->width;
  const int64_t OH = s->out_h, OW = s->out_w, plane = OH * OW, cg = group_channels(s);
  for (int64_t c = 0; c < cg; c++) {
    float *g = grad_input + (group * cg + c) * H * W;
    for (int64_t ky = 0; ky < kh; ky++) {
      for (int64_t kx = 0; kx < kw; kx++) {
        float *src = col + ((c * kh + ky) * kw + kx) * plane;
        if (flat_rows(s)) {
          col2im_flat(s, src, g, ky, kx);
          continue;
        }
        for (int64_t oy = 0; oy < OH; oy++) {
          const int64_t iy = oy * s->stride_h - s->pad_h + ky * s->dilation_h;
          if (iy < 0 || iy >= H) continue;
          float *grow = g + iy * W;
          const float *srow = src + oy * OW;
          const int64_t x0 = kx * s->dilation_w - s->pad_w;
          if (s->stride_w == 1) {  // a contiguous run: clip it once, then vector adds
            const int64_t first = x0 < 0 ? -x0 : 0, last = W - x0 < OW ? W - x0 : OW;
            for (int64_t ox = first; ox < last; ox++) grow[x0 + ox] += srow[ox];
            continue;
          }
          for (int64_t ox = 0; ox < OW; ox++) {
            const int64_t ix = x0 + ox * s->stride_w;
            if (ix >= 0 && ix < W) grow[ix] += srow[ox];
          }
        }
      }
    }
  }
}

SNK_MULTIVERSION
int32_t snk_nonzero_below(const float *data, int64_t count, int64_t limit) {
  // Blocks of 4096: a vector count each, then stop once the answer is known
  // (at 5% density, after a quarter of a 75% limit's input).
  int64_t nonzero = 0;
  for (int64_t start = 0; start < count; start += 4096) {
    const int64_t end = count - start > 4096 ? start + 4096 : count;
    int64_t block = 0;
    for (int64_t i = start; i < end; i++) block += data[i] != 0.0f;
    nonzero += block;
    if (nonzero >= limit) return 0;
    if (nonzero + (count - end) < limit) return 1;
  }
  return nonzero < limit;
}
