/// Why a model could not be loaded or run. Each case reads as one sentence for the CLI.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case notFound(reference: String, known: [String])
    case missingFile(path: String, purpose: String)
    case unsupportedArchitecture(name: String, supported: [String])
    case invalidConfiguration(source: String, reason: String)
    /// Base products (`ModelLoadOptions.baseProducts`) this CPU or this base cannot take.
    case unsupportedBaseProducts(reason: String)
    case missingWeight(name: String, source: String)
    /// The configuration declares more layers than the file holds tensors for (`key` names the count).
    case missingLayers(key: String, declared: Int, present: Int, source: String)
    case unusedWeight(name: String, source: String)
    /// A weight holds NaN or ±∞ (element `index` is `value`).
    case nonFiniteWeight(name: String, index: Int, value: Float, source: String)
    case nonFiniteLogits
    case wrongShape(name: String, expected: [Int], actual: [Int])
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    case emptySequence(index: Int)
    case sequenceTooLong(length: Int, limit: Int)
    /// A file of a Hugging Face folder (its weights, config or tokenizer) passed instead of the folder.
    case fileInsideFolder(path: String, folder: String)

    public var description: String {
        switch self {
        case let .notFound(reference, known):
            return "no model at \(reference): pass a .gguf file, a Hugging Face folder, or one of \(known.joined(separator: ", "))"
        case let .missingFile(path, purpose):
            return "\(path) is missing (\(purpose))"
        case let .unsupportedArchitecture(name, supported):
            return "unsupported architecture \(name); supported: \(supported.joined(separator: ", "))"
        case let .invalidConfiguration(source, reason):
            return "invalid model configuration in \(source): \(reason)"
        case let .unsupportedBaseProducts(reason):
            return reason
        case let .missingWeight(name, source):
            return "weight \(name) is missing from \(source)"
        case let .missingLayers(key, declared, present, source):
            return "\(key) declares \(declared) layers but \(source) holds the weights of \(present)"
        case .nonFiniteLogits:
            return "the model's logits are not finite: its activations overflow fp32 (are its weights damaged?)"
        case let .nonFiniteWeight(name, index, value, source):
            return "weight \(name) in \(source) holds \(value) at element \(index); a checkpoint with NaN or infinite weights "
                + "(damaged, or saved from a diverged run) would give NaN logits"
        case let .unusedWeight(name, source):
            return "\(source) holds weight \(name), which this architecture does not use"
        case let .wrongShape(name, expected, actual):
            return "weight \(name) has shape \(actual) but the configuration needs \(expected)"
        case let .tokenOutOfRange(id, size):
            return "token id \(id) is outside the vocabulary (0..<\(size))"
        case let .emptySequence(index):
            return "sequence \(index) is empty; every sequence needs at least one token"
        case let .sequenceTooLong(length, limit):
            return "a sequence of \(length) tokens exceeds the model's context of \(limit) tokens"
        case let .fileInsideFolder(path, folder):
            return "\(path) is one file of a Hugging Face folder: pass the folder \(folder), which holds config.json, the weights and the tokenizer"
        }
    }
}
