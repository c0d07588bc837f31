import _Builtin_intrinsics.intel

/// 16-lane log, sine/cosine and square root for the Box–Muller transform.
///
/// Swift has no vector `log`/`sin`/`cos`, and `SIMD16.squareRoot()` compiles to 16 scalar `sqrtss`
/// with a libm error path per lane (compute.md §8). These versions use only FMA (`addingProduct`),
/// bit operations and `_mm512_sqrt_ps`, and avoid Float↔Int conversions (which compile to generic,
/// unspecialised code): exponents become floats by the "magic number" trick. Accuracy is checked
/// against Foundation in `VectorMathTests`.
public enum VectorMath {
    /// Natural logarithm for positive, finite, normal inputs (musl's branch-free reduction to
    /// [√½, √2), then Cephes `logf`'s degree-8 polynomial; ≈ 1 ulp). Zero, negative, subnormal or
    /// infinite inputs give meaningless results: the Gaussian transform never produces them.
    @inline(__always)
    public static func log(_ value: SIMD16<Float>) -> SIMD16<Float> {
        // musl's reduction (no compare: float compares against a splat compile to a per-lane loop):
        // shift the bits so that the exponent steps up exactly where the mantissa passes √½, then put
        // the mantissa back around 1: m ∈ [√½, √2), value = m · 2^e.
        let shifted = unsafeBitCast(value, to: SIMD16<UInt32>.self) &+ (0x3F80_0000 - 0x3F35_04F3)
        let m = unsafeBitCast((shifted & 0x007F_FFFF) &+ 0x3F35_04F3, to: SIMD16<Float>.self)
        // e + 127 (0…255) as a float: OR it into the mantissa of 2²³, then subtract 2²³ + 127.
        let biased = unsafeBitCast((shifted &>> 23) | 0x4B00_0000, to: SIMD16<Float>.self)
        let e = biased - SIMD16(repeating: 8_388_608 + 127)
        let x = m - SIMD16(repeating: 1)
        let z = x * x
        var p = SIMD16<Float>(repeating: -1.151_461_031_0e-1).addingProduct(SIMD16(repeating: 7.037_683_629_2e-2), x)
        p = SIMD16<Float>(repeating: 1.167_699_874_0e-1).addingProduct(p, x)
        p = SIMD16<Float>(repeating: -1.242_014_084_6e-1).addingProduct(p, x)
        p = SIMD16<Float>(repeating: 1.424_932_278_7e-1).addingProduct(p, x)
        p = SIMD16<Float>(repeating: -1.666_805_766_5e-1).addingProduct(p, x)
        p = SIMD16<Float>(repeating: 2.000_071_476_5e-1).addingProduct(p, x)
        p = SIMD16<Float>(repeating: -2.499_999_399_3e-1).addingProduct(p, x)
        p = SIMD16<Float>(repeating: 3.333_333_117_4e-1).addingProduct(p, x)
        var y = (x * z) * p
        y = y.addingProduct(e, SIMD16(repeating: -2.121_944_40e-4))
        y = y.addingProduct(z, SIMD16(repeating: -0.5))
        return (x + y).addingProduct(e, SIMD16(repeating: 0.693_359_375))
    }

    /// (cos a, sin a) for |a| ≤ π/4 (Cephes `sinf`/`cosf` minimax polynomials, ≈ 1 ulp there).
    /// Callers reduce the argument themselves: `GaussianStream` takes the quadrant from two random bits.
    @inline(__always)
    public static func cosSinReduced(_ a: SIMD16<Float>) -> (cos: SIMD16<Float>, sin: SIMD16<Float>) {
        let z = a * a
        var s = SIMD16<Float>(repeating: 8.332_160_873_6e-3).addingProduct(SIMD16(repeating: -1.951_529_589_1e-4), z)
        s = SIMD16<Float>(repeating: -1.666_665_461_1e-1).addingProduct(s, z)
        let sine = a.addingProduct(a * z, s)
        var c = SIMD16<Float>(repeating: -1.388_731_625_493_765e-3).addingProduct(SIMD16(repeating: 2.443_315_711_809_948e-5), z)
        c = SIMD16<Float>(repeating: 4.166_664_568_298_827e-2).addingProduct(c, z)
        let cosine = SIMD16<Float>(repeating: 1).addingProduct(z, SIMD16(repeating: -0.5)).addingProduct(z * z, c)
        return (cosine, sine)
    }

    /// Lane-wise square root in one instruction (`vsqrtps zmm`).
    @inline(__always)
    public static func squareRoot(_ value: SIMD16<Float>) -> SIMD16<Float> {
        _mm512_sqrt_ps(value)
    }
}
