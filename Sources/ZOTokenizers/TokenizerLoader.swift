import Foundation

/// Builds the right tokenizer for a HuggingFace `tokenizer.json`, so callers need not know its model.
public enum TokenizerLoader {
    /// Reads `model.type` and returns a `ByteLevelBPETokenizer` ("BPE", or no type, with a ByteLevel
    /// pre-tokenizer), a `SentencePieceBPETokenizer` ("BPE" without one: LLaMA-1/2, Mistral) or a
    /// `WordPieceTokenizer` ("WordPiece"). Any other model, or any component or option that is not
    /// implemented, throws `TokenizerError` naming its JSON path.
    public static func load(tokenizerJSON: Data) throws -> any TextTokenizer {
        try tokenizer(for: TokenizerJSON.parse([UInt8](tokenizerJSON)))
    }

    /// The tokenizer that runs `definition`, whichever files it was read from.
    static func tokenizer(for definition: TokenizerDefinition) throws -> any TextTokenizer {
        switch definition.model {
        case .bpe: return try ByteLevelBPETokenizer(definition: definition)
        case .sentencePieceBPE: return try SentencePieceBPETokenizer(definition: definition)
        case .wordPiece: return try WordPieceTokenizer(definition: definition)
        }
    }

    /// The tokenizer of a Hugging Face folder: its `tokenizer.json` when there is one (as transformers
    /// prefers it too), else the slow files (`SlowTokenizerFiles`). A folder with neither throws
    /// `TokenizerError.noTokenizerFiles`, naming every file looked for.
    public static func load(folder: URL) throws -> any TextTokenizer {
        let url = folder.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return try SlowTokenizerFiles.load(folder: folder) }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.invalidFile(path: url.path, reason: "cannot be read")
        }
        return try load(tokenizerJSON: data)
    }
}
