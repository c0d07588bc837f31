/// The GPT-2 family (`model_type` "gpt2"): GPT-2 small … XL, DistilGPT-2. Learned positions,
/// pre-LN LayerNorm, tanh-GELU MLP, fused q|k|v, biases, head tied to the embeddings. Its linears
/// are `Conv1D`s whose weights are stored inputs × outputs; the arena keeps that layout (see
/// `WeightLayout`). HF folders only.
public enum GPT2Family: ModelFamily {
    public static let modelTypes = ["gpt2"]

    static let names = GPTStyleTensorNames(
        tokenEmbedding: "transformer.wte", positionEmbedding: "transformer.wpe", projectIn: nil, projectOut: nil,
        finalNorm: "transformer.ln_f", layerPrefix: "transformer.h.", attentionNorm: "ln_1",
        queryKeyValue: ["attn.c_attn"], attentionOutput: "attn.c_proj", feedForwardNorm: "ln_2",
        feedForwardUp: "mlp.c_fc", feedForwardDown: "mlp.c_proj", layerWeightLayout: .inputsByOutputs)

    /// The causal-mask buffers older checkpoints store (`attn.bias`, `attn.masked_bias`) and a
    /// stored copy of a tied head.
    private static func isIgnorable(_ name: String, tied: Bool) -> Bool {
        name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") || (tied && name == "lm_head.weight")
    }

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel {
        let configuration = try configuration(checkpoint.config, source: checkpoint.configPath)
        // The original uploads were saved from GPT2Model: `h.0.…`, `wte.weight`.
        return try GPTStyleDecoderModel.load(checkpoint, configuration: configuration, basePrefix: "transformer.") {
            isIgnorable($0, tied: configuration.tieWordEmbeddings)
        }
    }

    /// Reads a parsed `config.json` of `model_type` "gpt2" with transformers' `GPT2Config` defaults.
    /// `reorder_and_upcast_attn` only changes mixed-precision rounding, so it is accepted; cross-attention
    /// is rejected.
    public static func configuration(_ object: [String: Any], source: String) throws -> GPTStyleDecoderConfiguration {
        let config = ConfigReader(object: object, source: source)
        try config.rejectTrue("add_cross_attention")
        let activationName = config.string("activation_function") ?? "gelu_new"
        guard let activation = FeedForwardActivation(huggingFaceName: activationName) else {
            throw config.fail("activation_function \(activationName) is not supported")
        }
        let hidden = config.optionalInt("n_embd", "hidden_size") ?? 768
        let configuration = GPTStyleDecoderConfiguration(
            modelType: "gpt2", vocabularySize: try config.int("vocab_size", default: 50257), hiddenSize: hidden,
            wordEmbeddingSize: hidden, intermediateSize: config.optionalInt("n_inner") ?? 4 * hidden,
            layerCount: config.optionalInt("n_layer", "num_hidden_layers") ?? 12,
            headCount: config.optionalInt("n_head", "num_attention_heads") ?? 12,
            maxPositions: config.optionalInt("n_positions", "max_position_embeddings") ?? 1024, positionOffset: 0,
            normalizesBeforeSublayers: true, hasFinalNorm: true, normsHaveParameters: true, linearsHaveBiases: true,
            layerNormEpsilon: config.float("layer_norm_epsilon") ?? 1e-5, activation: activation,
            scalesAttentionByHeadDim: config.bool("scale_attn_weights", default: true),
            scalesAttentionByInverseLayer: config.bool("scale_attn_by_inverse_layer_idx", default: false),
            tieWordEmbeddings: config.bool("tie_word_embeddings", default: true), promptPrefix: [], names: names)
        try configuration.validate(config)
        return configuration
    }
}
