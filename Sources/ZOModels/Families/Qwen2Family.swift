import ZOFormats

/// The Qwen2 family (`model_type` "qwen2"): Qwen2 and Qwen2.5. A LLaMA decoder with biases on the
/// q, k and v projections (not on o_proj), so it runs on `LlamaModel`; a Qwen2 `config.json` differs
/// from LLaMA's only by that implied bias and the sliding-window options, which are rejected.
public enum Qwen2Family: ModelFamily {
    public static let modelTypes = ["qwen2"]
    public static let ggufArchitectures = ["qwen2"]

    /// llama.cpp's `qwen2` GGUF: the LLaMA tensor layout plus q/k/v biases, q/k rows not permuted.
    public static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        try LlamaFamily.loadGGUF(gguf, permutedQueryKey: false, options: options)
    }

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        var configuration = try LlamaConfiguration(
            checkpoint.decodeConfig(CommonConfigSizes.self), checkpoint.decodeConfig(LlamaConfigFile.self), modelType: checkpoint.modelType, source: checkpoint.configPath)
        configuration.queryKeyValueBias = true
        if try checkpoint.decodeConfig(SlidingWindowOptions.self).slides(layerCount: configuration.layerCount) {
            throw ModelError.invalidConfiguration(
                source: checkpoint.configPath,
                reason: "sliding-window attention (\(SlidingWindowOptions.CodingKeys.enabled.stringValue) = true) is not supported")
        }
        return try LlamaFamily.load(checkpoint, configuration: configuration)
    }

    /// Qwen2's sliding-window options. transformers gives a layer sliding-window attention when
    /// `use_sliding_window` is true with a `sliding_window` size and the layer is a "sliding_attention"
    /// one (`layer_types`, by default the layers from `max_window_layers` on); every layer here attends
    /// to the whole prefix, so a configuration where some layer slides is refused.
    private struct SlidingWindowOptions: Decodable {
        var enabled: ConfigFlag?
        var size: ConfigInteger?
        var layerTypes: [String]?
        var fullAttentionLayers: ConfigInteger?

        enum CodingKeys: String, CodingKey {
            case enabled = "use_sliding_window", size = "sliding_window", layerTypes = "layer_types"
            case fullAttentionLayers = "max_window_layers"
        }

        func slides(layerCount: Int) -> Bool {
            guard enabled?.value == true, size != nil else { return false }
            return layerTypes.map { $0.contains("sliding_attention") } ?? ((fullAttentionLayers?.value ?? 28) < layerCount)
        }
    }
}
