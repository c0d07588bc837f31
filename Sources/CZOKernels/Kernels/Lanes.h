// The 16-lane vocabulary every kernel is written in (clang vector extensions), mirroring the Swift
// `SIMD16<Float>` code the kernels were ported from operation for operation.
//
// Floating-point contract: no contraction (`a*b + c` stays a multiply then an add, as in Swift);
// fused multiply-adds appear only where written with `adding_product`, Swift's `addingProduct`.
// With that and fixed reduction trees, each variant gives the same bits on any IEEE machine.
#ifndef ZO_LANES_H
#define ZO_LANES_H

#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)
// 16-lane values pass between always-inline helpers only, never across a call boundary, so the ABI
// of vector arguments (which -Wpsabi warns differs with and without AVX-512) never matters.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float f32x16 __attribute__((ext_vector_type(16)));
typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef float f32x4 __attribute__((ext_vector_type(4)));
typedef float f32x2 __attribute__((ext_vector_type(2)));
typedef uint32_t u32x16 __attribute__((ext_vector_type(16)));
typedef int32_t i32x16 __attribute__((ext_vector_type(16)));
typedef uint64_t u64x8 __attribute__((ext_vector_type(8)));

#define ZO_INLINE static inline __attribute__((always_inline))

ZO_INLINE f32x16 splat(float value) { return (f32x16)(value); }
ZO_INLINE u32x16 splat_u32(uint32_t value) { return (u32x16)(value); }

ZO_INLINE f32x16 load(const float *p) {
    f32x16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

ZO_INLINE void store(float *p, f32x16 v) { memcpy(p, &v, sizeof v); }

ZO_INLINE u32x16 bits(f32x16 v) { return (u32x16)v; }
ZO_INLINE f32x16 from_bits(u32x16 v) { return (f32x16)v; }

/// Swift's prefix minus on SIMD vectors, which the standard library defines as 0 − v: it maps +0 to
/// +0 where a sign flip would give −0.
ZO_INLINE f32x16 negated(f32x16 v) { return 0.0f - v; }

/// acc + a·b with one rounding (Swift's `acc.addingProduct(a, b)`).
ZO_INLINE f32x16 adding_product(f32x16 acc, f32x16 a, f32x16 b) { return __builtin_elementwise_fma(a, b, acc); }
ZO_INLINE float adding_product_scalar(float acc, float a, float b) { return __builtin_fmaf(a, b, acc); }

/// Lanes where `mask` is set take `a`, the others `b` (Swift's `b.replacing(with: a, where: mask)`).
ZO_INLINE f32x16 blend(i32x16 mask, f32x16 a, f32x16 b) { return mask ? a : b; }

/// Swift's `pointwiseMax(v, splat(bound))`, i.e. `Float.maximum`: v where v > bound, else bound (NaN → bound).
ZO_INLINE f32x16 max_with(f32x16 v, float bound) { return blend(v > bound, v, splat(bound)); }
/// Swift's `pointwiseMin(v, splat(bound))`, i.e. `Float.minimum`: v where v ≤ bound, else bound (NaN → bound).
ZO_INLINE f32x16 min_with(f32x16 v, float bound) { return blend(v <= bound, v, splat(bound)); }

/// Sum of 16 lanes by the halving tree (lanes 0–7 + 8–15, then 0–3 + 4–7, …).
ZO_INLINE float horizontal_sum(f32x16 v) {
    f32x8 a = v.lo + v.hi;
    f32x4 b = a.lo + a.hi;
    f32x2 c = b.lo + b.hi;
    return c.x + c.y;
}

#endif
