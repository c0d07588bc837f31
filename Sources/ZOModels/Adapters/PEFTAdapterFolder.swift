import Foundation
import ZOFormats
import ZOTensor

/// An adapter as PEFT saves and loads it (`save_pretrained` / `PeftModel.from_pretrained`): a folder
/// with `adapter_config.json` and `adapter_model.safetensors`; LoRA's keys are the adapted model's
/// parameter names behind `base_model.model.`; prompt and prefix tuning have one tensor, `prompt_embeddings`. PEFT applies it to the transformers model of
/// the same base with no missing or unexpected key; ZOTune reads what PEFT writes for LoRA, refusing
/// the options it does not implement rather than ignoring them.
public enum PEFTAdapterFolder {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"
    /// PEFT's prefix for the base model's parameter names.
    public static let keyPrefix = "base_model.model."

    /// Whether `folder` looks like a PEFT adapter (it holds `adapter_config.json`).
    public static func isAdapterFolder(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(configFile).path)
    }

    /// Writes `adapter` into `folder`, which must not exist or be empty. `baseModel` is recorded as
    /// `base_model_name_or_path`; `causalLanguageModel` sets PEFT's task type.
    public static func write(_ adapter: LoRAAdapter, baseModel: String, causalLanguageModel: Bool, to folder: URL) throws {
        try NewOutputFolder.create(folder)
        let config = Config(
            peftType: "LORA", r: adapter.settings.rank, loraAlpha: Double(adapter.settings.alpha),
            targetModules: adapter.targets.map { LoRAAdapter.moduleName(of: $0.base.name) },
            baseModelNameOrPath: baseModel, taskType: causalLanguageModel ? "CAUSAL_LM" : nil,
            fanInFanOut: adapter.targets.contains { $0.base.layout == .inputsByOutputs },
            bias: "none", loraDropout: 0, inferenceMode: true, initLoraWeights: true, useRslora: false, useDora: false,
            modulesToSave: nil, rankPattern: [:], alphaPattern: [:])
        try write(config, tensors: adapter.weights.entries.map { (keyPrefix + $0.name, $0) }, of: adapter.weights, to: folder)
    }

    /// Writes a prefix-tuning adapter as PEFT's PREFIX_TUNING: one tensor `prompt_embeddings`
    /// `[n × layers·2·width]`, sized by key/value heads as PEFT sizes it for grouped-query models.
    public static func write(_ adapter: PrefixAdapter, baseModel: String, to folder: URL) throws {
        try NewOutputFolder.create(folder)
        var config = Config(promptLearning: "PREFIX_TUNING", baseModel: baseModel, tokens: adapter.tokenCount)
        config.tokenDim = adapter.shape.width
        config.numAttentionHeads = adapter.shape.heads
        config.numLayers = adapter.shape.layers
        config.encoderHiddenSize = adapter.shape.width
        config.prefixProjection = false
        let flat = adapter.flattened()
        try write(config, tensors: [SafetensorsWriter.Tensor(
            name: PromptAdapter.tensorName, shape: [adapter.tokenCount, flat.count / adapter.tokenCount], floats: flat)],
            to: folder)
    }

    /// Writes a prompt-tuning adapter as PEFT's PROMPT_TUNING (key `prompt_embeddings`, no prefix).
    public static func write(_ adapter: PromptAdapter, baseModel: String, to folder: URL) throws {
        try NewOutputFolder.create(folder)
        var config = Config(promptLearning: "PROMPT_TUNING", baseModel: baseModel, tokens: adapter.tokenCount)
        config.tokenDim = adapter.embedding.shape[1]
        config.promptTuningInit = "RANDOM"
        try write(config, tensors: [(PromptAdapter.tensorName, adapter.weights.entries[0])], of: adapter.weights, to: folder)
    }

    private static func write(_ config: Config, tensors: [(String, ParameterEntry)], of arena: WeightArena, to folder: URL) throws {
        try write(config, tensors: tensors.map { name, entry in
            SafetensorsWriter.Tensor(name: name, shape: entry.shape, borrowing: UnsafeBufferPointer(arena.values(entry)))
        }, to: folder)
    }

    private static func write(_ config: Config, tensors stored: [SafetensorsWriter.Tensor], to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try SafetensorsWriter().write(stored, metadata: ["format": "pt"], to: folder.appendingPathComponent(weightsFile))
        try AtomicFile.write(try encoder.encode(config), to: folder.appendingPathComponent(configFile))
    }

    /// Reads the PEFT adapter in `folder` (LORA, PROMPT_TUNING or PREFIX_TUNING) for `model` (not attached).
    public static func read(_ folder: URL, for model: LanguageModel) throws -> any Adapter {
        let path = folder.path
        let configURL = folder.appendingPathComponent(configFile)
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw AdapterError.mismatch(path: path, reason: "\(configFile) is missing")
        }
        let config: Config
        do {
            config = try JSONDecoder().decode(Config.self, from: data)
        } catch {
            throw AdapterError.mismatch(path: path, reason: "\(configFile) is not a PEFT adapter configuration (\((error as? DecodingError).map(ConfigFile.reason) ?? "unreadable JSON"))")
        }
        try config.checkSupported(path: path)
        let base = model.weights
        let weightsURL = folder.appendingPathComponent(weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            let pickled = FileManager.default.fileExists(atPath: folder.appendingPathComponent("adapter_model.bin").path)
            throw AdapterError.mismatch(
                path: path, reason: pickled ? "it holds adapter_model.bin; save it with safe_serialization=True (safetensors)"
                    : "\(weightsFile) is missing")
        }
        let file = try SafetensorsFile(path: weightsURL.path)
        if config.peftType == "PROMPT_TUNING" {
            guard file.tensors.count == 1, let tensor = file.tensor(named: PromptAdapter.tensorName) else {
                throw AdapterError.mismatch(path: path, reason: "a PROMPT_TUNING adapter holds one tensor, \(PromptAdapter.tensorName)")
            }
            if let count = config.numVirtualTokens, count != tensor.shape.first {
                throw AdapterError.mismatch(path: path, reason: "num_virtual_tokens is \(count) but \(PromptAdapter.tensorName) has \(tensor.shape.first ?? 0) rows")
            }
            return try PromptAdapter(loading: tensor, for: model, source: path)
        }
        if config.peftType == "PREFIX_TUNING" {
            guard file.tensors.count == 1, let tensor = file.tensor(named: PromptAdapter.tensorName) else {
                throw AdapterError.mismatch(path: path, reason: "a PREFIX_TUNING adapter holds one tensor, \(PromptAdapter.tensorName)")
            }
            if let count = config.numVirtualTokens, count != tensor.shape.first {
                throw AdapterError.mismatch(path: path, reason: "num_virtual_tokens is \(count) but \(PromptAdapter.tensorName) has \(tensor.shape.first ?? 0) rows")
            }
            let adapter = try PrefixAdapter(loadingFlattened: tensor, for: model, source: path)
            if let layers = config.numLayers, layers != adapter.shape.layers {
                throw AdapterError.mismatch(path: path, reason: "num_layers is \(layers) but this model has \(adapter.shape.layers)")
            }
            if let width = config.tokenDim, width != adapter.shape.width {
                throw AdapterError.mismatch(path: path, reason: "token_dim is \(width) but this model's keys and values are \(adapter.shape.width) wide")
            }
            return adapter
        }
        var tensors: [String: StoredTensor] = [:]
        for tensor in file.tensors {
            guard tensor.name.hasPrefix(keyPrefix) else {
                throw AdapterError.mismatch(path: path, reason: "its tensor \(tensor.name) does not start with \(keyPrefix)")
            }
            tensors[String(tensor.name.dropFirst(keyPrefix.count))] = tensor
        }
        let adapter = try LoRAAdapter(loading: tensors, alpha: Float(config.loraAlpha ?? 8), onto: base, source: path)
        if let r = config.r, r != adapter.settings.rank {
            throw AdapterError.mismatch(path: path, reason: "its config says r = \(r) but its tensors have rank \(adapter.settings.rank)")
        }
        return adapter
    }

    /// The keys of PEFT's `LoraConfig` ZOTune writes or must check when reading.
    struct Config: Codable {
        var peftType: String
        var r: Int?
        var loraAlpha: Double?
        var targetModules: [String]?
        var baseModelNameOrPath: String?
        var taskType: String?
        var fanInFanOut: Bool?
        var bias: String?
        var loraDropout: Double?
        var inferenceMode: Bool?
        var initLoraWeights: Bool?
        var useRslora: Bool?
        var useDora: Bool?
        var modulesToSave: [String]?
        var rankPattern: [String: Double]?
        var alphaPattern: [String: Double]?
        var loraBias: Bool?
        var targetParameters: [String]?
        var useQalora: Bool?
        // Options that change the forward when set (any non-null value).
        var aloraInvocationTokens: AnyValue?
        var layerReplication: AnyValue?
        var arrowConfig: AnyValue?
        var useBdlora: AnyValue?
        var trainableTokenIndices: AnyValue?
        // Prompt tuning.
        var numVirtualTokens: Int?
        var tokenDim: Int?
        var numTransformerSubmodules: Int?
        var promptTuningInit: String?
        // Prefix tuning.
        var numAttentionHeads: Int?
        var numLayers: Int?
        var encoderHiddenSize: Int?
        var prefixProjection: Bool?

        /// What a decoder's prompt-learning adapter (prompt or prefix tuning) of `tokens` virtual tokens
        /// records whatever its type.
        init(promptLearning peftType: String, baseModel: String, tokens: Int) {
            (self.peftType, self.baseModelNameOrPath, self.taskType) = (peftType, baseModel, "CAUSAL_LM")
            (numVirtualTokens, numTransformerSubmodules, inferenceMode) = (tokens, 1, true)
        }

        init(peftType: String, r: Int, loraAlpha: Double, targetModules: [String], baseModelNameOrPath: String,
             taskType: String?, fanInFanOut: Bool, bias: String, loraDropout: Double, inferenceMode: Bool,
             initLoraWeights: Bool, useRslora: Bool, useDora: Bool, modulesToSave: [String]?,
             rankPattern: [String: Double], alphaPattern: [String: Double]) {
            (self.peftType, self.r, self.loraAlpha, self.targetModules, self.baseModelNameOrPath, self.taskType) =
                (peftType, r, loraAlpha, targetModules, baseModelNameOrPath, taskType)
            (self.fanInFanOut, self.bias, self.loraDropout, self.inferenceMode, self.initLoraWeights) =
                (fanInFanOut, bias, loraDropout, inferenceMode, initLoraWeights)
            (self.useRslora, self.useDora, self.modulesToSave, self.rankPattern, self.alphaPattern) =
                (useRslora, useDora, modulesToSave, rankPattern, alphaPattern)
        }

        enum CodingKeys: String, CodingKey {
            case peftType = "peft_type", r, loraAlpha = "lora_alpha", targetModules = "target_modules"
            case baseModelNameOrPath = "base_model_name_or_path", taskType = "task_type", fanInFanOut = "fan_in_fan_out"
            case bias, loraDropout = "lora_dropout", inferenceMode = "inference_mode", initLoraWeights = "init_lora_weights"
            case useRslora = "use_rslora", useDora = "use_dora", modulesToSave = "modules_to_save"
            case rankPattern = "rank_pattern", alphaPattern = "alpha_pattern", loraBias = "lora_bias"
            case targetParameters = "target_parameters", useQalora = "use_qalora"
            case aloraInvocationTokens = "alora_invocation_tokens", layerReplication = "layer_replication"
            case arrowConfig = "arrow_config", useBdlora = "use_bdlora", trainableTokenIndices = "trainable_token_indices"
            case numVirtualTokens = "num_virtual_tokens", tokenDim = "token_dim"
            case numTransformerSubmodules = "num_transformer_submodules", promptTuningInit = "prompt_tuning_init"
            case numAttentionHeads = "num_attention_heads", numLayers = "num_layers"
            case encoderHiddenSize = "encoder_hidden_size", prefixProjection = "prefix_projection"
        }

        /// Any JSON value, unread: decoded only to tell a set option from a null or missing one.
        struct AnyValue: Codable {
            init(from decoder: Decoder) throws {}
            func encode(to encoder: Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            }
        }

        /// Refuses what would change the forward in ways ZOTune does not implement.
        func checkSupported(path: String) throws {
            if peftType == "PROMPT_TUNING" || peftType == "PREFIX_TUNING" {
                // A prefix saved with `prefix_projection` holds the projected rows all the same.
                if let modules = numTransformerSubmodules, modules != 1 {
                    throw AdapterError.unsupported(path: path, option: "num_transformer_submodules \(modules) (encoder-decoder prompts)")
                }
                return
            }
            guard peftType == "LORA" else {
                throw AdapterError.unsupported(
                    path: path, option: "peft_type \(peftType) (ZOTune reads LORA, PROMPT_TUNING and PREFIX_TUNING adapters)")
            }
            let refused: [(Bool, String)] = [
                (useDora == true, "use_dora (DoRA)"),
                (useRslora == true, "use_rslora (rank-stabilised scaling)"),
                (!(rankPattern ?? [:]).isEmpty, "rank_pattern (per-module ranks)"),
                (!(alphaPattern ?? [:]).isEmpty, "alpha_pattern (per-module alphas)"),
                (bias.map { $0 != "none" } ?? false, "bias \"\(bias ?? "")\" (trained biases)"),
                (loraBias == true, "lora_bias"),
                (!(modulesToSave ?? []).isEmpty, "modules_to_save (\((modulesToSave ?? []).joined(separator: ", ")))"),
                (!(targetParameters ?? []).isEmpty, "target_parameters"),
                (useQalora == true, "use_qalora"),
                (aloraInvocationTokens != nil, "alora_invocation_tokens (activated LoRA)"),
                (layerReplication != nil, "layer_replication"),
                (arrowConfig != nil, "arrow_config"),
                (useBdlora != nil, "use_bdlora"),
                (trainableTokenIndices != nil, "trainable_token_indices"),
            ]
            if let (_, option) = refused.first(where: \.0) { throw AdapterError.unsupported(path: path, option: option) }
        }
    }
}
