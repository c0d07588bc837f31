// The kernels for x86-64 CPUs with AVX-512 (F, DQ, BW, VL), FMA and F16C: 16 lanes as one zmm. The only
// file whose code may use AVX-512 instructions.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,fma,f16c"))), apply_to = function)
#define ZO_HALF_CONVERSION 1
#define ZO_GROUPED_DOTS 1
#define ZO_TABLE_PERMUTE 1
#define ZO_VARIANT avx512
#include "Variant.h"
#pragma clang attribute pop
#endif
