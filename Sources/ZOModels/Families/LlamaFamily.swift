import Foundation
import ZOFormats
import ZOTensor
import ZOTokenizers

/// Fills a `LlamaModel` from stored tensors, strictly: every arena entry must be present with the
/// right shape, and every stored tensor must be used (a few known-redundant ones excepted).
/// The LLaMA family (`model_type` "llama", GGUF architecture "llama"): SmolLM2, LLaMA 2/3, …
public enum LlamaFamily: ModelFamily {
    public static let modelTypes = ["llama"]
    public static let ggufArchitectures = ["llama"]

    /// Tensors that checkpoints carry but a LLaMA forward does not need.
    private static func isIgnorable(_ name: String, tied: Bool) -> Bool {
        name.hasSuffix("rotary_emb.inv_freq") || (tied && name == "lm_head.weight")
    }

    /// LLaMA's attention and MLP biases, which this forward does not implement (Qwen2's q/k/v biases
    /// are implied by its family instead).
    private struct UnimplementedBiases: Decodable {
        var attentionBias: UnsupportedOption?
        var mlpBias: UnsupportedOption?

        enum CodingKeys: String, CodingKey { case attentionBias = "attention_bias", mlpBias = "mlp_bias" }
    }

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        _ = try checkpoint.decodeConfig(UnimplementedBiases.self)
        let configuration = try LlamaConfiguration(
            checkpoint.decodeConfig(CommonConfigSizes.self), checkpoint.decodeConfig(LlamaConfigFile.self), modelType: checkpoint.modelType, source: checkpoint.configPath)
        return try load(checkpoint, configuration: configuration)
    }

    /// Builds and fills the model of an already parsed configuration (shared with `Qwen2Family`).
    static func load(_ checkpoint: HuggingFaceCheckpoint, configuration: LlamaConfiguration) throws -> LanguageModel & ModelArchitecture {
        let weights = WeightLoading(
            tensors: checkpoint.tensors, source: checkpoint.folder, layerCountKey: "num_hidden_layers",
            isIgnorable: { isIgnorable($0, tied: configuration.tieWordEmbeddings) })
        try weights.check(LlamaModel.parameterSpecs(for: configuration))
        let model = LlamaModel(configuration: configuration) { weights.precision(for: $0, options: checkpoint.options) }
        try weights.fill(model.weights)
        return model
    }

    /// GGUF: configuration from metadata, tensors renamed to HF names, q/k rows un-permuted.
    public static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        try loadGGUF(gguf, permutedQueryKey: true, options: options)
    }

    /// GGUF files of LLaMA-layout architectures. llama.cpp's converter permutes q/k rows for its
    /// interleaved RoPE only for the `llama` architecture (`permutedQueryKey`); Qwen2's are stored
    /// in HF order.
    static func loadGGUF(_ gguf: GGUFFile, permutedQueryKey: Bool, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        try TokenizerLoader.checkSupported(gguf: gguf)
        let configuration = try LlamaConfiguration.fromGGUF(gguf)
        let tensors = try GGUFTensorNames.llama.huggingFaceTensors(
            of: gguf, readElsewhere: configuration.ropeFrequencyDivisors == nil ? [] : [LlamaConfiguration.ropeFrequencyFactorsTensor])
        var weights = WeightLoading(
            tensors: tensors, source: gguf.path, layerCountKey: GGUFMetadataReader(gguf).layerCountKey,
            isIgnorable: { isIgnorable($0, tied: configuration.tieWordEmbeddings) })
        if permutedQueryKey {
            // A stored q or k reads its rows where llama.cpp's permutation put them.
            weights.storedRowOrder = { name in
                if name.hasSuffix("self_attn.q_proj.weight") {
                    return GGUFTensorNames.permutedRow(heads: configuration.headCount, rows: configuration.queryWidth)
                }
                if name.hasSuffix("self_attn.k_proj.weight") {
                    return GGUFTensorNames.permutedRow(heads: configuration.keyValueHeadCount, rows: configuration.keyValueWidth)
                }
                return nil
            }
        }
        return try GGUFTensorNames.llama.namingFileTensors {
            try weights.check(LlamaModel.parameterSpecs(for: configuration))
            let model = LlamaModel(configuration: configuration) { weights.precision(for: $0, options: options) }
            try weights.fill(model.weights) { name, values in
                guard permutedQueryKey else { return }
                if name.hasSuffix("self_attn.q_proj.weight") {
                    GGUFTensorNames.unpermuteRows(values, heads: configuration.headCount, columns: configuration.hiddenSize)
                } else if name.hasSuffix("self_attn.k_proj.weight") {
                    GGUFTensorNames.unpermuteRows(
                        values, heads: configuration.keyValueHeadCount, columns: configuration.hiddenSize)
                }
            }
            return model
        }
    }
}
