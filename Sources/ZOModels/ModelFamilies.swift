import Foundation
import ZOFormats
import ZOTensor

/// One architecture family: how to build it from a Hugging Face folder or a GGUF file.
/// Each family lives in its own file under Families/ and is listed in `ModelFamilies.all`.
public protocol ModelFamily {
    /// HF `config.json` `model_type` values this family reads.
    static var modelTypes: [String] { get }
    /// GGUF `general.architecture` values this family reads (empty: HF folders only).
    static var ggufArchitectures: [String] { get }
    /// Builds the model from a folder's `config.json` and fills its weights (strictly: see
    /// `WeightLoading`).
    static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture
    /// Builds the model from GGUF metadata and tensors (`options` as for a folder).
    static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture
}

extension ModelFamily {
    public static var ggufArchitectures: [String] { [] }
    public static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        let architecture = gguf.metadata["general.architecture"]?.string ?? "(none)"
        throw ModelError.unsupportedArchitecture(name: "\(architecture) (GGUF)", supported: ModelFamilies.ggufArchitectures)
    }
}

/// A Hugging Face folder as read from disk: its `config.json` and the tensors of its weight files.
public struct HuggingFaceCheckpoint {
    /// The bytes of `config.json`, which the family decodes (`decodeConfig`).
    public let config: Data
    /// The file's `model_type`, which chose the family.
    public let modelType: String
    /// The `config.json` path (the source named in configuration errors).
    public let configPath: String
    public let tensors: [String: StoredTensor]
    /// The folder (the source named in weight errors).
    public let folder: String
    /// What the caller chose beyond the checkpoint (e.g. a new classifier's size).
    public let options: ModelLoadOptions

    /// Tensor names are taken as transformers reads them: early checkpoints ported from TensorFlow
    /// (bert-base-uncased among them, still today) name LayerNorm parameters `gamma` / `beta`, which
    /// transformers renames to `weight` / `bias` on load.
    init(config: Data, modelType: String, configPath: String, tensors: [String: StoredTensor], folder: String, options: ModelLoadOptions) throws {
        self.config = config
        self.modelType = modelType
        self.configPath = configPath
        self.folder = folder
        self.options = options
        var renamed: [String: StoredTensor] = [:]
        for (name, tensor) in tensors {
            let current = Self.currentName(name)
            guard renamed[current] == nil else { throw FormatError.duplicateTensor(name: current) }
            renamed[current] = tensor
        }
        self.tensors = renamed
    }

    /// `….LayerNorm.gamma` → `….LayerNorm.weight`, `….LayerNorm.beta` → `….LayerNorm.bias` (transformers'
    /// `_fix_state_dict_key_on_load`); other names unchanged.
    static func currentName(_ name: String) -> String {
        if name.hasSuffix("LayerNorm.gamma") { return String(name.dropLast("gamma".count)) + "weight" }
        if name.hasSuffix("LayerNorm.beta") { return String(name.dropLast("beta".count)) + "bias" }
        return name
    }
}

/// The registry of families, by `model_type` and GGUF architecture.
public enum ModelFamilies {
    public static let all: [ModelFamily.Type] = [
        LlamaFamily.self, Qwen2Family.self, OPTFamily.self, GPT2Family.self, BertFamily.self, RobertaFamily.self,
    ]

    public static var modelTypes: [String] { all.flatMap { $0.modelTypes }.sorted() }
    public static var ggufArchitectures: [String] { all.flatMap { $0.ggufArchitectures }.sorted() }

    static func family(modelType: String) throws -> ModelFamily.Type {
        guard let family = all.first(where: { $0.modelTypes.contains(modelType) }) else {
            throw ModelError.unsupportedArchitecture(name: modelType, supported: modelTypes)
        }
        return family
    }

    static func family(ggufArchitecture: String) throws -> ModelFamily.Type {
        guard let family = all.first(where: { $0.ggufArchitectures.contains(ggufArchitecture) }) else {
            throw ModelError.unsupportedArchitecture(name: ggufArchitecture, supported: ggufArchitectures)
        }
        return family
    }
}

/// The key of `config.json` that chooses the family.
struct ModelTypeField: Decodable {
    var modelType: String?

    enum CodingKeys: String, CodingKey { case modelType = "model_type" }
}

extension HuggingFaceCheckpoint {
    /// `config.json` decoded as `type` (see `ConfigFile`).
    func decodeConfig<T: Decodable>(_ type: T.Type) throws -> T {
        try ConfigFile.decode(type, from: config, source: configPath)
    }

    /// The tensors, with names as transformers' base-model class saves them (GPT2Model's `h.0.…`,
    /// OPTModel's `decoder.…`, as in the original GPT-2 and OPT uploads) given the prefix the
    /// causal-LM class adds (`transformer.`, `model.`), as transformers does when it loads them.
    /// Only names the arena expects are renamed; anything else is left for strict loading to report.
    func tensors(basePrefix: String, expectedBy expected: Set<String>) -> [String: StoredTensor] {
        var renamed: [String: StoredTensor] = [:]
        for (name, tensor) in tensors {
            let prefixed = basePrefix + name
            let rename = !expected.contains(name) && expected.contains(prefixed) && tensors[prefixed] == nil
            renamed[rename ? prefixed : name] = tensor
        }
        return renamed
    }
}
