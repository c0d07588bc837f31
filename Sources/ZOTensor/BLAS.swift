import CBLAS

/// Thin, shape-explicit wrappers over OpenBLAS. Everything dense and large goes through here, so that
/// Apple's Accelerate (same CBLAS interface) can replace OpenBLAS in one file.
public enum BLAS {
    /// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C, all row-major. B is stored like `nn.Linear.weight`
    /// (out × in), so this is the forward of a linear layer with `A` as the activations.
    @inline(__always)
    public static func linear(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, lda: Int? = nil,
        weight b: UnsafePointer<Float>, columns n: Int, ldb: Int? = nil,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda ?? k), b, Int32(ldb ?? k), beta, c, Int32(ldc ?? n))
    }

    /// C[m×n] = alpha · A[m×k] · B[k×n] + beta · C, all row-major (no transposes).
    @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, lda: Int? = nil,
        _ b: UnsafePointer<Float>, columns n: Int, ldb: Int? = nil,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda ?? k), b, Int32(ldb ?? n), beta, c, Int32(ldc ?? n))
    }

    /// The OpenBLAS kernel family that was selected at load time ("Cooperlake", "SkylakeX", "Haswell", …).
    /// `OPENBLAS_CORETYPE` in the environment overrides the CPU detection and can halve GEMM speed.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
