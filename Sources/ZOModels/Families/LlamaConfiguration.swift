import Foundation
import ZOFormats

/// Hyper-parameters of a LLaMA-family decoder (LLaMA, and Qwen2, which adds q/k/v biases), read from
/// HF `config.json` (`LlamaConfigFile`) or GGUF metadata (`fromGGUF`).
public struct LlamaConfiguration: Sendable, Equatable {
    /// The `model_type` this configuration was read as ("llama", "qwen2"): what the model reports as
    /// its family.
    public var modelType = "llama"
    /// Whether q, k and v projections have biases (Qwen2; its o_proj has none). Qwen2's config.json
    /// does not name it: the family implies it.
    public var queryKeyValueBias = false
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var keyValueHeadCount: Int
    public var headDim: Int
    public var rmsNormEpsilon: Float
    public var ropeTheta: Float
    public var tieWordEmbeddings: Bool
    public var maxPositions: Int
    /// Per rotary frequency, the divisor of Llama 3.1/3.2's rope scaling (`Llama3RopeScaling`, or a GGUF
    /// file's `rope_freqs.weight`); nil for plain RoPE.
    public var ropeFrequencyDivisors: [Double]? = nil

    public init(
        vocabularySize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int, headCount: Int,
        keyValueHeadCount: Int, headDim: Int? = nil, rmsNormEpsilon: Float = 1e-6,
        ropeTheta: Float = 10_000, tieWordEmbeddings: Bool = false, maxPositions: Int = 2048
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount
        self.headDim = headDim ?? hiddenSize / max(headCount, 1)
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.tieWordEmbeddings = tieWordEmbeddings
        self.maxPositions = maxPositions
    }

    /// Width of the query projection output (`headCount × headDim`).
    public var queryWidth: Int { headCount * headDim }
    /// Width of each of the key and value projection outputs.
    public var keyValueWidth: Int { keyValueHeadCount * headDim }

    /// Checks the relations the forward pass relies on.
    public func validate(source: String) throws {
        func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }
        for (name, value) in [
            ("vocab_size", vocabularySize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", layerCount), ("num_attention_heads", headCount),
            ("num_key_value_heads", keyValueHeadCount), ("head_dim", headDim), ("max_position_embeddings", maxPositions),
        ] where value <= 0 {
            throw fail("\(name) must be positive, got \(value)")
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw fail("num_attention_heads \(headCount) is not a multiple of num_key_value_heads \(keyValueHeadCount)")
        }
        guard headDim % 2 == 0 else { throw fail("head_dim \(headDim) must be even for rotary embeddings") }
        guard rmsNormEpsilon > 0, ropeTheta > 0 else { throw fail("rms_norm_eps and rope_theta must be positive") }
        if let divisors = ropeFrequencyDivisors {
            guard divisors.count == headDim / 2 else {
                throw fail("rope frequency factors have \(divisors.count) values for \(headDim / 2) rotary frequencies")
            }
            guard divisors.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw fail("rope frequency factors must be positive") }
        }
    }
}

extension LlamaConfiguration {
    /// llama.cpp's tensor of rope frequency divisors (Llama 3.1/3.2 files carry it).
    static let ropeFrequencyFactorsTensor = "rope_freqs.weight"

    /// Reads llama.cpp's `<arch>.*` metadata keys from a GGUF file (and its rope frequency factors).
    public static func fromGGUF(_ gguf: GGUFFile) throws -> LlamaConfiguration {
        let metadata = GGUFMetadataReader(gguf)
        let architecture = metadata.architecture
        guard architecture == "llama" || architecture == "qwen2" else {
            throw ModelError.unsupportedArchitecture(name: architecture, supported: ["llama", "qwen2"])
        }
        let hidden = try metadata.size(.width, "embedding_length")
        let heads = try metadata.size(.heads, "attention.head_count")
        let headDim = try metadata.optionalSize(.width, "rope.dimension_count") ?? hidden / heads
        try rejectMetadataRopeScaling(metadata)
        var configuration = LlamaConfiguration(
            vocabularySize: try metadata.vocabularySize(), hiddenSize: hidden,
            intermediateSize: try metadata.size(.width, "feed_forward_length"),
            layerCount: try metadata.size(.layers, "block_count"),
            headCount: heads, keyValueHeadCount: try metadata.optionalSize(.heads, "attention.head_count_kv") ?? heads,
            headDim: headDim, rmsNormEpsilon: try metadata.float("attention.layer_norm_rms_epsilon") ?? 1e-5,
            ropeTheta: try metadata.float("rope.freq_base") ?? 10_000,
            tieWordEmbeddings: gguf.tensor(named: "output.weight") == nil,
            maxPositions: try metadata.optionalSize(.positions, "context_length") ?? 2048)
        // Qwen2 = LLaMA + q/k/v biases (llama.cpp stores them as blk.N.attn_{q,k,v}.bias).
        configuration.queryKeyValueBias = architecture == "qwen2"
        configuration.modelType = architecture
        // llama.cpp's llama graph applies rope_freqs; its qwen2 graph has no such tensor (an extra one is
        // refused below as unused).
        if architecture == "llama", let factors = gguf.tensor(named: Self.ropeFrequencyFactorsTensor) {
            do {
                configuration.ropeFrequencyDivisors = try factors.floats().map(Double.init)
            } catch {
                throw metadata.fail("\(Self.ropeFrequencyFactorsTensor) cannot be read: \(error)")
            }
        }
        try configuration.validate(source: metadata.source)
        return configuration
    }

    /// llama.cpp's metadata rope scaling (linear, yarn, ...): a type other than "none", or, with no type,
    /// a `rope.scaling.factor` / `rope.scale_linear` other than 1 (llama.cpp then scales linearly).
    private static func rejectMetadataRopeScaling(_ metadata: GGUFMetadataReader) throws {
        if let value = metadata.value("rope.scaling.type") {
            guard let type = value.string else { throw metadata.fail("rope.scaling.type is not a string") }
            if type == "none" { return }
            throw metadata.fail("rope scaling type \(type) is not supported")
        }
        for key in ["rope.scaling.factor", "rope.scale_linear"] {
            if let factor = metadata.value(key)?.double, factor != 0, factor != 1 {
                throw metadata.fail("rope scaling (\(key) \(factor)) is not supported")
            }
        }
    }
}
