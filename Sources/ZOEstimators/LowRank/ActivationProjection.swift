import ZORandom
import ZOTensor

/// P-GAP's subspace inside a weight's activation span (`--subspace-source activations`).
///
/// A linear weight's gradient lies in the span of the inputs it multiplied (AGZO), so the part of
/// P-GAP's probe estimate S outside that span is noise. With A the orthonormal basis of the
/// weight's input activations (`ActivationSketch`, inputs × r), the estimate is projected onto it
/// (S·A, or Sᵀ·A when the inputs are S's rows, as in GPT-2's Conv1D layout) and that small matrix is
/// factored exactly: C = P·diag(σ)·Qᵀ. The bases are P on the output side and A·Q on the input side:
/// U diag(σ) Vᵀ is then the best rank-r approximation of S restricted to the span, and P-GAP's
/// alignment target S^r = diag(σ) keeps its meaning.
public enum ActivationProjection {
    /// C (outputs × r, row-major) = S·A, or Sᵀ·A when `inputsAreRows`, with S (m×n, row-major)
    /// written block by block of rows by `fill` and A (inputs × r, row-major). Blocks are summed in
    /// row order, so the result depends on `blockRows` only to rounding when the inputs are rows.
    public static func project(
        rows m: Int, columns n: Int, inputsAreRows: Bool, activations a: [Float], rank r: Int, blockRows: Int,
        fill: (Range<Int>, UnsafeMutablePointer<Float>) throws -> Void
    ) rethrows -> [Float] {
        precondition(a.count == (inputsAreRows ? m : n) * r && blockRows > 0)
        var c = [Float](repeating: 0, count: (inputsAreRows ? n : m) * r)
        let block = FloatBuffer(count: min(m, blockRows) * n)
        var start = 0
        while start < m {
            let rows = start..<min(m, start + blockRows)
            try fill(rows, block.pointer)
            a.withUnsafeBufferPointer { a in
                c.withUnsafeMutableBufferPointer { c in
                    // Row-major X (p×q) is column-major Xᵀ: C rows += S_block·A, or Cᵀ += A_blockᵀ·S_block.
                    if inputsAreRows {
                        BLAS.sgemm(transposeB: true, m: r, n: n, k: rows.count, a: a.baseAddress! + rows.lowerBound * r, lda: r,
                                   b: block.pointer, ldb: n, beta: start == 0 ? 0 : 1, c: c.baseAddress!, ldc: r)
                    } else {
                        BLAS.sgemm(m: r, n: rows.count, k: n, a: a.baseAddress!, lda: r, b: block.pointer, ldb: n,
                                   c: c.baseAddress! + rows.lowerBound * r, ldc: r)
                    }
                }
            }
            start = rows.upperBound
        }
        return c
    }

    /// The bases of an m×n weight from C = `project(…)`: U, V and σ as the type comment says.
    public static func basis(
        projected c: [Float], rows m: Int, columns n: Int, inputsAreRows: Bool, activations a: [Float], rank r: Int
    ) throws -> LowRankBasis {
        let outputs = inputsAreRows ? n : m, inputs = inputsAreRows ? m : n
        // Exact SVD of the outputs × r matrix C (width r leaves the randomized path unused).
        let small = try c.withUnsafeBufferPointer {
            try TruncatedSVD.compute($0.baseAddress!, rows: outputs, columns: r, rank: r, oversampling: 0, powerIterations: 0,
                                     sketch: GaussianStream(seed: 0, tensor: 0, kind: .sketch))
        }
        let k = small.rank
        // A·Q: (inputs × r)·(r × k), row-major, as column-major (Q)ᵀ-first: (A·Q)ᵀ = Qᵀ·Aᵀ.
        var inputSide = [Float](repeating: 0, count: inputs * k)
        a.withUnsafeBufferPointer { a in
            small.right.withUnsafeBufferPointer { q in
                inputSide.withUnsafeMutableBufferPointer { out in
                    BLAS.sgemm(m: k, n: inputs, k: r, a: q.baseAddress!, lda: k, b: a.baseAddress!, ldb: r,
                               c: out.baseAddress!, ldc: k)
                }
            }
        }
        return inputsAreRows
            ? LowRankBasis(rows: m, columns: n, rank: k, left: inputSide, right: small.left, singularValues: small.singularValues)
            : LowRankBasis(rows: m, columns: n, rank: k, left: small.left, right: inputSide, singularValues: small.singularValues)
    }
}
