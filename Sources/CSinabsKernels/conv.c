// Dense Conv2d around one GEMM: im2col lays out the patches of many samples
// side by side, so OpenBLAS sees one large product per group instead of a
// small one per sample; pack/unpack move between that layout and (N, C, H, W).
#include <string.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

typedef struct im2col_job {
  const snk_conv_shape *s;
  const float *input;
  float *col;
  int64_t samples, group;
} im2col_job;

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

// Row r of col is (c, ky, kx) over all samples; one item = (row, sample).
SNK_MULTIVERSION
static void im2col_range(void *context, int64_t begin, int64_t end) {
  const im2col_job *job = context;
  const snk_conv_shape *s = job->s;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, H = s->height, W = s->width;
  const int64_t OH = s->out_h, OW = s->out_w, plane = OH * OW;
  const int64_t columns = job->samples * plane;
  for (int64_t item = begin; item < end; item++) {
    const int64_t row = item / job->samples, n = item % job->samples;
    const int64_t c = row / (kh * kw), ky = row / kw % kh, kx = row % kw;
    const float *x = job->input + (n * s->channels + job->group * group_channels(s) + c) * H * W;
    float *dst = job->col + row * columns + n * plane;
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

void snk_im2col(const snk_conv_shape *s, const float *input, int64_t samples, int64_t group,
                float *col) {
  im2col_job job = {s, input, col, samples, group};
  const int64_t rows = group_channels(s) * s->kernel_h * s->kernel_w;
  snk_parallel_for(rows * samples, s->out_h * s->out_w, im2col_range, &job);
}

typedef struct col2im_job {
  const snk_conv_shape *s;
  float *col;
  float *grad;
  int64_t samples, group;
} col2im_job;

// One item = one input plane (sample, channel): it gathers from its kh*kw
// rows, so no two items write the same element.
SNK_MULTIVERSION
static void col2im_range(void *context, int64_t begin, int64_t end) {
  const col2im_job *job = context;
  const snk_conv_shape *s = job->s;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, H = s->height, W = s->width;
  const int64_t OH = s->out_h, OW = s->out_w, plane = OH * OW;
  const int64_t columns = job->samples * plane, cg = group_channels(s);
  for (int64_t item = begin; item < end; item++) {
    const int64_t n = item / cg, c = item % cg;
    float *g = job->grad + (n * s->channels + job->group * cg + c) * H * W;
    for (int64_t ky = 0; ky < kh; ky++) {
      for (int64_t kx = 0; kx < kw; kx++) {
        float *src = job->col + ((c * kh + ky) * kw + kx) * columns + n * plane;
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

void snk_im2col_sample(const snk_conv_shape *s, const float *input, int64_t group, float *col) {
  im2col_job job = {s, input, col, 1, group};
  im2col_range(&job, 0, group_channels(s) * s->kernel_h * s->kernel_w);
}

void snk_col2im_add(const snk_conv_shape *s, float *col, int64_t samples, int64_t group,
                    float *grad_input) {
  col2im_job job = {s, col, grad_input, samples, group};
  snk_parallel_for(samples * group_channels(s),
                   s->kernel_h * s->kernel_w * s->out_h * s->out_w, col2im_range, &job);
}

void snk_col2im_add_sample(const snk_conv_shape *s, float *col, int64_t group, float *grad_input) {
  col2im_job job = {s, col, grad_input, 1, group};
  col2im_range(&job, 0, group_channels(s));
}

typedef struct unpack_job {
  const snk_conv_shape *s;
  const float *product, *bias;
  float *output;
  int64_t samples, group;
  int pack;  // 1: output -> product (gather grad_output); 0: product -> output
} unpack_job;

SNK_MULTIVERSION
static void unpack_range(void *context, int64_t begin, int64_t end) {
  const unpack_job *job = context;
  const snk_conv_shape *s = job->s;
  const int64_t plane = s->out_h * s->out_w, og = s->out_channels / s->groups;
  for (int64_t item = begin; item < end; item++) {
    const int64_t n = item / og, j = item % og;
    const int64_t channel = job->group * og + j;
    float *y = job->output + (n * s->out_channels + channel) * plane;
    float *p = (float *)job->product + (j * job->samples + n) * plane;
    if (job->pack) {
      memcpy(p, y, (size_t)plane * sizeof(float));
    } else if (job->bias) {
      const float b = job->bias[channel];
      for (int64_t i = 0; i < plane; i++) y[i] = p[i] + b;
    } else {
      memcpy(y, p, (size_t)plane * sizeof(float));
    }
  }
}

void snk_conv_unpack(const snk_conv_shape *s, const float *product, int64_t samples, int64_t group,
                     const float *bias, float *output) {
  unpack_job job = {s, product, bias, output, samples, group, 0};
  snk_parallel_for(samples * (s->out_channels / s->groups), s->out_h * s->out_w, unpack_range, &job);
}

void snk_conv_pack(const snk_conv_shape *s, const float *grad_output, int64_t samples, int64_t group,
                   float *product) {
  unpack_job job = {s, product, NULL, (float *)grad_output, samples, group, 1};
  snk_parallel_for(samples * (s->out_channels / s->groups), s->out_h * s->out_w, unpack_range, &job);
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
