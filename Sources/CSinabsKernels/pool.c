// 2-D pooling over independent planes with torch's window rules (window
// bounds, divisors, NaN propagation), parallel over planes.
#include <math.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

typedef struct pool_job {
  const snk_pool_shape *s;
  const float *input, *grad_output;
  float *output, *grad_input;
  int32_t *argmax;
  const int32_t *argmax_in;
  int32_t count_include_pad, zero_where_sum_zero;
  int64_t divisor_override;
  float scale;
} pool_job;

// torch's avg_pool2d window: [y0, y1) x [x0, x1) inside the input and its divisor.
typedef struct avg_window {
  int64_t y0, y1, x0, x1;
  float divisor;
} avg_window;

SNK_INLINE avg_window avg_window_at(const pool_job *job, int64_t oy, int64_t ox) {
  const snk_pool_shape *s = job->s;
  int64_t y0 = oy * s->stride_h - s->pad_h, x0 = ox * s->stride_w - s->pad_w;
  int64_t y1 = y0 + s->kernel_h, x1 = x0 + s->kernel_w;
  if (y1 > s->height + s->pad_h) y1 = s->height + s->pad_h;
  if (x1 > s->width + s->pad_w) x1 = s->width + s->pad_w;
  const int64_t padded = (y1 - y0) * (x1 - x0);
  if (y0 < 0) y0 = 0;
  if (x0 < 0) x0 = 0;
  if (y1 > s->height) y1 = s->height;
  if (x1 > s->width) x1 = s->width;
  int64_t divisor = job->divisor_override > 0 ? job->divisor_override
                    : job->count_include_pad  ? padded
                                              : (y1 - y0) * (x1 - x0);
  return (avg_window){y0, y1, x0, x1, (float)divisor};
}

SNK_INLINE float window_sum(const float *x, int64_t W, avg_window w) {
  float sum = 0.0f;
  for (int64_t y = w.y0; y < w.y1; y++)
    for (int64_t xx = w.x0; xx < w.x1; xx++) sum += x[y * W + xx];
  return sum;
}

// Every window inside the input, no padding: one divisor for all, and no
// bounds per window (SumPool2d and AvgPool2d's common case).
static int windows_inside(const snk_pool_shape *s) {
  return s->pad_h == 0 && s->pad_w == 0 && (s->out_h - 1) * s->stride_h + s->kernel_h <= s->height &&
         (s->out_w - 1) * s->stride_w + s->kernel_w <= s->width;
}

SNK_MULTIVERSION
static void avg_forward_inside(const pool_job *job, int64_t begin, int64_t end) {
  const snk_pool_shape *s = job->s;
  const int64_t H = s->height, W = s->width, OH = s->out_h, OW = s->out_w;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, sh = s->stride_h, sw = s->stride_w;
  const float divisor = (float)(job->divisor_override > 0 ? job->divisor_override : kh * kw);
  const float scale = job->scale;
  for (int64_t plane = begin; plane < end; plane++) {
    const float *x = job->input + plane * H * W;
    float *y = job->output + plane * OH * OW;
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {  // the common 2x2 pool: same sums, unrolled
      for (int64_t oy = 0; oy < OH; oy++) {
        const float *r0 = x + 2 * oy * W, *r1 = r0 + W;
        float *out = y + oy * OW;
        for (int64_t ox = 0; ox < OW; ox++) {
          const float sum = ((0.0f + r0[2 * ox] + r0[2 * ox + 1]) + r1[2 * ox]) + r1[2 * ox + 1];
          out[ox] = sum / divisor * scale;
        }
      }
      continue;
    }
    for (int64_t oy = 0; oy < OH; oy++) {
      float *out = y + oy * OW;
      for (int64_t ox = 0; ox < OW; ox++) out[ox] = 0.0f;
      for (int64_t ky = 0; ky < kh; ky++) {
        const float *row = x + (oy * sh + ky) * W;
        for (int64_t ox = 0; ox < OW; ox++) {
          const float *window = row + ox * sw;
          float sum = out[ox];
          for (int64_t kx = 0; kx < kw; kx++) sum += window[kx];
          out[ox] = sum;
        }
      }
      for (int64_t ox = 0; ox < OW; ox++) out[ox] = out[ox] / divisor * scale;
    }
  }
}

