#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import CZOKernels
import Dispatch

/// The one seam to BLAS and LAPACK: every `cblas_*`, LAPACK and `openblas_*` call of the package is in
/// this file, as thin, shape-explicit wrappers. On Apple platforms Accelerate (same CBLAS interface,
/// CLAPACK calling convention) replaces OpenBLAS; that path is written to compile but untested.
///
/// Threading: one owner of parallelism. By default OpenBLAS runs single-threaded and large GEMMs are
/// split into column blocks fixed by the shape, run on up to `workerCount` threads of our own (each
/// calls `cblas_sgemm` on its block), which beat OpenBLAS's own threads on this project's shapes and
/// avoids two thread pools fighting over two cores (compute.md §6; `zotune-bench` measures both
/// policies). Because the split ignores the thread count, so do the results, on any BLAS.
public enum BLAS {
    /// How GEMMs use the cores.
    public enum Threading: Sendable {
        /// OpenBLAS single-threaded; ZOTune splits each large GEMM over `workerCount` threads.
        case splitColumns
        /// OpenBLAS's own thread pool on every call.
        case openBLAS
        /// Like `splitColumns` but one block per thread, as ZOTune split before: fewer calls, but the
        /// bits then depend on the thread count. Kept for `zotune-bench`, which shows it is no faster.
        case blockPerThread
    }

    /// Threads used for GEMMs and other splittable work (the machine's cores, at most 8).
    nonisolated(unsafe) public static var workerCount = max(1, min(8, System.coreCount))

    nonisolated(unsafe) public private(set) static var threading: Threading = {
        threadCount = 1
        return .splitColumns
    }()

    public static func setThreading(_ policy: Threading) {
        threading = policy
        threadCount = policy == .openBLAS ? workerCount : 1
    }

    /// Below this many multiply-adds a GEMM runs on one thread: forking costs more than it saves.
    static let splitThreshold = 1 << 21

