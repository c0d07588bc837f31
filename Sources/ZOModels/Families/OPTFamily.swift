/// The OPT family (`model_type` "opt"): facebook/opt-125m … 66b, the models of the MeZO paper.
/// Learned positions with fairseq's offset of 2, ReLU MLP, biases, pre-LN with a final LayerNorm
/// (all sizes but 350m) or post-LN with project_in/out (350m), head tied to the embeddings.
/// Follows transformers' modeling_opt.py option by option; HF folders only.
public enum OPTFamily: ModelFamily {
    public static let modelTypes = ["opt"]

    static let names = GPTStyleTensorNames(
        tokenEmbedding: "model.decoder.embed_tokens", positionEmbedding: "model.decoder.embed_positions",
        projectIn: "model.decoder.project_in", projectOut: "model.decoder.project_out",
        finalNorm: "model.decoder.final_layer_norm", layerPrefix: "model.decoder.layers.",
        attentionNorm: "self_attn_layer_norm",
        queryKeyValue: ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
        attentionOutput: "self_attn.out_proj", feedForwardNorm: "final_layer_norm",
        feedForwardUp: "fc1", feedForwardDown: "fc2", layerWeightLayout: .outputsByInputs)

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        let configuration = try configuration(checkpoint.config, source: checkpoint.configPath)
        // OPTModel-era uploads name tensors `decoder.…`; a tied head may still be stored.
        return try GPTStyleDecoderModel.load(
            checkpoint, configuration: configuration, basePrefix: "model.", layerCountKey: "num_hidden_layers"
        ) {
            configuration.tieWordEmbeddings && $0 == "lm_head.weight"
        }
    }

    /// Reads a parsed `config.json` of `model_type` "opt" with transformers' `OPTConfig` defaults.
    public static func configuration(_ object: [String: Any], source: String) throws -> GPTStyleDecoderConfiguration {
        let config = ConfigReader(object: object, source: source)
        let activationName = config.string("activation_function") ?? "relu"
        guard let activation = FeedForwardActivation(huggingFaceName: activationName) else {
            throw config.fail("activation_function \(activationName) is not supported")
        }
        let hidden = try config.size(.width, "hidden_size")
        let preLN = try config.bool("do_layer_norm_before", default: true)
        let configuration = GPTStyleDecoderConfiguration(
            modelType: "opt", vocabularySize: try config.size(.vocabulary, "vocab_size"), hiddenSize: hidden,
            wordEmbeddingSize: try config.size(.width, "word_embed_proj_dim", default: hidden),
            intermediateSize: try config.size(.width, "ffn_dim"), layerCount: try config.size(.layers, "num_hidden_layers"),
            headCount: try config.size(.heads, "num_attention_heads"),
            maxPositions: try config.size(.positions, "max_position_embeddings", default: 2048), positionOffset: 2,
            normalizesBeforeSublayers: preLN,
            hasFinalNorm: try preLN && !config.bool("_remove_final_layer_norm", default: false),
            normsHaveParameters: try config.bool("layer_norm_elementwise_affine", default: true),
            linearsHaveBiases: try config.bool("enable_bias", default: true), layerNormEpsilon: 1e-5,
            activation: activation, scalesAttentionByHeadDim: true, scalesAttentionByInverseLayer: false,
            tieWordEmbeddings: try config.bool("tie_word_embeddings", default: true),
            promptPrefix: [try config.int("bos_token_id", default: 2)], names: names)
        try configuration.validate(config)
        return configuration
    }
}
