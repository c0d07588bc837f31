import ZOTensor

/// The few LAPACK factorisations the subspace methods need (through ZOTensor's BLAS seam), run with
/// the BLAS on one thread: with OpenBLAS's AVX-512 kernels, two threads make these panel-bound
/// routines slower (compute.md §5).
public enum DenseFactorizations {
    /// Replaces the column-major `rows × columns` matrix `a` (rows ≥ columns) by the Q factor of its
    /// thin QR decomposition: orthonormal columns spanning the same space.
    public static func orthonormalizeColumns(_ a: inout [Float], rows: Int, columns: Int) throws {
        precondition(rows >= columns && columns > 0 && a.count == rows * columns)
        try singleThreaded {
            try reportingFailure {
                try a.withUnsafeMutableBufferPointer {
                    try BLAS.orthonormalizeColumns($0.baseAddress!, rows: rows, columns: columns)
                }
            }
        }
    }

    /// Thin SVD of the column-major `rows × columns` matrix `a` (destroyed) by divide and conquer
    /// (`sgesdd`): a = U·diag(s)·Vᵀ with U `rows × k`, Vᵀ `k × columns` (both column-major),
    /// k = min(rows, columns), s descending.
    public static func thinSVD(_ a: inout [Float], rows: Int, columns: Int) throws
        -> (u: [Float], singularValues: [Float], vt: [Float])
    {
        let k = min(rows, columns)
        precondition(k > 0 && a.count == rows * columns)
        var s = [Float](repeating: 0, count: k)
        var u = [Float](repeating: 0, count: rows * k)
        var vt = [Float](repeating: 0, count: k * columns)
        try singleThreaded {
            try reportingFailure {
                try BLAS.sgesdd(&a, rows: rows, columns: columns, u: &u, singularValues: &s, vt: &vt)
            }
        }
        return (u, s, vt)
    }

    /// Runs `body` with the BLAS on one thread, then restores the previous thread count.
    static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        _ = BLAS.threading  // the first access configures OpenBLAS; make sure that happens before ours
        let previous = BLAS.threadCount
        if previous != 1 { BLAS.threadCount = 1 }
        defer { if previous != 1 { BLAS.threadCount = previous } }
        return try body()
    }

    /// A failed LAPACK routine as the estimators' error.
    private static func reportingFailure(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as BLAS.LAPACKError {
            throw EstimatorError.factorizationFailed(routine: failure.routine, info: failure.info)
        }
    }
}
