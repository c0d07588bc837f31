/// How a tensor's values are held in memory. Trained tensors are always fp32; a frozen base (an
/// adapter run, or a model that is only evaluated) may be held in bfloat16, which halves what it
/// takes, and is widened tile by tile where the forward multiplies it.
public enum StoragePrecision: String, Sendable, Hashable, Codable, CaseIterable {
    case float32 = "f32"
    case bfloat16 = "bf16"

    public var bytesPerElement: Int { self == .float32 ? 4 : 2 }
}

extension StoragePrecision {
    /// A `WeightArena` layout rule: this precision for 2-D weights (matrices, embeddings, heads),
    /// fp32 for vectors (norm gains and biases, which are small and applied elementwise).
    public var forMatrices: (ParameterSpec) -> StoragePrecision {
        { spec in spec.shape.count == 2 ? self : .float32 }
    }
}
