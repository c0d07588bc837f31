#if canImport(Glibc)
import Glibc
#endif
import CZOKernels

/// OpenBLAS picks its kernels from the CPU's model number, so a CPU newer than the library gets its
/// oldest x86-64 kernels: Debian 12's OpenBLAS names an Emerald Rapids Xeon (AVX-512, AVX512-BF16)
/// "Prescott" (SSE3), whose GEMMs measured 35 GFLOP/s where its "Cooperlake" kernels reach 290.
/// `OPENBLAS_CORETYPE` chooses a family, but only before the library loads — hence a command line
/// that re-executes itself once with it set (`reexecuteWithFittingKernels`).
public enum OpenBLASCoreChoice {
    /// Families with AVX2 or AVX-512 kernels: a CPU given one of these is left alone.
    static let modernFamilies: Set<String> = [
        "Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", "Excavator", "Steamroller",
    ]

    /// The family to ask for, given what OpenBLAS chose and what the CPU runs: nil when the user's
    /// environment names one, OpenBLAS already chose a modern family, or the CPU has no AVX2.
    public static func recommendation(chosen: String, environmentNamesOne: Bool, avx512: Bool, avx512BFloat16: Bool,
                               avx2: Bool) -> String? {
        guard !environmentNamesOne, !modernFamilies.contains(chosen), chosen != "Accelerate" else { return nil }
        if avx512 { return avx512BFloat16 ? "Cooperlake" : "SkylakeX" }
        return avx2 ? "Haswell" : nil
    }

    /// The family this process should have asked for, or nil if what it runs is fine.
    public static var recommended: String? {
        recommendation(
            chosen: BLAS.coreName, environmentNamesOne: getenv("OPENBLAS_CORETYPE") != nil,
            avx512: zo_kernels_available(ZO_KERNELS_AVX512), avx512BFloat16: zo_bf16_products_available(),
            avx2: zo_kernels_available(ZO_KERNELS_AVX2))
    }

    /// Runs this program again, same arguments, with `OPENBLAS_CORETYPE` set to `recommended`.
    /// Returns only when there is nothing to change or the re-execution failed (the run then goes on
    /// with the slow kernels). Call it first thing in `main`, before any thread starts.
    public static func reexecuteWithFittingKernels() {
        #if os(Linux)
        guard let family = recommended else { return }
        setenv("OPENBLAS_CORETYPE", family, 1)
        let arguments = CommandLine.unsafeArgv
        execv("/proc/self/exe", arguments)
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}
