import Foundation

/// How an encoder's classification head turns a sequence's last hidden states into the one vector
/// it classifies. Sentence-embedding models (all-MiniLM-L6-v2, BGE, …) were trained to be read one
/// way, which their checkpoint states: sentence-transformers' Pooling module, or llama.cpp's
/// `<arch>.pooling_type`.
public enum EncoderPooling: String, Sendable, Equatable {
    /// BERT's pooler, tanh(dense([CLS])), as `BertForSequenceClassification` reads it; needs the
    /// checkpoint's `pooler.dense` weights.
    case pooler
    /// The mean of every token's hidden state, [CLS] and [SEP] included (sentence-transformers'
    /// `pooling_mode_mean_tokens` over the attention mask; llama.cpp's pooling type 1). Batches are
    /// packed without padding, so the mean is over the sequence's own tokens.
    case mean
    /// The first token's ([CLS]) hidden state as it is (`pooling_mode_cls_token`; pooling type 2).
    case cls

    /// How `inspect` describes what the classifier reads.
    var summary: String {
        switch self {
        case .pooler: return "the pooler's tanh(dense([CLS]))"
        case .mean: return "the mean of the token hidden states"
        case .cls: return "the [CLS] hidden state"
        }
    }
}

extension EncoderPooling {
    /// The pooling a sentence-transformers folder declares: the `sentence_transformers.models.Pooling`
    /// module named in `modules.json` (as llama.cpp's converter finds it), or `1_Pooling/` when there
    /// is no `modules.json`; nil for a plain transformers folder. Exactly one of mean and cls must be
    /// on: other modes (max, weighted mean, last token, several concatenated) are errors, not
    /// approximations. `include_prompt` only matters for prompted models and is not read.
    /// - Returns: the pooling and the file that chose it.
    static func sentenceTransformers(folder: URL) throws -> (pooling: EncoderPooling, source: String)? {
        let manager = FileManager.default
        let modulesURL = folder.appendingPathComponent("modules.json")
        var poolingFolder: String?
        if let data = manager.contents(atPath: modulesURL.path) {
            guard let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
                throw ModelError.invalidConfiguration(source: modulesURL.path, reason: "it is not a JSON list of modules")
            }
            poolingFolder = modules.first { $0["type"] as? String == "sentence_transformers.models.Pooling" }
                .map { $0["path"] as? String ?? "" }
        } else if manager.fileExists(atPath: folder.appendingPathComponent("1_Pooling/config.json").path) {
            poolingFolder = "1_Pooling"
        }
        guard let poolingFolder else { return nil }
        let configURL = folder.appendingPathComponent(poolingFolder).appendingPathComponent("config.json")
        guard let data = manager.contents(atPath: configURL.path) else {
            throw ModelError.missingFile(path: configURL.path, purpose: "the sentence-transformers pooling configuration")
        }
        let config = try ConfigFile.decode([String: ConfigValue].self, from: data, source: configURL.path)
        let modes = config.keys.filter {
            guard $0.hasPrefix("pooling_mode_"), case .bool(true)? = config[$0] else { return false }
            return true
        }.sorted()
        let relative = poolingFolder.isEmpty ? "config.json" : "\(poolingFolder)/config.json"
        switch modes {
        case ["pooling_mode_mean_tokens"]: return (.mean, relative)
        case ["pooling_mode_cls_token"]: return (.cls, relative)
        default:
            let named = modes.isEmpty ? "no pooling mode" : modes.joined(separator: " + ")
            throw ModelError.invalidConfiguration(
                source: configURL.path, reason: "\(named) is not supported (only pooling_mode_mean_tokens or pooling_mode_cls_token alone)")
        }
    }

    /// llama.cpp's `<arch>.pooling_type` (1 mean, 2 cls); absent or 0 (none) is nil: the file has no
    /// pooler, so the caller reads [CLS]. Last-token (3) and rank (4) pooling are errors.
    static func gguf(poolingType: Int?, metadata: GGUFMetadataReader) throws -> EncoderPooling? {
        switch poolingType {
        case nil, 0?: return nil
        case 1?: return .mean
        case 2?: return .cls
        case let other?:
            throw metadata.fail("\(metadata.architecture).pooling_type \(other) is not supported (1 mean, 2 cls)")
        }
    }
}
