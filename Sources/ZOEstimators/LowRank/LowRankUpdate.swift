import ZOTensor

/// Materialised low-rank update of a weight: W ← β·W + α·U Z Vᵀ, as two GEMMs and never an m×n
/// buffer: B = V Zᵀ (n×r, tiny), then W = α·U Bᵀ + β·W, a rank-r GEMM accumulating into W
/// (`BLAS.linear` with its column split). β ≠ 1 folds weight decay into the same pass.
///
/// The result does not depend on anything but (W, U, Z, V, α, β) and the BLAS thread policy, so the
/// same call in `step` and `replay` gives the same bytes.
public enum LowRankUpdate {
    public static func apply(
        to weight: UnsafeMutablePointer<Float>, basis: LowRankBasis, coefficients: [Float],
        alpha: Float, beta: Float = 1
    ) {
        let m = basis.rows, n = basis.columns, r = basis.rank
        precondition(coefficients.count == r * r)
        var product = [Float](repeating: 0, count: n * r)
        basis.right.withUnsafeBufferPointer { v in
            coefficients.withUnsafeBufferPointer { z in
                product.withUnsafeMutableBufferPointer { b in
                    // B[n×r] = V[n×r] · Zᵀ (Z read as an r×r "out × in" weight).
                    BLAS.linear(v.baseAddress!, rows: n, inner: r, weight: z.baseAddress!, columns: r, into: b.baseAddress!)
                }
            }
        }
        basis.left.withUnsafeBufferPointer { u in
            product.withUnsafeBufferPointer { b in
                // W[m×n] = α · U[m×r] · B[n×r]ᵀ + β · W.
                BLAS.linear(
                    u.baseAddress!, rows: m, inner: r, weight: b.baseAddress!, columns: n, into: weight,
                    alpha: alpha, beta: beta)
            }
        }
    }
}
