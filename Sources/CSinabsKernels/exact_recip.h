// Division by a power of two is multiplication by its reciprocal, exactly
// (the same real value, so the same rounded float): kernels divide by a
// threshold or a pool divisor that is usually 1, 2 or 4, and a vector
// division costs several multiplications. Internal to CSinabsKernels.
#ifndef SNK_EXACT_RECIP_H
#define SNK_EXACT_RECIP_H

#include <stdint.h>
#include "multiversion.h"

/// Whether 1 / x is exact: x is a normal float with a zero mantissa.
SNK_INLINE int snk_has_exact_recip(float x) {
  union { float f; uint32_t u; } bits = {x};
  const uint32_t exponent = (bits.u >> 23) & 0xff;
  return (bits.u & 0x7fffff) == 0 && exponent != 0 && exponent != 0xff;
}

#endif
