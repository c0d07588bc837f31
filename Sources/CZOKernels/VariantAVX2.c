// The kernels for x86-64 CPUs with AVX2 and FMA (Haswell, Zen 1 and later): 16 lanes as two ymm.
#if defined(__x86_64__)
#include <math.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define ZO_VARIANT avx2
#include "Variant.h"
#pragma clang attribute pop
#endif
