/// Building the tokenizer from llama.cpp GGUF metadata (`tokenizer.ggml.model` = "llama").
extension SentencePieceBPETokenizer {
    /// The GGUF keys besides the token arrays, with llama.cpp's defaults for a "llama" vocabulary.
    public struct GGUFSettings: Sendable, Equatable {
        /// `tokenizer.ggml.bos_token_id` (default 1).
        public var bosID: Int? = 1
        /// `tokenizer.ggml.eos_token_id` (default 2).
        public var eosID: Int? = 2
        /// `tokenizer.ggml.unknown_token_id` (default 0).
        public var unknownID: Int? = 0
        /// `tokenizer.ggml.padding_token_id` (default none).
        public var paddingID: Int? = nil
        /// `tokenizer.ggml.add_bos_token` (default true).
        public var addBOS = true
        /// `tokenizer.ggml.add_eos_token` (default false).
        public var addEOS = false
        /// `tokenizer.ggml.add_space_prefix` (default true): a `▁` before the text, and after every special
        /// token (llama.cpp prefixes every text fragment that follows a token or starts the text).
        public var addSpacePrefix = true

        public init() {}
    }

    /// Builds the tokenizer from GGUF metadata, tokenizing as llama.cpp's SPM tokenizer does:
    /// - `tokens`: `tokenizer.ggml.tokens` (index = id; `▁` for spaces, `<0xXX>` byte tokens)
    /// - `scores`: `tokenizer.ggml.scores` (all 0 when absent, as in llama.cpp)
    /// - `tokenTypes`: `tokenizer.ggml.token_type`; control (3) and unknown (2) tokens become special
    ///   tokens and user-defined (4) ones plain added tokens, all matched in the raw text before anything
    ///   else, as llama.cpp does with special-token parsing on.
    ///
    /// Each text fragment gets a leading space (`addSpacePrefix`), then every U+0020 becomes `▁`, then
    /// the scores merge it (`SentencePieceScoreModel`); `encode` adds BOS (and EOS) as the settings say.
    /// Decoding is HF's for the equivalent tokenizer.json (Replace, ByteFallback, Fuse, Strip).
    ///
    /// Special tokens are matched as in HF (leftmost, then longest); llama.cpp instead cuts the text at
    /// every occurrence of the longest token first, which differs only when special tokens overlap.
    /// Empty token strings are renamed `[EMPTY_<id>]` and duplicates rejected, as llama.cpp does.
    public init(ggufTokens tokens: [String], scores: [Float]?, tokenTypes: [Int32]?, settings: GGUFSettings) throws {
        guard !tokens.isEmpty else { throw TokenizerError.invalidVocabulary("no tokens") }
        if let tokenTypes, tokenTypes.count != tokens.count {
            throw TokenizerError.invalidVocabulary("\(tokenTypes.count) token types for \(tokens.count) tokens")
        }
        if let scores, scores.count != tokens.count {
            throw TokenizerError.invalidVocabulary("\(scores.count) scores for \(tokens.count) tokens")
        }
        for (key, id) in [("bos", settings.bosID), ("eos", settings.eosID), ("unknown", settings.unknownID),
                          ("padding", settings.paddingID)] {
            if let id, !(0..<tokens.count).contains(id) {
                throw TokenizerError.invalidVocabulary("\(key) token id \(id) is outside the \(tokens.count) tokens")
            }
        }
        let tokens = tokens.enumerated().map { $0.element.isEmpty ? "[EMPTY_\($0.offset)]" : $0.element }
        let scoreModel = try SentencePieceScoreModel(
            tokens: tokens, scores: scores ?? [Float](repeating: 0, count: tokens.count), unknownID: settings.unknownID)

        let space: [Unicode.Scalar] = [" "], metaspace: [Unicode.Scalar] = ["\u{2581}"]
        var definition = TokenizerDefinition(vocabulary: tokens.enumerated().map { ($0.element, $0.offset) }, merges: [])
        definition.model = .sentencePieceBPE
        definition.normalizer = Normalizer(
            steps: (settings.addSpacePrefix ? [.prepend(metaspace)] : []) + [.replace(pattern: space, content: metaspace)])
        definition.preTokenizer = PreTokenizer(steps: [])
        definition.decoder = .pieces(
            [.replace(pattern: metaspace, content: space), .byteFallback, .fuse]
                + (settings.addSpacePrefix ? [.strip(content: " ", start: 1, stop: 0)] : []))
        var prefix: [Int] = [], suffix: [Int] = []
        if settings.addBOS, let bos = settings.bosID { prefix = [bos] }
        if settings.addEOS, let eos = settings.eosID { suffix = [eos] }
        definition.postProcessor = PostProcessor(prefix: prefix, suffix: suffix)
        for (id, type) in (tokenTypes ?? []).enumerated() {
            let special: Bool
            switch GGUFTokenType(rawValue: type) {
            case .control?, .unknown?: special = true
            case .userDefined?: special = false
            default: continue
            }
            definition.addedTokens.append(AddedToken(
                content: tokens[id], id: Int32(id), special: special, normalized: false,
                lstrip: false, rstrip: false, singleWord: false))
        }

        let vocabulary = try TokenVocabulary(definition)
        try self.init(definition, vocabulary: vocabulary, model: .scores(scoreModel))
        specialTokenIDs.bos = settings.bosID
        specialTokenIDs.eos = settings.eosID
        specialTokenIDs.unknown = settings.unknownID
        specialTokenIDs.pad = settings.paddingID
    }
}
