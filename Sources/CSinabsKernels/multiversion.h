// Function multi-versioning: the default build of a kernel carries an
// AVX2 clone picked at load time (ifunc) on CPUs that have it, so no build
// flag is needed for vector speed. Elsewhere the plain version is compiled.
#ifndef SNK_MULTIVERSION_H
#define SNK_MULTIVERSION_H

#if defined(__x86_64__) && defined(__ELF__) && (defined(__clang__) || defined(__GNUC__))
#define SNK_MULTIVERSION __attribute__((target_clones("avx2", "default")))
// The event-driven kernels also get FMA and AVX-512 clones: their multiply-
// adds of spikes (mostly 1.0) by weights round the same fused or not, and
// 16 output channels fit one AVX-512 register.
#define SNK_MULTIVERSION_WIDE \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SNK_MULTIVERSION
#define SNK_MULTIVERSION_WIDE
#endif

#define SNK_INLINE static inline __attribute__((always_inline))

#endif
