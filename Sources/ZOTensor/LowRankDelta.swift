/// A low-rank change to one weight that the forward pass adds on the fly instead of writing it:
/// W_eff = W + U·M·Vᵀ, with U (m×r) and V (n×r) fixed and M (r×r) accumulating.
///
/// This is the *factored* way to apply subspace perturbations (SubZero, P-GAP): inside a window
/// of fixed bases W is never touched; each perturbation or update only changes the r×r matrix M,
/// and a linear layer costs 2·r·(m+n) extra multiply-adds per activation row, (x·R)·Uᵀ with
/// R = V·Mᵀ. When the bases change, U·M·Vᵀ is folded into W once (`fold`). Which way is cheaper
/// than writing W three times per step depends on the shapes and the tokens per forward.
///
/// R is recomputed from M after every change, never updated incrementally, so the delta is a pure
/// function of (U, V, M): a checkpoint that stores them restores it bit for bit.
public final class LowRankDelta: @unchecked Sendable {
    /// m.
    public let rows: Int
    /// n.
    public let columns: Int
    /// r.
    public let rank: Int
    /// U, m×r row-major.
    public let left: [Float]
    /// V, n×r row-major.
    public let right: [Float]
    /// Identifies the bases (e.g. the window they belong to): a delta is reused only by the same tag.
    public let tag: Int
    /// M, r×r row-major.
    public private(set) var coefficients: [Float]
    /// R = V·Mᵀ, n×r row-major: what the forward multiplies activations by.
    private let projection: FloatBuffer

    public init(rows: Int, columns: Int, rank: Int, left: [Float], right: [Float], tag: Int, coefficients: [Float]? = nil) {
        precondition(left.count == rows * rank && right.count == columns * rank)
        precondition(coefficients.map { $0.count == rank * rank } ?? true)
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.left = left
        self.right = right
        self.tag = tag
        self.coefficients = coefficients ?? [Float](repeating: 0, count: rank * rank)
        projection = FloatBuffer(count: columns * rank)
        updateProjection()
    }

    /// M += scale·Z (Z r×r row-major).
    public func accumulate(_ z: [Float], scale: Float) {
        precondition(z.count == rank * rank)
        for i in coefficients.indices { coefficients[i] += scale * z[i] }
        updateProjection()
    }

    private func updateProjection() {
        right.withUnsafeBufferPointer { v in
            coefficients.withUnsafeBufferPointer { m in
                BLAS.linear(v.baseAddress!, rows: columns, inner: rank, weight: m.baseAddress!, columns: rank,
                            into: projection.pointer)
            }
        }
    }

    /// output[t, 0..<m] += (x[t]·V·Mᵀ)·Uᵀ for `tokens` rows of x (width n): the delta's share of a
    /// linear layer y = x·Wᵀ. `outputStride` lets it add into one slice of a fused q|k|v output.
    public func addLinear(
        _ input: UnsafePointer<Float>, tokens: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil
    ) {
        guard tokens > 0 else { return }
        let reduced = FloatBuffer(count: tokens * rank)
        BLAS.multiply(input, rows: tokens, inner: columns, projection.pointer, columns: rank, into: reduced.pointer)
        left.withUnsafeBufferPointer { u in
            BLAS.linear(reduced.pointer, rows: tokens, inner: rank, weight: u.baseAddress!, columns: rows,
                        into: output, ldc: outputStride ?? rows, beta: 1)
        }
    }

    /// output[t, 0..<n] += (x[t]·U)·M·Vᵀ for `tokens` rows of x (width m): the delta's share of
    /// y = x·W when W is stored inputs × outputs (GPT-2's `Conv1D`), so W + U·M·Vᵀ keeps that layout.
    public func addMultiply(
        _ input: UnsafePointer<Float>, tokens: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil
    ) {
        guard tokens > 0 else { return }
        let reduced = FloatBuffer(count: tokens * rank)
        left.withUnsafeBufferPointer { u in
            BLAS.multiply(input, rows: tokens, inner: rows, u.baseAddress!, columns: rank, into: reduced.pointer)
        }
        // (x·U)·M·Vᵀ = (x·U)·Rᵀ with R = V·Mᵀ.
        BLAS.linear(reduced.pointer, rows: tokens, inner: rank, weight: projection.pointer, columns: columns,
                    into: output, ldc: outputStride ?? columns, beta: 1)
    }

    /// x[t] += row ids[t] of U·M·Vᵀ: the delta's share of an embedding lookup (U rows gathered).
    public func addRows(_ ids: [Int], into output: UnsafeMutablePointer<Float>) {
        guard !ids.isEmpty else { return }
        let gathered = FloatBuffer(count: ids.count * rank)
        left.withUnsafeBufferPointer { u in
            for (t, id) in ids.enumerated() {
                (gathered.pointer + t * rank).update(from: u.baseAddress! + id * rank, count: rank)
            }
        }
        BLAS.linear(gathered.pointer, rows: ids.count, inner: rank, weight: projection.pointer, columns: columns,
                    into: output, beta: 1)
    }

    /// W += U·M·Vᵀ.
    public func fold(into weight: UnsafeMutablePointer<Float>) {
        fold(rows: 0..<rows, into: weight)
    }

    /// Rows `rows` of W += U·M·Vᵀ, with `block` pointing at the first of them: how a checkpoint folds
    /// a copy of W block by block. Each element's sum has one fixed order (`addLowRankProduct`), so
    /// any blocks give the whole fold's bytes, on any BLAS and thread count: the saved weights, the
    /// folded arena and `replay` agree byte for byte.
    public func fold(rows: Range<Int>, into block: UnsafeMutablePointer<Float>) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= self.rows)
        guard !rows.isEmpty else { return }
        let transposed = FloatBuffer(count: rank * columns)
        for j in 0..<columns {
            for k in 0..<rank { transposed.pointer[k * columns + j] = projection.pointer[j * rank + k] }
        }
        left.withUnsafeBufferPointer { u in
            addLowRankProduct(left: u.baseAddress! + rows.lowerBound * rank, transposedRight: transposed.pointer, rank: rank,
                              rows: rows.count, columns: columns, into: block, workers: BLAS.workerCount)
        }
    }
}
