// Rows written now and read much later (the training tape, backward's
// gradient): non-temporal stores skip the read-for-ownership of each line
// and keep the caches for the data in use. 32-byte aligned part only.
#ifndef SNK_STREAM_H
#define SNK_STREAM_H

#include <stdint.h>
#include <string.h>
#include "multiversion.h"

typedef float snk_v8 __attribute__((vector_size(32)));

SNK_INLINE void snk_stream_row(float *restrict dst, const float *restrict src, int64_t m) {
  int64_t k = 0;
  while (k < m && ((uintptr_t)(dst + k) & 31u)) {
    dst[k] = src[k];
    k++;
  }
  for (; k + 8 <= m; k += 8) {
    snk_v8 v;
    memcpy(&v, src + k, sizeof v);
    __builtin_nontemporal_store(v, (snk_v8 *)(dst + k));
  }
  for (; k < m; k++) dst[k] = src[k];
}

// Orders the streamed stores before the results are handed to other threads.
SNK_INLINE void snk_stream_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence();
#endif
}

#endif
