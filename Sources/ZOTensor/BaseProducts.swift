/// How products on a frozen base (weights held in bf16 or as stored) are computed. Trained tensors
/// and fp32 bases always multiply in fp32.
public enum BaseProducts: String, Sendable, Hashable, Codable, CaseIterable {
    /// fp32 sums of fp32 products of the decoded weights, or AVX512-BF16 where that is faster here
    /// (`PackedBFloat16`): the activations are rounded to bf16 at most.
    case automatic = "auto"
    /// AVX512-VNNI int8 products (`PackedInt8`): weights and activations quantized per 64 inputs, as
    /// llama.cpp multiplies on CPUs; about 3× the fp32 GEMM's rate where the CPU has VNNI.
    case int8

    /// Why this CPU cannot compute them (one sentence), or nil if it can.
    public var unavailableReason: String? {
        switch self {
        case .automatic: return nil
        case .int8:
            return PackedInt8.isRunnable ? nil : "int8 base products need AVX512-VNNI, which this CPU (or ZOTUNE_KERNELS) does not give"
        }
    }
}
