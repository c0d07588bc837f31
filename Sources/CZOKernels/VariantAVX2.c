// The kernels for x86-64 CPUs with AVX2, FMA and F16C (Haswell, Zen 1 and later): 16 lanes as two ymm.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define ZO_HALF_CONVERSION 1
#define ZO_VARIANT avx2
#include "Variant.h"
#pragma clang attribute pop
#endif
