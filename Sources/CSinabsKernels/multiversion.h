// Function multi-versioning: the default build of a kernel carries an
// AVX2 clone picked at load time (ifunc) on CPUs that have it, so no build
// flag is needed for vector speed. Elsewhere the plain version is compiled.
#ifndef SNK_MULTIVERSION_H
#define SNK_MULTIVERSION_H

#if defined(__x86_64__) && defined(__ELF__) && (defined(__clang__) || defined(__GNUC__))
#define SNK_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define SNK_MULTIVERSION
#endif

#define SNK_INLINE static inline __attribute__((always_inline))

#endif
