/// A LLaMA-layout `config.json` (`model_type` "llama", and "qwen2", which reads the same keys) as
/// transformers writes it, beyond `CommonConfigSizes`: each key once, in `CodingKeys`, checked as it
/// decodes (`ConfigFields`). Defaults and the relations between fields are
/// `LlamaConfiguration.init(_:_:modelType:source:)`'s.
struct LlamaConfigFile: Decodable {
    var intermediateSize: ConfigSize<Width>
    var keyValueHeadCount: ConfigSize<Heads>?
    var headDim: ConfigSize<Width>?
    var rmsNormEpsilon: ConfigNumber?
    /// transformers 4 keeps rope_theta at the top; 5 moved it into `ropeParameters`.
    var ropeTheta: ConfigNumber?
    var activation: GatedActivation?
    /// transformers 4's `rope_scaling` and 5's `rope_parameters`: the first present says the type.
    var ropeScaling, ropeParameters: RopeParameters?

    enum CodingKeys: String, CodingKey {
        case intermediateSize = "intermediate_size", keyValueHeadCount = "num_key_value_heads", headDim = "head_dim"
        case rmsNormEpsilon = "rms_norm_eps", ropeTheta = "rope_theta", activation = "hidden_act"
        case ropeScaling = "rope_scaling", ropeParameters = "rope_parameters"
    }
}

/// The activation of LLaMA's gated MLP: SwiGLU's SiLU is the one implemented.
enum GatedActivation: String, SupportedChoice {
    case silu
}

/// `rope_scaling` / `rope_parameters`: the rotary embedding's type, transformers 5's rope_theta, and
/// the parameters of Llama 3's scaling (`Llama3RopeScaling`).
struct RopeParameters: Decodable {
    /// The type, under its current key and its older one.
    var ropeType, type: String?
    var ropeTheta: ConfigNumber?
    /// Llama 3's scaling parameters.
    var factor, lowFrequencyFactor, highFrequencyFactor, originalContext: ConfigNumber?

    enum CodingKeys: String, CodingKey {
        case ropeType = "rope_type", type, ropeTheta = "rope_theta", factor, lowFrequencyFactor = "low_freq_factor"
        case highFrequencyFactor = "high_freq_factor", originalContext = "original_max_position_embeddings"
    }

    var kind: String { ropeType ?? type ?? "default" }
}

extension LlamaConfiguration {
    /// The configuration `sizes` and `file` describe, with transformers' defaults, validated. Refuses
    /// options this forward does not implement (rope scaling other than llama3, activations other
    /// than SiLU) instead of silently computing something else.
    init(_ sizes: CommonConfigSizes, _ file: LlamaConfigFile, modelType: String, source: String) throws {
        func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }
        let scaling = file.ropeScaling ?? file.ropeParameters
        let ropeType = scaling?.kind ?? "default"
        guard ropeType == "default" || ropeType == "llama3" else {
            throw fail("rope scaling type \(ropeType) is not supported (default and llama3 are)")
        }
        self.init(
            vocabularySize: sizes.vocabularySize.value, hiddenSize: sizes.hiddenSize.value,
            intermediateSize: file.intermediateSize.value, layerCount: sizes.layerCount.value,
            headCount: sizes.headCount.value, keyValueHeadCount: file.keyValueHeadCount?.value ?? sizes.headCount.value,
            headDim: file.headDim?.value, rmsNormEpsilon: file.rmsNormEpsilon.map { Float($0.value) } ?? 1e-6,
            ropeTheta: (file.ropeTheta ?? file.ropeParameters?.ropeTheta).map { Float($0.value) } ?? 10_000,
            tieWordEmbeddings: sizes.tieWordEmbeddings?.value ?? false, maxPositions: sizes.maxPositions?.value ?? 2048)
        self.modelType = modelType
        if ropeType == "llama3", let scaling {
            ropeFrequencyDivisors = try Llama3RopeScaling(scaling, fail: fail).frequencyDivisors(headDim: headDim, base: ropeTheta)
        }
        try validate(source: source)
    }
}
