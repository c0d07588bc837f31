import ZOTensor

/// Hyper-parameters of a GPT-style decoder (OPT, GPT-2): learned absolute positions, LayerNorm,
/// multi-head attention and a two-matrix MLP, biases throughout. The families read their own
/// `config.json` keys into this one description (`OPTFamily`, `GPT2Family`).
public struct GPTStyleDecoderConfiguration: Sendable, Equatable {
    /// The `model_type` ("opt", "gpt2"), reported as the model's family.
    public var modelType: String
    public var vocabularySize: Int
    public var hiddenSize: Int
    /// Width of the token embeddings and of the LM head's input. OPT-350m's `word_embed_proj_dim`
    /// (512 against hidden 1024): then project_in / project_out map between the two widths.
    public var wordEmbeddingSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    /// Longest sequence: rows of the position table actually addressed.
    public var maxPositions: Int
    /// Rows of the position table before position 0: OPT's 2 (a fairseq padding-index leftover), else 0.
    public var positionOffset: Int
    /// Pre-LN (norm, sub-block, residual add) or post-LN (sub-block, residual add, norm: OPT-350m).
    public var normalizesBeforeSublayers: Bool
    /// A LayerNorm after the last layer (pre-LN models).
    public var hasFinalNorm: Bool
    /// Whether LayerNorms have a gain and a bias (OPT's `layer_norm_elementwise_affine`).
    public var normsHaveParameters: Bool
    /// Whether attention and MLP linears have biases (OPT's `enable_bias`).
    public var linearsHaveBiases: Bool
    public var layerNormEpsilon: Float
    public var activation: FeedForwardActivation
    /// Attention logits × 1/√headDim (GPT-2's `scale_attn_weights`; always for OPT).
    public var scalesAttentionByHeadDim: Bool
    /// Attention logits of layer l additionally × 1/(l+1) (GPT-2's `scale_attn_by_inverse_layer_idx`).
    public var scalesAttentionByInverseLayer: Bool
    public var tieWordEmbeddings: Bool
    /// Token ids every prompt starts with (OPT: its BOS, see `LanguageModel.promptPrefix`).
    public var promptPrefix: [Int]
    public var names: GPTStyleTensorNames

    public var headDim: Int { hiddenSize / headCount }
    /// Whether project_in / project_out exist.
    public var projectsWordEmbeddings: Bool { wordEmbeddingSize != hiddenSize }

    /// The softmax scale of layer `layer`'s attention logits.
    public func attentionScale(layer: Int) -> Float {
        var scale: Float = scalesAttentionByHeadDim ? 1 / Float(headDim).squareRoot() : 1
        if scalesAttentionByInverseLayer { scale /= Float(layer + 1) }
        return scale
    }

    /// Checks the relations the forward pass relies on.
    func validate(source: String) throws {
        try checkDimensions([
            "vocabulary size": vocabularySize, "hidden size": hiddenSize, "word embedding size": wordEmbeddingSize,
            "intermediate size": intermediateSize, "layer count": layerCount, "head count": headCount,
            "maximum positions": maxPositions,
        ], hiddenSize: hiddenSize, headCount: headCount, source: source)
    }
}

/// Where a GPT-style decoder's tensors sit in its checkpoint (Hugging Face names, without the
/// `.weight` / `.bias` suffix) and how its linear weights are stored.
public struct GPTStyleTensorNames: Sendable, Equatable {
    public var tokenEmbedding: String
    public var positionEmbedding: String
    /// OPT's project_in / project_out (nil where the family has none).
    public var projectIn: String?
    public var projectOut: String?
    public var finalNorm: String
    /// Prefix of layer `l`'s tensors is `layerPrefix + "\(l)."`.
    public var layerPrefix: String
    public var attentionNorm: String
    /// The q|k|v projections in that order: three (OPT) or one fused (GPT-2's c_attn).
    public var queryKeyValue: [String]
    public var attentionOutput: String
    public var feedForwardNorm: String
    public var feedForwardUp: String
    public var feedForwardDown: String
    /// Layout of the layer linears (GPT-2's Conv1D stores inputs × outputs); embeddings, project_in/out
    /// and the LM head are always `nn.Linear`-shaped.
    public var layerWeightLayout: WeightLayout
}
