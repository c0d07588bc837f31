import CBLAS
import Dispatch

/// Thin, shape-explicit wrappers over OpenBLAS. Everything dense and large goes through here, so that
/// Apple's Accelerate (same CBLAS interface) can replace OpenBLAS in one file.
///
/// Threading: one owner of parallelism. By default OpenBLAS runs single-threaded and large GEMMs are
/// split by output columns over `workerCount` threads of our own (each calls `cblas_sgemm` on its
/// column block), which beat OpenBLAS's own threads on this project's shapes and avoids two thread
/// pools fighting over two cores (compute.md §6; `zotune bench` measures both policies).
public enum BLAS {
    /// How GEMMs use the cores.
    public enum Threading: Sendable {
        /// OpenBLAS single-threaded; ZOTune splits each large GEMM over `workerCount` threads.
        case splitColumns
        /// OpenBLAS's own thread pool on every call.
        case openBLAS
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

    /// Runs `gemm(start, width)` over blocks of the output columns: one block on the calling thread
    /// for small GEMMs or under OpenBLAS threading, else one block per worker.
    private static func splitColumns(rows m: Int, inner k: Int, columns n: Int, _ gemm: (Int, Int) -> Void) {
        let workers = threading == .splitColumns && m * n * k >= splitThreshold && n >= 32 * workerCount
            ? workerCount : 1
        if workers == 1 {
            gemm(0, n)
            return
        }
        // Column blocks rounded to 16 so every block starts on a SIMD-friendly boundary.
        let block = (n + workers - 1) / workers / 16 * 16 + 16
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * block
            let width = min(block, n - start)
            guard width > 0 else { return }
            gemm(start, width)
        }
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
