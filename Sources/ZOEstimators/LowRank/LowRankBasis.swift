import ZORandom

/// Orthonormal bases of an r-dimensional "sandwich" subspace of one m×n weight: every perturbation
/// in it is P = scale · U Z Vᵀ with U m×r, V n×r (orthonormal columns) and a small r×r matrix Z.
///
/// This is the representation a factored forward pass needs (W x + U (M (Vᵀ x))): bases per window,
/// an r×r coefficient matrix per step. SubZero draws U, V at random; P-GAP takes them from a
/// truncated SVD of its gradient estimate and keeps the singular values.
public struct LowRankBasis: Sendable, Equatable {
    /// m.
    public let rows: Int
    /// n.
    public let columns: Int
    /// r (≤ min(m, n)).
    public let rank: Int
    /// U, m×r row-major.
    public var left: [Float]
    /// V, n×r row-major.
    public var right: [Float]
    /// σ₁ ≥ … ≥ σ_r of the matrix the bases came from (P-GAP's S^r = diag σ); empty for random bases.
    public var singularValues: [Float]

    public init(rows: Int, columns: Int, rank: Int, left: [Float], right: [Float], singularValues: [Float] = []) {
        precondition(left.count == rows * rank && right.count == columns * rank)
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.left = left
        self.right = right
        self.singularValues = singularValues
    }

    /// SubZero's bases: Q factors of Gaussian m×r and n×r matrices drawn from
    /// z(seed, tensorIndex, .basisRows / .basisColumns).
    public static func random(
        rows: Int, columns: Int, rank: Int, seed: UInt64, tensorIndex: Int
    ) throws -> LowRankBasis {
        LowRankBasis(
            rows: rows, columns: columns, rank: rank,
            left: try orthonormalGaussian(rows, rank, GaussianStream(seed: seed, tensor: tensorIndex, kind: .basisRows)),
            right: try orthonormalGaussian(
                columns, rank, GaussianStream(seed: seed, tensor: tensorIndex, kind: .basisColumns)))
    }

    /// Row-major count×rank matrix with orthonormal columns.
    static func orthonormalGaussian(_ count: Int, _ rank: Int, _ stream: GaussianStream) throws -> [Float] {
        // Entries are i.i.d., so reading the stream as column-major costs nothing.
        var columnMajor = stream.normals(0..<(count * rank))
        try DenseFactorizations.orthonormalizeColumns(&columnMajor, rows: count, columns: rank)
        return transposed(columnMajor, rows: count, columns: rank)
    }

    /// Row-major copy of a column-major rows×columns matrix.
    static func transposed(_ columnMajor: [Float], rows: Int, columns: Int) -> [Float] {
        var rowMajor = [Float](repeating: 0, count: rows * columns)
        for j in 0..<columns {
            for i in 0..<rows { rowMajor[i * columns + j] = columnMajor[i + j * rows] }
        }
        return rowMajor
    }
}
