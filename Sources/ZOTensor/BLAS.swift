import CBLAS
import Dispatch

/// Thin, shape-explicit wrappers over OpenBLAS. Everything dense and large goes through here, so that
/// Apple's Accelerate (same CBLAS interface) can replace OpenBLAS in one file.
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
        openblas_set_num_threads(1)
        return .splitColumns
    }()

    public static func setThreading(_ policy: Threading) {
        threading = policy
        openblas_set_num_threads(policy == .openBLAS ? Int32(workerCount) : 1)
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
        splitColumns(rows: m, inner: k, columns: n) { start, width in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(width), Int32(k), alpha,
                a, Int32(lda), b + start, Int32(ldb), beta, c + start, Int32(ldc))
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
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The library's build ("OpenBLAS 0.3.29 DYNAMIC_ARCH … Cooperlake MAX_THREADS=64"): with
    /// `coreName`, what decides a GEMM's bits besides the program.
    public static var libraryDescription: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config) + " / " + coreName
    }

    /// Number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