SNK_MULTIVERSION
static void avg_forward_range(void *context, int64_t begin, int64_t end) {
  const pool_job *job = context;
  const snk_pool_shape *s = job->s;
  if (windows_inside(s)) {
    avg_forward_inside(job, begin, end);
    return;
  }
  const int64_t H = s->height, W = s->width, OH = s->out_h, OW = s->out_w;
  for (int64_t plane = begin; plane < end; plane++) {
    const float *x = job->input + plane * H * W;
    float *y = job->output + plane * OH * OW;
    for (int64_t oy = 0; oy < OH; oy++) {
      for (int64_t ox = 0; ox < OW; ox++) {
        const avg_window w = avg_window_at(job, oy, ox);
        const float sum = (w.y0 >= w.y1 || w.x0 >= w.x1) ? 0.0f : window_sum(x, W, w);
        y[oy * OW + ox] = sum / w.divisor * job->scale;
      }
    }
  }
}

// avg_backward_range for windows inside the input (windows_inside).
SNK_MULTIVERSION
static void avg_backward_inside(const pool_job *job, int64_t begin, int64_t end) {
  const snk_pool_shape *s = job->s;
  const int64_t H = s->height, W = s->width, OH = s->out_h, OW = s->out_w;
  const int64_t kh = s->kernel_h, kw = s->kernel_w, sh = s->stride_h, sw = s->stride_w;
  const float divisor = (float)(job->divisor_override > 0 ? job->divisor_override : kh * kw);
  for (int64_t plane = begin; plane < end; plane++) {
    const float *x = job->input + plane * H * W;
    const float *dy = job->grad_output + plane * OH * OW;
    float *dx = job->grad_input + plane * H * W;
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {  // the common 2x2 pool, without branches
      const int zero_where_sum_zero = job->zero_where_sum_zero;
      for (int64_t oy = 0; oy < OH; oy++) {
        const float *r0 = x + 2 * oy * W, *r1 = r0 + W;
        float *d0 = dx + 2 * oy * W, *d1 = d0 + W;
        const float *dyr = dy + oy * OW;
        for (int64_t ox = 0; ox < OW; ox++) {
          const float sum = ((0.0f + r0[2 * ox] + r0[2 * ox + 1]) + r1[2 * ox]) + r1[2 * ox + 1];
          const float g = (zero_where_sum_zero && sum / divisor == 0.0f) ? 0.0f : dyr[ox] * job->scale / divisor;
          d0[2 * ox] += g;
          d0[2 * ox + 1] += g;
          d1[2 * ox] += g;
          d1[2 * ox + 1] += g;
        }
      }
      continue;
    }
    for (int64_t oy = 0; oy < OH; oy++) {
      for (int64_t ox = 0; ox < OW; ox++) {
        const float *window = x + oy * sh * W + ox * sw;
        if (job->zero_where_sum_zero) {
          float sum = 0.0f;
          for (int64_t ky = 0; ky < kh; ky++)
            for (int64_t kx = 0; kx < kw; kx++) sum += window[ky * W + kx];
          if (sum / divisor == 0.0f) continue;
        }
        const float g = dy[oy * OW + ox] * job->scale / divisor;
        float *target = dx + oy * sh * W + ox * sw;
        for (int64_t ky = 0; ky < kh; ky++)
          for (int64_t kx = 0; kx < kw; kx++) target[ky * W + kx] += g;
      }
    }
  }
}

SNK_MULTIVERSION
static void avg_backward_range(void *context, int64_t begin, int64_t end) {
  const pool_job *job = context;
  const snk_pool_shape *s = job->s;
  if (windows_inside(s)) {
    avg_backward_inside(job, begin, end);
    return;
  }
  const int64_t H = s->height, W = s->width, OH = s->out_h, OW = s->out_w;
  for (int64_t plane = begin; plane < end; plane++) {
    const float *x = job->input + plane * H * W;
    const float *dy = job->grad_output + plane * OH * OW;
    float *dx = job->grad_input + plane * H * W;
    for (int64_t oy = 0; oy < OH; oy++) {
      for (int64_t ox = 0; ox < OW; ox++) {
        const avg_window w = avg_window_at(job, oy, ox);
        if (w.y0 >= w.y1 || w.x0 >= w.x1) continue;
        if (job->zero_where_sum_zero && window_sum(x, W, w) / w.divisor == 0.0f) continue;
        const float g = dy[oy * OW + ox] * job->scale / w.divisor;
        for (int64_t y = w.y0; y < w.y1; y++)
          for (int64_t xx = w.x0; xx < w.x1; xx++) dx[y * W + xx] += g;
      }
    }
  }
}

static int64_t plane_cost(const snk_pool_shape *s) {
  return s->height * s->width + s->out_h * s->out_w * s->kernel_h * s->kernel_w;
}

