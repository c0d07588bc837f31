import Foundation

/// Builds the right tokenizer for a Hugging Face `tokenizer.json` or folder, or a GGUF file's metadata
/// (`TokenizerLoader+GGUF`), so callers need not know its model.
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
        var definition = try TokenizerJSON.parse([UInt8](data))
        try applyClassPrefixSpace(&definition, folder: folder)
        return try tokenizer(for: definition)
    }

    /// transformers' GPT-2 and RoBERTa tokenizer classes (and their aliases: OPT, BART, ...) rebuild a
    /// plain `ByteLevel` pre-tokenizer with their own `add_prefix_space` — tokenizer_config.json's value,
    /// else false — whatever tokenizer.json says; other classes (`PreTrainedTokenizerFast`, Qwen2, ...)
    /// keep tokenizer.json's.
    static func applyClassPrefixSpace(_ definition: inout TokenizerDefinition, folder: URL) throws {
        guard definition.preTokenizerIsPlainByteLevel else { return }
        let options = try SlowTokenizerConfig.readObject(folder, "tokenizer_config.json")
        guard let kind = try SlowTokenizerFiles.tokenizerClass(folder: folder, options: options).0, kind != .bert else { return }
        let prefixSpace = try options?.bool("add_prefix_space", default: false) ?? false
        definition.preTokenizer.steps.removeAll { $0 == .prefixSpace }
        if prefixSpace { definition.preTokenizer.steps.insert(.prefixSpace, at: 0) }
    }
}
