import CZOKernels

/// 16-lane log, sine/cosine and square root, as the Box–Muller transform in CZOKernels computes them
/// (exposed for accuracy tests against Foundation in `VectorMathTests`).
public enum VectorMath {
    /// Natural logarithm for positive, finite, normal inputs (musl's branch-free reduction to
    /// [√½, √2), then Cephes `logf`'s degree-8 polynomial; ≈ 1 ulp). Zero, negative, subnormal or
    /// infinite inputs give meaningless results: the Gaussian transform never produces them.
    public static func log(_ value: SIMD16<Float>) -> SIMD16<Float> {
        var result = value
        withLanes(value, &result) { zo_vector_log($0, $1, 16) }
        return result
    }

    /// (cos a, sin a) for |a| ≤ π/4 (Cephes `sinf`/`cosf` minimax polynomials, ≈ 1 ulp there).
    /// Callers reduce the argument themselves: `GaussianStream` takes the quadrant from two random bits.
    public static func cosSinReduced(_ a: SIMD16<Float>) -> (cos: SIMD16<Float>, sin: SIMD16<Float>) {
        var cosine = a, sine = a
        withLanes(a, &cosine) { input, cosines in
            withUnsafeMutableBytes(of: &sine) { zo_vector_cos_sin(input, cosines, $0.baseAddress!.assumingMemoryBound(to: Float.self), 16) }
        }
        return (cosine, sine)
    }

    /// Lane-wise square root (correctly rounded, like every IEEE square root).
    public static func squareRoot(_ value: SIMD16<Float>) -> SIMD16<Float> {
        var result = value
        withLanes(value, &result) { zo_vector_sqrt($0, $1, 16) }
        return result
    }

    private static func withLanes(
        _ input: SIMD16<Float>, _ output: inout SIMD16<Float>,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        var input = input
        withUnsafeBytes(of: &input) { source in
            withUnsafeMutableBytes(of: &output) { destination in
                body(source.baseAddress!.assumingMemoryBound(to: Float.self),
                     destination.baseAddress!.assumingMemoryBound(to: Float.self))
            }
        }
    }
}
