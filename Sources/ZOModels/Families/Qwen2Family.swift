import ZOFormats

/// The Qwen2 family (`model_type` "qwen2"): Qwen2 and Qwen2.5. A LLaMA decoder with biases on the
/// q, k and v projections (not on o_proj), so it runs on `LlamaModel`; a Qwen2 `config.json` differs
/// from LLaMA's only by that implied bias and the sliding-window options, which are rejected.
public enum Qwen2Family: ModelFamily {
    public static let modelTypes = ["qwen2"]
    public static let ggufArchitectures = ["qwen2"]

    /// llama.cpp's `qwen2` GGUF: the LLaMA tensor layout plus q/k/v biases, q/k rows not permuted.
    public static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        try LlamaFamily.loadGGUF(gguf, permutedQueryKey: false)
    }

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        try LlamaFamily.load(checkpoint, configuration: configuration(checkpoint.config, source: checkpoint.configPath))
    }

    /// Reads a parsed `config.json` of `model_type` "qwen2".
    public static func configuration(_ object: [String: Any], source: String) throws -> LlamaConfiguration {
        let config = ConfigReader(object: object, source: source)
        try rejectSlidingWindowAttention(config)
        var configuration = try LlamaConfiguration.decoderFields(config, modelType: "qwen2")
        configuration.queryKeyValueBias = true
        return configuration
    }

    /// transformers gives a layer sliding-window attention when `use_sliding_window` is true with a
    /// `sliding_window` size and the layer is a "sliding_attention" one (`layer_types`, by default the
    /// layers from `max_window_layers` on); every layer here attends to the whole prefix.
    private static func rejectSlidingWindowAttention(_ config: ConfigReader) throws {
        guard try config.bool("use_sliding_window", default: false), try config.optionalInt("sliding_window") != nil else { return }
        let slidingLayers = try (config.object["layer_types"] as? [String]).map { $0.contains("sliding_attention") }
            ?? ((config.optionalInt("max_window_layers") ?? 28) < (config.optionalInt("num_hidden_layers") ?? 0))
        if slidingLayers {
            throw config.fail("sliding-window attention (use_sliding_window = true) is not supported")
        }
    }
}
