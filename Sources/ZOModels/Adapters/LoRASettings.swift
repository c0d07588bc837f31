import ZOTensor

/// What a LoRA adapter adapts and how strongly (PEFT's `r`, `lora_alpha`, `target_modules`).
public struct LoRASettings: Codable, Equatable, Sendable {
    /// r: the rank of every pair.
    public var rank: Int
    /// α: the pair's output is scaled by α / r.
    public var alpha: Float
    /// Which linear weights get a pair, as parameter kinds the model declares (`q`, `v`, …, see
    /// `ParameterKind`) or `mlp`, every MLP projection the model has (gate, up, down).
    public var targets: [String]

    /// MeZO's LoRA setting: r = 8, α = 16 on the attention query and value projections.
    public init(rank: Int = 8, alpha: Float = 16, targets: [String] = ["q", "v"]) {
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
    }

    /// The shorthand for the MLP projections.
    public static let mlp = "mlp"
    static let mlpKinds: [ParameterKind] = [.gate, .up, .down]

    /// The words `targets` accepts: the kinds of linear weights (not embeddings or norms, which
    /// LoRA does not adapt here) and `mlp`.
    public static var targetWords: [String] {
        ParameterKind.allCases.filter { ![.tokenEmbedding, .positionEmbedding, .tokenTypeEmbedding, .norm].contains($0) }
            .map(\.rawValue) + [mlp]
    }

    /// Refuses settings no model could honour (the model-specific checks are `LoRAAdapter`'s).
    public func validate() throws {
        guard rank >= 1 else { throw AdapterError.invalidSetting("the LoRA rank must be at least 1, not \(rank)") }
        guard alpha.isFinite, alpha > 0 else { throw AdapterError.invalidSetting("the LoRA alpha must be a positive number, not \(alpha)") }
        guard !targets.isEmpty else { throw AdapterError.invalidSetting("LoRA needs at least one target kind") }
        for target in targets where !Self.targetWords.contains(target) {
            throw AdapterError.invalidSetting(
                "unknown LoRA target \"\(target)\"; targets are parameter kinds: \(Self.targetWords.joined(separator: ", "))")
        }
    }
}
