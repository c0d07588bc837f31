import CZOKernels

/// The instruction-set builds of the SIMD kernels (CZOKernels), one of which runs every kernel of
/// ZOTensor and ZORandom. The best one the CPU supports is chosen at first use, unless the
/// environment names another (`ZOTUNE_KERNELS=generic|avx2|avx512`). All give the same bits (the
/// `KernelVariantTests` check it), so the choice changes speed only.
public enum KernelVariant: String, CaseIterable, Sendable {
    /// The architecture's baseline (SSE2 on x86-64, NEON on arm64): runs anywhere.
    case generic
    /// x86-64 with AVX2 and FMA.
    case avx2
    /// x86-64 with AVX-512 F/DQ/BW/VL and FMA.
    case avx512

    /// The variant in use.
    public static var active: KernelVariant { KernelVariant(zo_kernels_active()) }

    /// Whether this build has the variant and this CPU can run it.
    public var isAvailable: Bool { zo_kernels_available(kernelValue) }

    /// Runs every later kernel call with `variant` (tests compare variants); false, and no change, if
    /// it is not available here.
    @discardableResult
    public static func use(_ variant: KernelVariant) -> Bool { zo_kernels_use(variant.kernelValue) }

    private init(_ value: zo_kernel_variant) {
        switch value {
        case ZO_KERNELS_AVX2: self = .avx2
        case ZO_KERNELS_AVX512: self = .avx512
        default: self = .generic
        }
    }

    private var kernelValue: zo_kernel_variant {
        switch self {
        case .generic: ZO_KERNELS_GENERIC
        case .avx2: ZO_KERNELS_AVX2
        case .avx512: ZO_KERNELS_AVX512
        }
    }
}
