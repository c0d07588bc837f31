import Foundation
import ZOFormats
import ZOTokenizers

/// The GPT-2 family (`model_type` "gpt2", GGUF architecture "gpt2"): GPT-2 small … XL, DistilGPT-2.
/// Learned positions, pre-LN LayerNorm, tanh-GELU MLP, fused q|k|v, biases, head tied to the
/// embeddings. Its linears are `Conv1D`s whose weights are stored inputs × outputs; the arena keeps
/// that layout (see `WeightLayout`), also for GGUF files, whose transposed copies are transposed back
/// once at load.
public enum GPT2Family: ModelFamily {
    public static let modelTypes = ["gpt2"]
    public static let ggufArchitectures = ["gpt2"]

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

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        let configuration = try configuration(checkpoint.decodeConfig(GPT2ConfigFile.self), source: checkpoint.configPath)
        // The original uploads were saved from GPT2Model: `h.0.…`, `wte.weight`.
        return try GPTStyleDecoderModel.load(
            checkpoint, configuration: configuration, basePrefix: "transformer.", layerCountKey: "n_layer"
        ) {
            isIgnorable($0, tied: configuration.tieWordEmbeddings)
        }
    }

    /// llama.cpp's `gpt2` GGUF (convert_hf_to_gguf.py's GPT2Model): GGUF names mapped to HF ones, the
    /// Conv1D weights (stored outputs × inputs there) transposed back into the arena's inputs × outputs.
    /// The head is tied unless the file's `output.weight` differs from `token_embd.weight` (see
    /// `storesTiedHead`).
    public static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        try TokenizerLoader.checkSupported(gguf: gguf)
        let tied = storesTiedHead(gguf)
        let configuration = try configuration(gguf: gguf, tied: tied)
        let conv1D = [names.queryKeyValue[0], names.attentionOutput, names.feedForwardUp, names.feedForwardDown]
        let transposed = Set((0..<configuration.layerCount).flatMap { layer in
            conv1D.map { "\(names.layerPrefix)\(layer).\($0).weight" }
        })
        let weights = WeightLoading(
            tensors: try GGUFTensorNames.gpt2.huggingFaceTensors(of: gguf), source: gguf.path,
            layerCountKey: GGUFMetadataReader(gguf).layerCountKey, isIgnorable: { tied && $0 == "lm_head.weight" },
            storedTransposed: transposed)
        return try GGUFTensorNames.gpt2.namingFileTensors {
            try weights.check(GPTStyleDecoderModel.parameterSpecs(for: configuration))
            let model = GPTStyleDecoderModel(configuration: configuration) {
                weights.precision(for: $0, options: options)
            }
            try weights.fill(model.weights)
            return model
        }
    }

    /// Whether the file's head is the embedding table: no `output.weight` (newer converters, llama.cpp
    /// then reads `token_embd`), or one stored byte for byte like `token_embd.weight` (older converters
    /// write GPT-2's tied head as that copy). A head re-encoded differently (e.g. a quantizer's
    /// Q6_K head over a Q4_K embedding) is what llama.cpp computes with, so it becomes a separate
    /// `lm_head.weight`.
    static func storesTiedHead(_ gguf: GGUFFile) -> Bool {
        guard let head = gguf.tensor(named: "output.weight") else { return true }
        guard let embedding = gguf.tensor(named: "token_embd.weight"), head.encoding == embedding.encoding,
              head.shape == embedding.shape, head.bytes.count == embedding.bytes.count
        else { return false }
        return memcmp(head.bytes.baseAddress!, embedding.bytes.baseAddress!, head.bytes.count) == 0
    }

    /// GPT-2's `config.json` as transformers writes it (`GPT2Config`), each key once; several sizes
    /// have two names (`n_embd` is also `hidden_size`, …), the first present wins.
    /// `reorder_and_upcast_attn` only changes mixed-precision rounding, so it is not read.
    struct GPT2ConfigFile: Decodable {
        var crossAttention: UnsupportedOption?
        var activation: FeedForwardActivationName?
        var vocabularySize: ConfigSize<Vocabulary>?
        var innerWidth: ConfigSize<Width>?
        var embeddingWidth, hiddenSize: ConfigSize<Width>?
        var layerCount, hiddenLayerCount: ConfigSize<Layers>?
        var headCount, attentionHeadCount: ConfigSize<Heads>?
        var positions, maxPositionEmbeddings: ConfigSize<Positions>?
        var layerNormEpsilon: ConfigNumber?
        var scalesAttentionByHeadDim, scalesAttentionByInverseLayer, tieWordEmbeddings: ConfigFlag?

        enum CodingKeys: String, CodingKey {
            case crossAttention = "add_cross_attention", activation = "activation_function", embeddingWidth = "n_embd"
            case hiddenSize = "hidden_size", vocabularySize = "vocab_size", innerWidth = "n_inner", layerCount = "n_layer"
            case hiddenLayerCount = "num_hidden_layers", headCount = "n_head", attentionHeadCount = "num_attention_heads"
            case positions = "n_positions", maxPositionEmbeddings = "max_position_embeddings"
            case layerNormEpsilon = "layer_norm_epsilon", scalesAttentionByHeadDim = "scale_attn_weights"
            case scalesAttentionByInverseLayer = "scale_attn_by_inverse_layer_idx", tieWordEmbeddings = "tie_word_embeddings"
        }
    }

    /// The configuration of a GPT-2 `config.json`, with `GPT2Config`'s defaults.
    static func configuration(_ file: GPT2ConfigFile, source: String) throws -> GPTStyleDecoderConfiguration {
        let hidden = (file.embeddingWidth ?? file.hiddenSize)?.value ?? 768
        let configuration = configuration(
            vocabularySize: file.vocabularySize?.value ?? 50257, hiddenSize: hidden,
            intermediateSize: file.innerWidth?.value ?? 4 * hidden,
            layerCount: (file.layerCount ?? file.hiddenLayerCount)?.value ?? 12,
            headCount: (file.headCount ?? file.attentionHeadCount)?.value ?? 12,
            maxPositions: (file.positions ?? file.maxPositionEmbeddings)?.value ?? 1024,
            layerNormEpsilon: file.layerNormEpsilon.map { Float($0.value) } ?? 1e-5,
            activation: file.activation?.activation ?? .geluTanh,
            scalesAttentionByHeadDim: file.scalesAttentionByHeadDim?.value ?? true,
            scalesAttentionByInverseLayer: file.scalesAttentionByInverseLayer?.value ?? false,
            tieWordEmbeddings: file.tieWordEmbeddings?.value ?? true, promptPrefix: [])
        try configuration.validate(source: source)
        return configuration
    }

    /// Reads llama.cpp's `gpt2.*` metadata. The file records neither the activation nor GPT-2's
    /// attention-scaling options: llama.cpp computes tanh-GELU and 1/√d scaling, GPT-2's own. Prompts
    /// start with BOS only when `tokenizer.ggml.add_bos_token` says so (llama.cpp's rule; GPT-2's
    /// tokenizer, like the HF folder route, adds none).
    static func configuration(gguf: GGUFFile, tied: Bool) throws -> GPTStyleDecoderConfiguration {
        let metadata = GGUFMetadataReader(gguf)
        var promptPrefix: [Int] = []
        if gguf.metadata["tokenizer.ggml.add_bos_token"]?.bool == true {
            guard let bos = gguf.metadata["tokenizer.ggml.bos_token_id"]?.int else {
                throw metadata.fail("tokenizer.ggml.add_bos_token is true but tokenizer.ggml.bos_token_id is missing")
            }
            promptPrefix = [bos]
        }
        let hidden = try metadata.size(.width, "embedding_length")
        let configuration = configuration(
            vocabularySize: try metadata.vocabularySize(), hiddenSize: hidden,
            intermediateSize: try metadata.optionalSize(.width, "feed_forward_length") ?? 4 * hidden,
            layerCount: try metadata.size(.layers, "block_count"),
            headCount: try metadata.size(.heads, "attention.head_count"),
            maxPositions: try metadata.size(.positions, "context_length"),
            layerNormEpsilon: try metadata.float("attention.layer_norm_epsilon") ?? 1e-5, activation: .geluTanh,
            scalesAttentionByHeadDim: true, scalesAttentionByInverseLayer: false, tieWordEmbeddings: tied,
            promptPrefix: promptPrefix)
        try configuration.validate(source: metadata.source)
        return configuration
    }

    /// GPT-2's fixed choices (pre-LN with a final LayerNorm, biases, no position offset) around the
    /// values a checkpoint records.
    private static func configuration(
        vocabularySize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int, headCount: Int, maxPositions: Int,
        layerNormEpsilon: Float, activation: FeedForwardActivation, scalesAttentionByHeadDim: Bool,
        scalesAttentionByInverseLayer: Bool, tieWordEmbeddings: Bool, promptPrefix: [Int]
    ) -> GPTStyleDecoderConfiguration {
        GPTStyleDecoderConfiguration(
            modelType: "gpt2", vocabularySize: vocabularySize, hiddenSize: hiddenSize, wordEmbeddingSize: hiddenSize,
            intermediateSize: intermediateSize, layerCount: layerCount, headCount: headCount, maxPositions: maxPositions,
            positionOffset: 0, normalizesBeforeSublayers: true, hasFinalNorm: true, normsHaveParameters: true,
            linearsHaveBiases: true, layerNormEpsilon: layerNormEpsilon, activation: activation,
            scalesAttentionByHeadDim: scalesAttentionByHeadDim, scalesAttentionByInverseLayer: scalesAttentionByInverseLayer,
            tieWordEmbeddings: tieWordEmbeddings, promptPrefix: promptPrefix, names: names)
    }
}
