import ZOTensor

/// Choices a caller makes when opening a model that the checkpoint alone does not settle.
public struct ModelLoadOptions: Sendable, Equatable {
    /// Classes of a new classification head, for an encoder checkpoint that has neither a masked-LM
    /// head nor a stored classifier: the task's candidate count (label i ↔ candidate i). nil: the
    /// config's `id2label` count, else 2. A stored classifier of another size is an error.
    public var classifierLabels: Int?
    /// How the weights are held: fp32, or bfloat16 for the 2-D weights of a base nothing trains (an
    /// adapter run; eval, generate and forward), which halves their memory. Decoders only.
    public var basePrecision: StoragePrecision
    /// Whether a narrow `basePrecision` is a default (adapter runs) rather than the user's request:
    /// then encoders load in fp32 instead of refusing, and a weight that cannot stay stored (its file
    /// rows are not its output rows) loads in fp32 instead of being rounded to bf16.
    public var basePrecisionIsDefault: Bool
    /// How products on such a narrow base are computed (`int8` needs one: an fp32 base refuses it).
    public var baseProducts: BaseProducts

    public init(classifierLabels: Int? = nil, basePrecision: StoragePrecision = .float32, basePrecisionIsDefault: Bool = false,
                baseProducts: BaseProducts = .automatic) {
        self.classifierLabels = classifierLabels
        self.basePrecision = basePrecision
        self.basePrecisionIsDefault = basePrecisionIsDefault
        self.baseProducts = baseProducts
    }
}
