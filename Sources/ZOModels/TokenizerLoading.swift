import Foundation
import ZOFormats
import ZOTokenizers

/// Builds the tokenizer that ships with a model: from GGUF `tokenizer.ggml.*` metadata, or from
/// the files of a Hugging Face folder (`tokenizer.json`, else the slow tokenizer files).
public enum TokenizerLoading {
    /// Tokenizer model types ZOTune implements (GGUF `tokenizer.ggml.model`): byte-level BPE and
    /// BERT's WordPiece.
    static let supportedGGUFModels = ["gpt2", "bert"]

    public static func tokenizer(gguf: GGUFFile) throws -> any TextTokenizer {
        let metadata = gguf.metadata
        guard let kind = metadata["tokenizer.ggml.model"]?.string else {
            throw ModelError.noTokenizer(model: gguf.path)
        }
        guard supportedGGUFModels.contains(kind) else {
            throw TokenizerLoadingError.unsupportedType(kind, source: gguf.path)
        }
        guard let tokens = metadata["tokenizer.ggml.tokens"]?.strings, !tokens.isEmpty else {
            throw ModelError.noTokenizer(model: gguf.path)
        }
        let types = metadata["tokenizer.ggml.token_type"]?.ints?.map { Int32($0) }
        if kind == "bert" {
            func id(_ key: String) -> Int? { metadata["tokenizer.ggml.\(key)_token_id"]?.int }
            // gguf spells the separator key "seperator"; its SpecialVocab records [CLS] / [SEP] as bos /
            // eos too, and gguf 0.19 writes no cls key at all.
            return try WordPieceTokenizer(ggufTokens: tokens, tokenTypes: types, recorded: SpecialTokenIDs(
                cls: id("cls") ?? id("bos"), sep: id("seperator") ?? id("eos"), mask: id("mask"), pad: id("padding"),
                unknown: id("unknown")))
        }
        guard let merges = metadata["tokenizer.ggml.merges"]?.strings else { throw ModelError.noTokenizer(model: gguf.path) }
        return try ByteLevelBPETokenizer(
            vocabulary: tokens, merges: merges, tokenTypes: types, preTokenizer: metadata["tokenizer.ggml.pre"]?.string)
    }

    /// The folder's `tokenizer.json` (byte-level BPE or WordPiece as its `model.type` says), or without
    /// one the tokenizer transformers builds from its slow files (`vocab.json` + `merges.txt`, `vocab.txt`).
    public static func tokenizer(huggingFaceFolder folder: URL) throws -> any TextTokenizer {
        try TokenizerLoader.load(folder: folder)
    }

    /// Fails early, before weights are decoded, when the file's tokenizer type is unknown.
    static func checkSupported(_ gguf: GGUFFile) throws {
        if let kind = gguf.metadata["tokenizer.ggml.model"]?.string, !supportedGGUFModels.contains(kind) {
            throw TokenizerLoadingError.unsupportedType(kind, source: gguf.path)
        }
    }
}

/// Tokenizer problems found while loading a model.
public enum TokenizerLoadingError: Error, CustomStringConvertible {
    case unsupportedType(String, source: String)

    public var description: String {
        switch self {
        case let .unsupportedType(kind, source):
            return "unsupported tokenizer type \(kind) in \(source); supported: \(TokenizerLoading.supportedGGUFModels.joined(separator: ", "))"
        }
    }
}
