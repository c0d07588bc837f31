/// How a 2-D weight meets the activations of one forward pass: which rows it multiplies, or gathers.
/// Families declare it with each tensor; cost models (the low-rank estimators' choice between a
/// factored and a materialised perturbation) derive their numbers from it, without knowing the family.
///
/// Empty for vectors (norm gains, biases), which are applied elementwise rather than multiplied.
public struct ActivationUse: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// An embedding table's lookup: one row gathered per token, no multiply.
    public static let lookup = ActivationUse(rawValue: 1 << 0)
    /// Multiplies every token's activations (layer matrices, OPT's project_in).
    public static let everyToken = ActivationUse(rawValue: 1 << 1)
    /// Multiplies only the rows whose outputs are scored (an LM head, also a tied embedding's second
    /// use; OPT's project_out; an encoder's head, pooler and classifier).
    public static let scoredRows = ActivationUse(rawValue: 1 << 2)
}
