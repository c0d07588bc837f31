import ZOFormats

/// Building the tokenizer a GGUF file carries in its `tokenizer.ggml.*` metadata: byte-level BPE
/// ("gpt2"), BERT's WordPiece ("bert") or SentencePiece BPE ("llama": LLaMA-1/2, TinyLlama, Mistral),
/// as llama.cpp reads it.
extension TokenizerLoader {
    /// Tokenizer model types ZOTune implements (GGUF `tokenizer.ggml.model`).
    static let supportedGGUFModels = ["gpt2", "bert", "llama"]

    public static func load(gguf: GGUFFile) throws -> any TextTokenizer {
        let metadata = gguf.metadata
        guard let kind = metadata["tokenizer.ggml.model"]?.string else { throw TokenizerError.noGGUFTokenizer(source: gguf.path) }
        guard supportedGGUFModels.contains(kind) else {
            throw TokenizerError.unsupportedGGUFModel(kind, source: gguf.path)
        }
        guard let tokens = metadata["tokenizer.ggml.tokens"]?.strings, !tokens.isEmpty else {
            throw TokenizerError.noGGUFTokenizer(source: gguf.path)
        }
        let types = try tokenTypes(metadata, count: tokens.count, source: gguf.path)
        if kind == "bert" {
            func id(_ key: String) -> Int? { metadata["tokenizer.ggml.\(key)_token_id"]?.int }
            // gguf spells the separator key "seperator"; its SpecialVocab records [CLS] / [SEP] as bos /
            // eos too, and gguf 0.19 writes no cls key at all.
            return try WordPieceTokenizer(ggufTokens: tokens, tokenTypes: types, recorded: SpecialTokenIDs(
                cls: id("cls") ?? id("bos"), sep: id("seperator") ?? id("eos"), mask: id("mask"), pad: id("padding"),
                unknown: id("unknown")))
        }
        if kind == "llama" {
            return try SentencePieceBPETokenizer(
                ggufTokens: tokens, scores: try scores(metadata, count: tokens.count, source: gguf.path),
                tokenTypes: types, settings: try sentencePieceSettings(metadata, source: gguf.path))
        }
        guard let merges = metadata["tokenizer.ggml.merges"]?.strings else { throw TokenizerError.noGGUFTokenizer(source: gguf.path) }
        // The same special-token keys as a "llama" vocabulary, but nothing added unless the file says so
        // (SmolLM2, Qwen2: add_bos_token false or absent; Llama-3: true, its <|begin_of_text|>).
        var start = SentencePieceBPETokenizer.GGUFSettings()
        (start.bosID, start.eosID, start.addBOS) = (nil, nil, false)
        let settings = try sentencePieceSettings(metadata, source: gguf.path, start: start)
        return try ByteLevelBPETokenizer(
            vocabulary: tokens, merges: merges, tokenTypes: types, preTokenizer: metadata["tokenizer.ggml.pre"]?.string,
            prefix: settings.addBOS ? settings.bosID.map { [$0] } ?? [] : [],
            suffix: settings.addEOS ? settings.eosID.map { [$0] } ?? [] : [])
    }

    /// Fails early, before a model's weights are decoded, when the file's tokenizer type is unknown.
    public static func checkSupported(gguf: GGUFFile) throws {
        if let kind = gguf.metadata["tokenizer.ggml.model"]?.string, !supportedGGUFModels.contains(kind) {
            throw TokenizerError.unsupportedGGUFModel(kind, source: gguf.path)
        }
    }

    /// llama.cpp's "llama" settings, each key overriding its default (`start`).
    private static func sentencePieceSettings(
        _ metadata: [String: GGUFValue], source: String, start: SentencePieceBPETokenizer.GGUFSettings = .init()
    ) throws -> SentencePieceBPETokenizer.GGUFSettings {
        var settings = start
        func id(_ key: String, _ value: inout Int?) throws {
            guard let entry = metadata["tokenizer.ggml.\(key)"] else { return }
            guard let id = entry.int else { throw TokenizerError.invalidGGUFMetadata("tokenizer.ggml.\(key)", expected: "an integer", source: source) }
            value = id
        }
        func flag(_ key: String, _ value: inout Bool) throws {
            guard let entry = metadata["tokenizer.ggml.\(key)"] else { return }
            guard let flag = entry.bool else { throw TokenizerError.invalidGGUFMetadata("tokenizer.ggml.\(key)", expected: "a boolean", source: source) }
            value = flag
        }
        try id("bos_token_id", &settings.bosID)
        try id("eos_token_id", &settings.eosID)
        try id("unknown_token_id", &settings.unknownID)
        try id("padding_token_id", &settings.paddingID)
        try flag("add_bos_token", &settings.addBOS)
        try flag("add_eos_token", &settings.addEOS)
        try flag("add_space_prefix", &settings.addSpacePrefix)
        return settings
    }

    /// `tokenizer.ggml.token_type`: one 32-bit integer per token (llama.cpp's int32 array; a wider
    /// value, which a file may write as int64, is refused rather than cut), or nil when absent.
    private static func tokenTypes(_ metadata: [String: GGUFValue], count: Int, source: String) throws -> [Int32]? {
        let key = "tokenizer.ggml.token_type"
        guard let entry = metadata[key] else { return nil }
        guard let values = entry.array?.map({ $0.int.flatMap { Int32(exactly: $0) } }), values.count == count,
              !values.contains(nil)
        else {
            throw TokenizerError.invalidGGUFMetadata(key, expected: "\(count) 32-bit integers, one per token", source: source)
        }
        return values.map { $0! }
    }

    /// `tokenizer.ggml.scores`: one number per token, or nil when absent.
    private static func scores(_ metadata: [String: GGUFValue], count: Int, source: String) throws -> [Float]? {
        let key = "tokenizer.ggml.scores"
        guard let entry = metadata[key] else { return nil }
        guard let values = entry.array?.map(\.double), values.count == count, !values.contains(nil) else {
            throw TokenizerError.invalidGGUFMetadata(key, expected: "\(count) numbers, one per token", source: source)
        }
        return values.map { Float($0!) }
    }
}