    /// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C, all row-major. B is stored like `nn.Linear.weight`
    /// (out × in), so this is the forward of a linear layer with `A` as the activations.
    public static func linear(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, lda: Int? = nil,
        weight b: UnsafePointer<Float>, columns n: Int, ldb: Int? = nil,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        let lda = lda ?? k, ldb = ldb ?? k, ldc = ldc ?? n
        if m <= skinnyRows && alpha == 1 {
            skinnyLinear(a, rows: m, inner: k, lda: lda, weight: b, columns: n, ldb: ldb, into: c, ldc: ldc, beta: beta)
            return
        }
        splitColumns(rows: m, inner: k, columns: n) { start, width in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(width), Int32(k), alpha,
                a, Int32(lda), b + start * ldb, Int32(ldb), beta, c + start, Int32(ldc))
        }
    }

    /// C[m×n] = alpha · A[m×k] · B[k×n] + beta · C, all row-major (no transposes): the forward of
    /// a layer whose weight is stored inputs × outputs (GPT-2's `Conv1D`). Split like `linear`.
    public static func multiply(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, lda: Int? = nil,
        _ b: UnsafePointer<Float>, columns n: Int, ldb: Int? = nil,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        let lda = lda ?? k, ldb = ldb ?? n, ldc = ldc ?? n
        if m == 1 {
            splitColumns(rows: m, inner: k, columns: n) { start, width in
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(width), alpha, b + start, Int32(ldb),
                            a, 1, beta, c + start, 1)
            }
            return
        }
        splitColumns(rows: m, inner: k, columns: n) { start, width in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(width), Int32(k), alpha,
                a, Int32(lda), b + start, Int32(ldb), beta, c + start, Int32(ldc))
        }
    }

    /// Up to this many activation rows (a decoding step's tokens), `linear` runs `zo_skinny_linear`,
    /// which streams the weight once per four rows where a GEMM would pack it first: 2× the tokens/s
    /// of OpenBLAS's GEMM at one row, 3× at eight (`zotune-bench --generate`).
    public static let skinnyRows = 8
    /// Weights of at least this many floats have their columns shared among the workers.
    static let skinnySplitThreshold = 1 << 16

    /// `linear` for a few rows: each output is a dot product whose order depends only on k, so any
    /// split of the columns over threads gives the same bytes.
    private static func skinnyLinear(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, lda: Int, weight b: UnsafePointer<Float>, columns n: Int,
        ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float
    ) {
        shareSkinnyColumns(columns: n, inner: k) { _, start, count in
            zo_skinny_linear(a, m, k, lda, b + start * ldb, ldb, count, c + start, ldc, beta)
        }
    }

    /// How many workers share the output columns of a skinny product with an `n × k` weight.
    public static func skinnyWorkers(columns n: Int, inner k: Int) -> Int {
        n * k >= skinnySplitThreshold && threading != .openBLAS ? min(workerCount, max(1, n / 64)) : 1
    }

    /// Runs `body(worker, start, count)` over `skinnyWorkers` contiguous shares of `n` output columns
    /// (in parallel when there are several; `worker` < `skinnyWorkers`).
    public static func shareSkinnyColumns(columns n: Int, inner k: Int, _ body: (Int, Int, Int) -> Void) {
        let workers = skinnyWorkers(columns: n, inner: k)
        guard workers > 1 else { return body(0, 0, n) }
        let width = (n + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * width, count = min(width, n - start)
            if count > 0 { body(worker, start, count) }
        }
    }

    /// Runs `gemm(start, width)` over blocks of the output columns, in parallel under `.splitColumns`.
    ///
    /// The blocks are a function of the shape alone, never of `workerCount`: a BLAS may give other bits
    /// for a column when it is computed in a block of another width or offset (OpenBLAS's Haswell
    /// kernels do), so a split that followed the thread count would make results depend on it. With a
    /// fixed split, one thread or eight run the same `cblas_sgemm` calls and produce the same bytes.
    private static func splitColumns(rows m: Int, inner k: Int, columns n: Int, _ gemm: (Int, Int) -> Void) {
        let blocks = threading == .blockPerThread
            ? threadBlocks(rows: m, inner: k, columns: n) : columnBlocks(rows: m, inner: k, columns: n)
        if blocks.count == 1 || threading == .openBLAS || workerCount == 1 {
            for block in blocks { gemm(block.lowerBound, block.count) }
            return
        }
        // Worker w runs blocks w, w + workers, …: which thread runs a block changes no bit.
        let workers = min(workerCount, blocks.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for block in stride(from: worker, to: blocks.count, by: workers).map({ blocks[$0] }) {
                gemm(block.lowerBound, block.count)
            }
        }
    }

    /// Most column blocks a GEMM is cut into: enough for the 8 workers `workerCount` allows.
    static let maximumColumnBlocks = 8
    /// Blocks are made no narrower than this while there are more than two: OpenBLAS runs narrower
    /// ones 3–6 % slower per core (measured at m = 1024, k = 576, one thread: 3,072 columns at 99
    /// GFLOP/s in blocks of 768 or 1,536, 96 in blocks of 384–512, 103 whole).
    static let preferredColumnBlock = 768

    /// The column blocks of an m×k·k×n product: one below `splitThreshold` multiply-adds or 64
    /// columns, else 2, 4 or 8 (an even count, so two threads share them equally) — the most that
    /// keeps blocks at least `preferredColumnBlock` wide — each a multiple of 16 wide but the last.
    static func columnBlocks(rows m: Int, inner k: Int, columns n: Int) -> [Range<Int>] {
        guard m * n * k >= splitThreshold, n >= 64 else { return [0..<n] }
        var count = 2
        while count < maximumColumnBlocks, n / (2 * count) >= preferredColumnBlock { count *= 2 }
        let width = ((n + count - 1) / count + 15) / 16 * 16
        return stride(from: 0, to: n, by: width).map { $0..<min($0 + width, n) }
    }

    /// `.blockPerThread`'s blocks: one per worker, 16-column aligned.
    private static func threadBlocks(rows m: Int, inner k: Int, columns n: Int) -> [Range<Int>] {
        guard m * n * k >= splitThreshold, n >= 32 * workerCount, workerCount > 1 else { return [0..<n] }
        let width = (n + workerCount - 1) / workerCount / 16 * 16 + 16
        return stride(from: 0, to: n, by: width).map { $0..<min($0 + width, n) }
    }

    /// The OpenBLAS kernel family that was selected at load time ("Cooperlake", "SkylakeX", "Haswell", …).
    /// `OPENBLAS_CORETYPE` in the environment overrides the CPU detection and can halve GEMM speed.
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// The library's build ("OpenBLAS 0.3.29 DYNAMIC_ARCH … Cooperlake MAX_THREADS=64"): with
    /// `coreName`, what decides a GEMM's bits besides the program.
    public static var libraryDescription: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config) + " / " + coreName
        #endif
    }

    /// Number of threads OpenBLAS uses for one call. Accelerate manages its own threads: 1 there, and
    /// setting it does nothing.
    public static var threadCount: Int {
        get {
            #if canImport(Accelerate)
            return 1
            #else
            return Int(openblas_get_num_threads())
            #endif
        }
        set {
            #if !canImport(Accelerate)
            openblas_set_num_threads(Int32(newValue))
            #endif
        }
    }
}

