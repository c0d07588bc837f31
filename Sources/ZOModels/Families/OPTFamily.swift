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
        let configuration = try configuration(
            checkpoint.decodeConfig(CommonConfigSizes.self), checkpoint.decodeConfig(OPTConfigFile.self), source: checkpoint.configPath)
        // OPTModel-era uploads name tensors `decoder.…`; a tied head may still be stored.
        return try GPTStyleDecoderModel.load(
            checkpoint, configuration: configuration, basePrefix: "model.", layerCountKey: "num_hidden_layers"
        ) {
            configuration.tieWordEmbeddings && $0 == "lm_head.weight"
        }
    }

    /// OPT's `config.json` as transformers writes it (`OPTConfig`) beyond `CommonConfigSizes`, each
    /// key once.
    struct OPTConfigFile: Decodable {
        var activation: FeedForwardActivationName?
        var normalizesBeforeSublayers: ConfigFlag?
        var wordEmbeddingSize: ConfigSize<Width>?
        var intermediateSize: ConfigSize<Width>
        var removesFinalNorm: ConfigFlag?
        var normsHaveParameters: ConfigFlag?
        var linearsHaveBiases: ConfigFlag?
        var beginningOfSequenceID: ConfigInteger?

        enum CodingKeys: String, CodingKey {
            case activation = "activation_function", normalizesBeforeSublayers = "do_layer_norm_before"
            case wordEmbeddingSize = "word_embed_proj_dim", intermediateSize = "ffn_dim"
            case removesFinalNorm = "_remove_final_layer_norm", normsHaveParameters = "layer_norm_elementwise_affine"
            case linearsHaveBiases = "enable_bias", beginningOfSequenceID = "bos_token_id"
        }
    }

    /// The configuration of an OPT `config.json`, with `OPTConfig`'s defaults.
    static func configuration(_ sizes: CommonConfigSizes, _ file: OPTConfigFile, source: String) throws -> GPTStyleDecoderConfiguration {
        let hidden = sizes.hiddenSize.value
        let preLN = file.normalizesBeforeSublayers?.value ?? true
        let configuration = GPTStyleDecoderConfiguration(
            modelType: "opt", vocabularySize: sizes.vocabularySize.value, hiddenSize: hidden,
            wordEmbeddingSize: file.wordEmbeddingSize?.value ?? hidden, intermediateSize: file.intermediateSize.value,
            layerCount: sizes.layerCount.value, headCount: sizes.headCount.value,
            maxPositions: sizes.maxPositions?.value ?? 2048, positionOffset: 2, normalizesBeforeSublayers: preLN,
            hasFinalNorm: preLN && !(file.removesFinalNorm?.value ?? false),
            normsHaveParameters: file.normsHaveParameters?.value ?? true,
            linearsHaveBiases: file.linearsHaveBiases?.value ?? true, layerNormEpsilon: 1e-5,
            activation: file.activation?.activation ?? .relu, scalesAttentionByHeadDim: true,
            scalesAttentionByInverseLayer: false, tieWordEmbeddings: sizes.tieWordEmbeddings?.value ?? true,
            promptPrefix: [file.beginningOfSequenceID?.value ?? 2], names: names)
        try configuration.validate(source: source)
        return configuration
    }
}