void snk_avg_pool_forward(const snk_pool_shape *s, const float *input, float *output,
                          int32_t count_include_pad, int64_t divisor_override, float scale) {
  pool_job job = {.s = s, .input = input, .output = output, .count_include_pad = count_include_pad,
                  .divisor_override = divisor_override, .scale = scale};
  snk_parallel_for(s->planes, plane_cost(s), avg_forward_range, &job);
}

void snk_avg_pool_forward_serial(const snk_pool_shape *s, const float *input, float *output,
                                 int32_t count_include_pad, int64_t divisor_override, float scale) {
  pool_job job = {.s = s, .input = input, .output = output, .count_include_pad = count_include_pad,
                  .divisor_override = divisor_override, .scale = scale};
  avg_forward_range(&job, 0, s->planes);
}

void snk_avg_pool_backward(const snk_pool_shape *s, const float *input, const float *grad_output,
                           float *grad_input, int32_t count_include_pad, int64_t divisor_override,
                           float scale, int32_t zero_where_sum_zero) {
  pool_job job = {.s = s, .input = input, .grad_output = grad_output, .grad_input = grad_input,
                  .count_include_pad = count_include_pad, .divisor_override = divisor_override,
                  .scale = scale, .zero_where_sum_zero = zero_where_sum_zero};
  snk_parallel_for(s->planes, plane_cost(s), avg_backward_range, &job);
}

SNK_MULTIVERSION
static void max_forward_range(void *context, int64_t begin, int64_t end) {
  const pool_job *job = context;
  const snk_pool_shape *s = job->s;
  const int64_t H = s->height, W = s->width, OH = s->out_h, OW = s->out_w;
  for (int64_t plane = begin; plane < end; plane++) {
    const float *x = job->input + plane * H * W;
    float *y = job->output + plane * OH * OW;
    int32_t *arg = job->argmax ? job->argmax + plane * OH * OW : 0;
    for (int64_t oy = 0; oy < OH; oy++) {
      int64_t y0 = oy * s->stride_h - s->pad_h;
      const int64_t y1 = y0 + (s->kernel_h - 1) * s->dilation_h + 1 < H
                             ? y0 + (s->kernel_h - 1) * s->dilation_h + 1 : H;
      while (y0 < 0) y0 += s->dilation_h;
      for (int64_t ox = 0; ox < OW; ox++) {
        int64_t x0 = ox * s->stride_w - s->pad_w;
        const int64_t x1 = x0 + (s->kernel_w - 1) * s->dilation_w + 1 < W
                               ? x0 + (s->kernel_w - 1) * s->dilation_w + 1 : W;
        while (x0 < 0) x0 += s->dilation_w;
        // -1: a window with no input element (its gradient goes nowhere).
        float best = -INFINITY;
        int64_t best_index = y0 < y1 && x0 < x1 ? y0 * W + x0 : -1;
        for (int64_t iy = y0; iy < y1; iy += s->dilation_h) {
          for (int64_t ix = x0; ix < x1; ix += s->dilation_w) {
            const float v = x[iy * W + ix];
            if (v > best || isnan(v)) {  // torch: the last NaN wins
              best = v;
              best_index = iy * W + ix;
            }
          }
        }
        y[oy * OW + ox] = best;
        if (arg) arg[oy * OW + ox] = (int32_t)best_index;
      }
    }
  }
}

static void max_backward_range(void *context, int64_t begin, int64_t end) {
  const pool_job *job = context;
  const snk_pool_shape *s = job->s;
  const int64_t plane_in = s->height * s->width, plane_out = s->out_h * s->out_w;
  for (int64_t plane = begin; plane < end; plane++) {
    const int32_t *arg = job->argmax_in + plane * plane_out;
    const float *dy = job->grad_output + plane * plane_out;
    float *dx = job->grad_input + plane * plane_in;
    for (int64_t i = 0; i < plane_out; i++) {
      if (arg[i] >= 0) dx[arg[i]] += dy[i];
    }
  }
}

void snk_max_pool_forward(const snk_pool_shape *s, const float *input, float *output,
                          int32_t *argmax) {
  pool_job job = {.s = s, .input = input, .output = output, .argmax = argmax};
  snk_parallel_for(s->planes, plane_cost(s), max_forward_range, &job);
}

void snk_max_pool_backward(const snk_pool_shape *s, const int32_t *argmax,
                           const float *grad_output, float *grad_input) {
  pool_job job = {.s = s, .grad_output = grad_output, .grad_input = grad_input, .argmax_in = argmax};
  snk_parallel_for(s->planes, s->height * s->width + s->out_h * s->out_w, max_backward_range, &job);
}