// MARK: - Column-major BLAS and LAPACK (the subspace methods' factorisations)

extension BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, column-major like Fortran BLAS and LAPACK; op(X) is X
    /// or Xᵀ. One call on the calling thread, no splitting.
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// A LAPACK routine that reported failure (`info` ≠ 0).
    public struct LAPACKError: Error, Sendable {
        public let routine: String
        public let info: Int
    }

    /// Replaces the column-major `rows × columns` matrix `a` (rows ≥ columns) by the Q factor of its
    /// thin QR decomposition (`sgeqrf`, then `sorgqr`).
    public static func orthonormalizeColumns(_ a: UnsafeMutablePointer<Float>, rows: Int, columns: Int) throws {
        var m = Int32(rows), n = Int32(columns), k = Int32(columns), lda = Int32(rows), info: Int32 = 0
        var tau = [Float](repeating: 0, count: columns)
        // Workspace query, then the factorisation, then the explicit Q.
        var query: Float = 0, queryQ: Float = 0, lwork: Int32 = -1
        sgeqrf_(&m, &n, a, &lda, &tau, &query, &lwork, &info)
        sorgqr_(&m, &n, &k, a, &lda, &tau, &queryQ, &lwork, &info)
        lwork = Int32(max(query, queryQ, Float(columns)))
        var work = [Float](repeating: 0, count: Int(lwork))
        sgeqrf_(&m, &n, a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "sgeqrf", info: Int(info)) }
        sorgqr_(&m, &n, &k, a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "sorgqr", info: Int(info)) }
    }

    /// Thin SVD by divide and conquer (`sgesdd`, job "S"; never `sgesvd`, 10–20× slower) of the
    /// column-major `rows × columns` matrix `a` (destroyed): a = U·diag(s)·Vᵀ with U `rows × k` and Vᵀ
    /// `k × columns` column-major, k = min(rows, columns), s descending.
    public static func sgesdd(
        _ a: UnsafeMutablePointer<Float>, rows: Int, columns: Int, u: UnsafeMutablePointer<Float>,
        singularValues: UnsafeMutablePointer<Float>, vt: UnsafeMutablePointer<Float>
    ) throws {
        let k = min(rows, columns)
        var m = Int32(rows), n = Int32(columns), lda = Int32(rows), ldu = Int32(rows), ldvt = Int32(k)
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var info: Int32 = 0, job = CChar(UInt8(ascii: "S"))
        var query: Float = 0, lwork: Int32 = -1
        func call(_ work: UnsafeMutablePointer<Float>) {
            #if canImport(Accelerate)
            sgesdd_(&job, &m, &n, a, &lda, singularValues, u, &ldu, vt, &ldvt, work, &lwork, &iwork, &info)
            #else
            // gfortran's hidden length of the character argument comes last.
            sgesdd_(&job, &m, &n, a, &lda, singularValues, u, &ldu, vt, &ldvt, work, &lwork, &iwork, &info, 1)
            #endif
        }
        call(&query)
        lwork = Int32(query)
        var work = [Float](repeating: 0, count: max(1, Int(lwork)))
        call(&work)
        guard info == 0 else { throw LAPACKError(routine: "sgesdd", info: Int(info)) }
    }
}
