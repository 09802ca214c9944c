// DVS event binning: a checking pass (coordinates, finite times, range of t)
// and a scatter pass that counts each event into its frame.
#include <math.h>
#include "multiversion.h"
#include "sinabs_kernels.h"

SNK_MULTIVERSION
int64_t snk_events_check(const double *t, const int32_t *x, const int32_t *y, int64_t count, int64_t height,
                         int64_t width, double *out_first, double *out_last) {
  double first = INFINITY, last = -INFINITY;
  for (int64_t i = 0; i < count; i++) {
    if (!isfinite(t[i]) || x[i] < 0 || x[i] >= width || y[i] < 0 || y[i] >= height) return i;
    first = t[i] < first ? t[i] : first;
    last = t[i] > last ? t[i] : last;
  }
  *out_first = first;
  *out_last = last;
  return -1;
}

SNK_MULTIVERSION
void snk_events_scatter(const double *t, const int32_t *x, const int32_t *y, const int32_t *p, int64_t count,
                        int64_t height, int64_t width, double start, double divisor, double multiplier,
                        int64_t frames,
                        float *out) {
  const int64_t plane = height * width;
  for (int64_t i = 0; i < count; i++) {
    int64_t bin = (int64_t)floor((t[i] - start) / divisor * multiplier);
    bin = bin < 0 ? 0 : bin >= frames ? frames - 1 : bin;
    out[(bin * 2 + (p[i] > 0)) * plane + (int64_t)y[i] * width + x[i]] += 1.0f;
  }
}
