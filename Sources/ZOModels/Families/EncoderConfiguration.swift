import ZOFormats

/// Hyper-parameters of a BERT-style encoder (BERT, RoBERTa), decoded from HF `config.json`.
/// Defaults are transformers' `BertConfig` defaults, in one place.
public struct EncoderConfiguration: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    /// `hidden_act`: "gelu" (exact) for BERT and RoBERTa.
    public var activation: FeedForwardActivation
    public var layerNormEpsilon: Float
    /// Rows of the position-embedding table (`max_position_embeddings`).
    public var positionTableSize: Int
    /// Rows of the token-type table (`type_vocab_size`); ZOTune always uses type 0.
    public var tokenTypeCount: Int
    /// RoBERTa numbers positions from `pad_token_id + 1` and gives pad tokens position `pad_token_id`
    /// (fairseq's `make_positions`); nil: positions count from 0 (BERT).
    public var positionPaddingID: Int?
    /// Standard deviation of transformers' normal init, used for a new classification head.
    public var initializerRange: Float
    /// Whether the masked-LM decoder is the word-embedding table (transformers' default).
    public var tieWordEmbeddings: Bool
    /// Classes named by `id2label` / `num_labels`, when the file says.
    public var labelCount: Int?

    public init(
        vocabularySize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int, headCount: Int,
        activation: FeedForwardActivation = .gelu, layerNormEpsilon: Float = 1e-12, positionTableSize: Int = 512,
        tokenTypeCount: Int = 2, positionPaddingID: Int? = nil, initializerRange: Float = 0.02,
        tieWordEmbeddings: Bool = true, labelCount: Int? = nil
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.activation = activation
        self.layerNormEpsilon = layerNormEpsilon
        self.positionTableSize = positionTableSize
        self.tokenTypeCount = tokenTypeCount
        self.positionPaddingID = positionPaddingID
        self.initializerRange = initializerRange
        self.tieWordEmbeddings = tieWordEmbeddings
        self.labelCount = labelCount
    }

    public var headDim: Int { hiddenSize / headCount }
    /// The first position id a sequence uses.
    public var firstPosition: Int { positionPaddingID.map { $0 + 1 } ?? 0 }
    /// Longest sequence the position table covers.
    public var maxPositions: Int { positionTableSize - firstPosition }

    /// Checks the relations the forward pass relies on.
    func validate(_ config: ConfigReader) throws {
        try config.checkDimensions([
            "vocabulary size": vocabularySize, "hidden size": hiddenSize, "intermediate size": intermediateSize,
            "layer count": layerCount, "head count": headCount, "token type count": tokenTypeCount,
            "maximum positions": maxPositions,
        ], hiddenSize: hiddenSize, headCount: headCount)
        guard layerNormEpsilon > 0 else { throw config.fail("layer_norm_eps must be positive") }
        if let positionPaddingID, positionPaddingID < 0 { throw config.fail("pad_token_id must not be negative") }
        if let labelCount, labelCount <= 0 { throw config.fail("the configuration names no labels") }
    }
}

extension EncoderConfiguration {
    /// Reads a transformers `config.json` of one of `modelTypes`. Rejects options this forward does not
    /// implement (relative positions, unknown activations, decoders) instead of computing something
    /// else. `positionsFollowPadding`: RoBERTa's position numbering (see `positionPaddingID`).
    static func fromHuggingFace(
        _ config: ConfigReader, modelTypes: [String], positionsFollowPadding: Bool
    ) throws -> EncoderConfiguration {
        let modelType = config.string("model_type") ?? "(none)"
        guard modelTypes.contains(modelType) else {
            throw ModelError.unsupportedArchitecture(name: modelType, supported: modelTypes)
        }
        let activationName = config.string("hidden_act") ?? "gelu"
        guard let activation = FeedForwardActivation(huggingFaceName: activationName) else {
            throw config.fail("hidden_act \(activationName) is not supported")
        }
        let positions = config.string("position_embedding_type") ?? "absolute"
        guard positions == "absolute" else { throw config.fail("position_embedding_type \(positions) is not supported") }
        try config.rejectTrue("is_decoder", "add_cross_attention")
        let labels = try (config.object["id2label"] as? [String: Any]).map {
            try DeclaredSize.labels.checked($0.count, key: "the label count of id2label", fail: config.fail)
        } ?? config.optionalSize(.labels, "num_labels")
        let configuration = EncoderConfiguration(
            vocabularySize: try config.size(.vocabulary, "vocab_size"), hiddenSize: try config.size(.width, "hidden_size"),
            intermediateSize: try config.size(.width, "intermediate_size"),
            layerCount: try config.size(.layers, "num_hidden_layers"),
            headCount: try config.size(.heads, "num_attention_heads"), activation: activation,
            layerNormEpsilon: try config.float("layer_norm_eps") ?? 1e-12,
            positionTableSize: try config.size(.positions, "max_position_embeddings", default: 512),
            tokenTypeCount: try config.size(.labels, "type_vocab_size", default: 2),
            positionPaddingID: positionsFollowPadding ? try config.int("pad_token_id", default: 1) : nil,
            initializerRange: try config.float("initializer_range") ?? 0.02,
            tieWordEmbeddings: try config.bool("tie_word_embeddings", default: true), labelCount: labels)
        try configuration.validate(config)
        return configuration
    }
}

extension EncoderConfiguration {
    /// Reads llama.cpp's `bert.*` metadata (convert_hf_to_gguf.py's BertModel). The file records
    /// neither the activation nor the init range: BERT's exact GELU (what transformers computes; llama.cpp
    /// uses its tanh approximation) and transformers' 0.02 for a new head. Positions count from 0,
    /// token types from `tokenizer.ggml.token_type_count` (else the table's rows).
    static func fromGGUF(_ metadata: GGUFMetadataReader) throws -> EncoderConfiguration {
        guard metadata.architecture == "bert" else {
            throw ModelError.unsupportedArchitecture(name: metadata.architecture, supported: ["bert"])
        }
        if metadata.value("attention.causal")?.bool == true {
            throw metadata.fail("bert.attention.causal = true is not supported")
        }
        let tokenTypes = metadata.gguf.metadata["tokenizer.ggml.token_type_count"]?.int
            ?? metadata.gguf.tensor(named: "token_types.weight")?.shape.first ?? 2
        let configuration = EncoderConfiguration(
            vocabularySize: try metadata.vocabularySize(), hiddenSize: try metadata.size(.width, "embedding_length"),
            intermediateSize: try metadata.size(.width, "feed_forward_length"),
            layerCount: try metadata.size(.layers, "block_count"),
            headCount: try metadata.size(.heads, "attention.head_count"), activation: .gelu,
            layerNormEpsilon: try metadata.float("attention.layer_norm_epsilon") ?? 1e-12,
            positionTableSize: try metadata.size(.positions, "context_length"),
            tokenTypeCount: try DeclaredSize.labels.checked(tokenTypes, key: "the token type count", fail: metadata.fail))
        try configuration.validate(metadata.checks)
        return configuration
    }
}
