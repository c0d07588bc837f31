import CBLAS
import ZOTensor

/// The few LAPACK factorisations the subspace methods need (OpenBLAS's `sgeqrf_`/`sorgqr_`/`sgesdd_`,
/// column-major, Fortran calling convention), run with OpenBLAS on one thread: with the AVX-512
/// kernels, two threads make these panel-bound routines slower (compute.md §5).
public enum DenseFactorizations {
    /// Replaces the column-major `rows × columns` matrix `a` (rows ≥ columns) by the Q factor of its
    /// thin QR decomposition: orthonormal columns spanning the same space.
    public static func orthonormalizeColumns(_ a: inout [Float], rows: Int, columns: Int) throws {
        precondition(rows >= columns && columns > 0 && a.count == rows * columns)
        var m = Int32(rows), n = Int32(columns), lda = Int32(rows), info: Int32 = 0
        var tau = [Float](repeating: 0, count: columns)
        try singleThreaded {
            // Workspace query, then the factorisation, then the explicit Q.
            var query: Float = 0, lwork: Int32 = -1
            sgeqrf_(&m, &n, &a, &lda, &tau, &query, &lwork, &info)
            var k = n
            var queryQ: Float = 0
            sorgqr_(&m, &n, &k, &a, &lda, &tau, &queryQ, &lwork, &info)
            lwork = Int32(max(query, queryQ, Float(columns)))
            var work = [Float](repeating: 0, count: Int(lwork))
            sgeqrf_(&m, &n, &a, &lda, &tau, &work, &lwork, &info)
            guard info == 0 else { throw EstimatorError.factorizationFailed(routine: "sgeqrf", info: Int(info)) }
            sorgqr_(&m, &n, &k, &a, &lda, &tau, &work, &lwork, &info)
            guard info == 0 else { throw EstimatorError.factorizationFailed(routine: "sorgqr", info: Int(info)) }
        }
    }

    /// Thin SVD of the column-major `rows × columns` matrix `a` (destroyed) by divide and conquer
    /// (`sgesdd`; never `sgesvd`, 10–20× slower): a = U·diag(s)·Vᵀ with U `rows × k`, Vᵀ `k × columns`
    /// (both column-major), k = min(rows, columns), s descending.
    public static func thinSVD(_ a: inout [Float], rows: Int, columns: Int) throws
        -> (u: [Float], singularValues: [Float], vt: [Float])
    {
        let k = min(rows, columns)
        precondition(k > 0 && a.count == rows * columns)
        var m = Int32(rows), n = Int32(columns), lda = Int32(rows), ldu = Int32(rows), ldvt = Int32(k)
        var s = [Float](repeating: 0, count: k)
        var u = [Float](repeating: 0, count: rows * k)
        var vt = [Float](repeating: 0, count: k * columns)
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var info: Int32 = 0
        var job = CChar(UInt8(ascii: "S"))
        try singleThreaded {
            var query: Float = 0, lwork: Int32 = -1
            sgesdd_(&job, &m, &n, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &query, &lwork, &iwork, &info, 1)
            lwork = Int32(query)
            var work = [Float](repeating: 0, count: max(1, Int(lwork)))
            sgesdd_(&job, &m, &n, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info, 1)
            guard info == 0 else { throw EstimatorError.factorizationFailed(routine: "sgesdd", info: Int(info)) }
        }
        return (u, s, vt)
    }

    /// Runs `body` with OpenBLAS on one thread, then restores the previous thread count.
    static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        _ = BLAS.threading  // the first access configures OpenBLAS; make sure that happens before ours
        let previous = BLAS.threadCount
        if previous != 1 { BLAS.threadCount = 1 }
        defer { if previous != 1 { BLAS.threadCount = previous } }
        return try body()
    }
}
