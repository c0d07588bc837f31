import Foundation

/// Everything that can go wrong while building a tokenizer.
///
/// Loading is strict on purpose: a component we do not implement would silently change the ids, so
/// it is reported (with the JSON path that named it) rather than approximated.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The input is not valid JSON (`offset` is a byte offset into the input).
    case malformedJSON(offset: Int, reason: String)
    /// A field is missing or has the wrong JSON type.
    case invalidField(path: String, expected: String)
    /// A component `type` this implementation does not know, e.g. `"Metaspace"`.
    case unsupportedComponent(type: String, path: String)
    /// A known component with an option value that would change the ids and is not implemented.
    case unsupportedOption(path: String, value: String)
    /// A GGUF `tokenizer.ggml.pre` name without a verified mapping.
    case unsupportedPreTokenizer(String)
    /// A merge rule that cannot be parsed or names a token missing from the vocabulary.
    case invalidMerge(index: Int, merge: String, reason: String)
    /// The vocabulary itself is inconsistent (duplicate ids, mismatched array lengths, ...).
    case invalidVocabulary(String)
    /// A folder with neither tokenizer.json nor the slow files of a supported tokenizer class.
    case noTokenizerFiles(folder: String, lookedFor: [String])
    /// A folder whose tokenizer class (or model type) has no slow-file conversion, e.g. a SentencePiece model.
    case unsupportedTokenizerClass(name: String, folder: String, lookedFor: [String])
    /// A file the folder's tokenizer class needs is missing (`merges.txt` next to `vocab.json`, ...).
    case missingTokenizerFile(path: String, needs: String)
    /// A tokenizer file that cannot be read or parsed.
    case invalidFile(path: String, reason: String)
    /// A GGUF file without tokenizer metadata (its model type, tokens or, for byte-level BPE, merges).
    case noGGUFTokenizer(source: String)
    /// A GGUF `tokenizer.ggml.model` ZOTune does not implement.
    case unsupportedGGUFModel(String, source: String)
    /// A GGUF `tokenizer.ggml.*` key that holds the wrong kind of value.
    case invalidGGUFMetadata(String, expected: String, source: String)

    public var description: String {
        switch self {
        case let .malformedJSON(offset, reason):
            return "malformed tokenizer JSON at byte \(offset): \(reason)"
        case let .invalidField(path, expected):
            return "invalid tokenizer field at \(path): expected \(expected)"
        case let .unsupportedComponent(type, path):
            return "unsupported tokenizer component \"\(type)\" at \(path)"
        case let .unsupportedOption(path, value):
            return "unsupported tokenizer option \(path) = \(value)"
        case let .unsupportedPreTokenizer(name):
            return "unsupported pre-tokenizer \"\(name)\""
        case let .invalidMerge(index, merge, reason):
            return "invalid merge #\(index) \"\(merge)\": \(reason)"
        case let .invalidVocabulary(reason):
            return "invalid tokenizer vocabulary: \(reason)"
        case let .noTokenizerFiles(folder, lookedFor):
            return "no tokenizer in \(folder): looked for \(lookedFor.joined(separator: ", "))"
        case let .unsupportedTokenizerClass(name, folder, lookedFor):
            return "cannot build the \(name) tokenizer of \(folder) without tokenizer.json: only "
                + SlowTokenizerClass.supportedSummary + " are built from slow files (looked for "
                + lookedFor.joined(separator: ", ") + ")"
        case let .missingTokenizerFile(path, needs):
            return "\(path) is missing (\(needs) needs it)"
        case let .invalidFile(path, reason):
            return "invalid tokenizer file \(path): \(reason)"
        case let .noGGUFTokenizer(source):
            return "\(source) has no tokenizer (no GGUF tokenizer metadata)"
        case let .unsupportedGGUFModel(kind, source):
            return "unsupported tokenizer type \(kind) in \(source); supported: \(TokenizerLoader.supportedGGUFModels.joined(separator: ", "))"
        case let .invalidGGUFMetadata(key, expected, source):
            return "invalid tokenizer metadata \(key) in \(source): expected \(expected)"
        }
    }

    public var errorDescription: String? { description }
}
