import ZOFormats

/// Hyper-parameters of a BERT-style encoder (BERT, RoBERTa), read from HF `config.json`
/// (`EncoderConfigFile`) or GGUF metadata (`fromGGUF`).
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
    func validate(source: String) throws {
        func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }
        try checkDimensions([
            "vocabulary size": vocabularySize, "hidden size": hiddenSize, "intermediate size": intermediateSize,
            "layer count": layerCount, "head count": headCount, "token type count": tokenTypeCount,
            "maximum positions": maxPositions,
        ], hiddenSize: hiddenSize, headCount: headCount, source: source)
        guard layerNormEpsilon > 0 else { throw fail("layer_norm_eps must be positive") }
        if let positionPaddingID, positionPaddingID < 0 { throw fail("pad_token_id must not be negative") }
        if let labelCount, labelCount <= 0 { throw fail("the configuration names no labels") }
    }
}

/// A BERT-style encoder's `config.json` as transformers writes it (`BertConfig`, `RobertaConfig`)
/// beyond `CommonConfigSizes`, each key once. Options this forward does not implement (relative positions, other activations,
/// decoders, cross-attention) fail as they decode.
struct EncoderConfigFile: Decodable {
    var activation: FeedForwardActivationName?
    var positionEmbedding: PositionEmbeddingType?
    var isDecoder: UnsupportedOption?
    var crossAttention: UnsupportedOption?
    var labelNames: ConfigLabelNames?
    var labelCount: ConfigSize<Labels>?
    var intermediateSize: ConfigSize<Width>
    var layerNormEpsilon: ConfigNumber?
    var tokenTypeCount: ConfigSize<Labels>?
    var paddingID: ConfigInteger?
    var initializerRange: ConfigNumber?

    enum CodingKeys: String, CodingKey {
        case activation = "hidden_act", positionEmbedding = "position_embedding_type", isDecoder = "is_decoder"
        case crossAttention = "add_cross_attention", labelNames = "id2label", labelCount = "num_labels"
        case intermediateSize = "intermediate_size", layerNormEpsilon = "layer_norm_eps", tokenTypeCount = "type_vocab_size"
        case paddingID = "pad_token_id", initializerRange = "initializer_range"
    }
}

/// How an encoder numbers positions: absolute learned positions are the ones implemented.
enum PositionEmbeddingType: String, SupportedChoice {
    case absolute
}

extension EncoderConfiguration {
    /// The configuration `sizes` and `file` describe, with `BertConfig`'s defaults, validated.
    /// `positionsFollowPadding`: RoBERTa's position numbering (see `positionPaddingID`).
    init(_ sizes: CommonConfigSizes, _ file: EncoderConfigFile, positionsFollowPadding: Bool, source: String) throws {
        self.init(
            vocabularySize: sizes.vocabularySize.value, hiddenSize: sizes.hiddenSize.value,
            intermediateSize: file.intermediateSize.value, layerCount: sizes.layerCount.value,
            headCount: sizes.headCount.value, activation: file.activation?.activation ?? .gelu,
            layerNormEpsilon: file.layerNormEpsilon.map { Float($0.value) } ?? 1e-12,
            positionTableSize: sizes.maxPositions?.value ?? 512, tokenTypeCount: file.tokenTypeCount?.value ?? 2,
            positionPaddingID: positionsFollowPadding ? file.paddingID?.value ?? 1 : nil,
            initializerRange: file.initializerRange.map { Float($0.value) } ?? 0.02,
            tieWordEmbeddings: sizes.tieWordEmbeddings?.value ?? true,
            labelCount: file.labelNames?.count ?? file.labelCount?.value)
        try validate(source: source)
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
        try configuration.validate(source: metadata.source)
        return configuration
    }
}
