// exp, erf and tanh for 16 lanes (the activations and softmax), and log, cos/sin for Box–Muller.
#ifndef ZO_LANE_MATH_H
#define ZO_LANE_MATH_H

#include "Lanes.h"

/// exp(x): Cody–Waite range reduction + Cephes' degree-6 polynomial (≈ 1 ulp). Inputs are clamped to
/// [−87, 88] so that 2ⁿ stays a normal float (NaN becomes −87); exp(−87) ≈ 1.6e−38 stands in for 0.
///
/// n = round-to-nearest-even(x·log₂e) is taken as (v + 1.5·2²³) − 1.5·2²³, exact for |v| < 2²²,
/// because baseline x86-64 has no vector rounding instruction. It differs from `roundeven` only in the
/// sign of a zero n, which the second reduction step below erases, so the result is the same.
ZO_INLINE f32x16 vector_exp(f32x16 input) {
    const float magic = 12582912.0f;  // 1.5·2²³
    f32x16 x = min_with(max_with(input, -87.0f), 88.0f);
    f32x16 n = (x * 1.44269504f + magic) - magic;
    f32x16 r = adding_product(x, n, splat(-0.693359375f));
    r = adding_product(r, n, splat(2.1219444e-4f));
    f32x16 p = adding_product(splat(1.39819995e-3f), splat(1.98756915e-4f), r);
    p = adding_product(splat(8.3334519e-3f), p, r);
    p = adding_product(splat(4.16657959e-2f), p, r);
    p = adding_product(splat(1.66666655e-1f), p, r);
    p = adding_product(splat(5.00000012e-1f), p, r);
    f32x16 y = adding_product(r + 1.0f, p, r * r);
    // 2ⁿ from n's integer bits: n + 1.5·2²³ puts n in the low mantissa bits.
    u32x16 shifted = bits(n + magic);
    u32x16 exponent = (shifted - 0x4B400000u + 127u) << 23;
    return y * from_bits(exponent);
}

/// exp of one float through the vector code (lane 0), for the scalar tails of row kernels.
ZO_INLINE float scalar_exp(float x) { return vector_exp(splat(x))[0]; }

/// erf: Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), the approximation PyTorch's vectorised CPU
/// `erf` uses: erf(x) = sign(x) · (1 − t·P(t)·e^{−x²}), t = 1 / (1 + 0.3275911·|x|).
ZO_INLINE f32x16 vector_erf(f32x16 x) {
    f32x16 magnitude = blend(x < 0.0f, negated(x), x);
    f32x16 t = 1.0f / adding_product(splat(1.0f), magnitude, splat(0.3275911f));
    f32x16 p = adding_product(splat(-1.453152027f), t, splat(1.061405429f));
    p = adding_product(splat(1.421413741f), p, t);
    p = adding_product(splat(-0.284496736f), p, t);
    p = adding_product(splat(0.254829592f), p, t);
    f32x16 e = 1.0f - p * t * vector_exp(negated(magnitude) * magnitude);
    return blend(x < 0.0f, negated(e), e);
}

/// tanh as sign(x) · (1 − e^{−2|x|}) / (1 + e^{−2|x|}): never overflows; absolute error a few 1e-8.
ZO_INLINE f32x16 vector_tanh(f32x16 x) {
    f32x16 magnitude = blend(x < 0.0f, negated(x), x);
    f32x16 e = vector_exp(-2.0f * magnitude);
    f32x16 y = (1.0f - e) / (1.0f + e);
    return blend(x < 0.0f, negated(y), y);
}

/// Natural log for positive, finite, normal inputs (musl's branch-free reduction to [√½, √2), then
/// Cephes `logf`'s degree-8 polynomial; ≈ 1 ulp). Other inputs give meaningless results.
ZO_INLINE f32x16 vector_log(f32x16 value) {
    u32x16 shifted = bits(value) + (0x3F800000u - 0x3F3504F3u);
    f32x16 m = from_bits((shifted & 0x007FFFFFu) + 0x3F3504F3u);
    // e + 127 as a float: OR it into the mantissa of 2²³, then subtract 2²³ + 127.
    f32x16 biased = from_bits((shifted >> 23) | 0x4B000000u);
    f32x16 e = biased - 8388735.0f;
    f32x16 x = m - 1.0f;
    f32x16 z = x * x;
    f32x16 p = adding_product(splat(-1.1514610310e-1f), splat(7.0376836292e-2f), x);
    p = adding_product(splat(1.1676998740e-1f), p, x);
    p = adding_product(splat(-1.2420140846e-1f), p, x);
    p = adding_product(splat(1.4249322787e-1f), p, x);
    p = adding_product(splat(-1.6668057665e-1f), p, x);
    p = adding_product(splat(2.0000714765e-1f), p, x);
    p = adding_product(splat(-2.4999993993e-1f), p, x);
    p = adding_product(splat(3.3333331174e-1f), p, x);
    f32x16 y = (x * z) * p;
    y = adding_product(y, e, splat(-2.12194440e-4f));
    y = adding_product(y, z, splat(-0.5f));
    return adding_product(x + y, e, splat(0.693359375f));
}

/// (cos a, sin a) for |a| ≤ π/4 (Cephes `sinf`/`cosf` minimax polynomials).
ZO_INLINE void vector_cos_sin(f32x16 a, f32x16 *cosine, f32x16 *sine) {
    f32x16 z = a * a;
    f32x16 s = adding_product(splat(8.3321608736e-3f), splat(-1.9515295891e-4f), z);
    s = adding_product(splat(-1.6666654611e-1f), s, z);
    *sine = adding_product(a, a * z, s);
    f32x16 c = adding_product(splat(-1.388731625493765e-3f), splat(2.443315711809948e-5f), z);
    c = adding_product(splat(4.166664568298827e-2f), c, z);
    *cosine = adding_product(adding_product(splat(1.0f), z, splat(-0.5f)), z * z, c);
}

ZO_INLINE f32x16 vector_sqrt(f32x16 v) { return __builtin_elementwise_sqrt(v); }

#endif
