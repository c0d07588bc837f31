/// Building the WordPiece tokenizer of a BERT model from llama.cpp GGUF metadata
/// (`tokenizer.ggml.model` = "bert"), to give the ids HF `tokenizers` gives for the model's own
/// tokenizer.json.
///
/// llama.cpp's converter stores the vocabulary in "phantom space" form: control tokens (`[CLS]`,
/// `[UNK]`, …) as they are, a continuation piece `##ing` as `ing`, and every other piece `play` as
/// `▁play`. That is undone here, so ids, token strings and decoding are HF's.
///
/// The file records no normalizer options. llama.cpp always lowercases (without stripping accents);
/// here the BERT normalizer lowercases and strips accents, as HF's uncased `BertNormalizer`, unless
/// the vocabulary holds a piece with an uppercase letter (e.g. `A`, `##B`): such a piece could never
/// match lowercased text, so the model is a cased one (bert-base-cased: no lowercasing, no accent
/// stripping). Clean-up and CJK spacing are on (every BERT tokenizer has them), words are split by
/// `BertPreTokenizer`, and every encoding is `[CLS] … [SEP]` (`BertProcessing`).
extension WordPieceTokenizer {
    /// - `tokens`: `tokenizer.ggml.tokens` (phantom-space spelling; index = id)
    /// - `tokenTypes`: `tokenizer.ggml.token_type`; control (3) tokens become special added tokens,
    ///   user-defined (4) ones non-special added tokens
    /// - `recorded`: the ids the file names (`cls` from `cls_token_id` or `bos_token_id`, `sep` from
    ///   `seperator_token_id` or `eos_token_id`, `unknown`, `pad`, `mask`); a role the file does not
    ///   name falls back to the control token `[CLS]`, `[SEP]`, `[UNK]`, `[PAD]` or `[MASK]`.
    public init(ggufTokens tokens: [String], tokenTypes: [Int32]?, recorded: SpecialTokenIDs) throws {
        guard let tokenTypes else {
            throw TokenizerError.invalidVocabulary(
                "a BERT vocabulary needs tokenizer.ggml.token_type to tell control tokens from word pieces")
        }
        guard tokenTypes.count == tokens.count else {
            throw TokenizerError.invalidVocabulary("\(tokenTypes.count) token types for \(tokens.count) tokens")
        }
        var vocabulary: [(token: String, id: Int)] = []
        var addedTokens: [AddedToken] = []
        var controlIDs: [String: Int] = [:]
        var cased = false
        for (id, (token, type)) in zip(tokens, tokenTypes).enumerated() {
            switch GGUFTokenType(rawValue: type) {
            case .control?:
                vocabulary.append((token, id))
                addedTokens.append(AddedToken(
                    content: token, id: Int32(id), special: true, normalized: false, lstrip: false, rstrip: false,
                    singleWord: false))
                controlIDs[token] = controlIDs[token] ?? id
            case .userDefined?:
                let piece = Self.wordPiece(phantomSpaced: token)
                vocabulary.append((piece, id))
                addedTokens.append(AddedToken(
                    content: piece, id: Int32(id), special: false, normalized: true, lstrip: false, rstrip: false,
                    singleWord: false))
            default:
                let piece = Self.wordPiece(phantomSpaced: token)
                vocabulary.append((piece, id))
                cased = cased || piece.unicodeScalars.contains { $0.properties.changesWhenLowercased }
            }
        }
        func resolve(_ id: Int?, _ name: String) -> Int? {
            if let id, tokens.indices.contains(id) { return id }
            return controlIDs[name]
        }
        let special = SpecialTokenIDs(
            cls: resolve(recorded.cls, "[CLS]"), sep: resolve(recorded.sep, "[SEP]"), mask: resolve(recorded.mask, "[MASK]"),
            pad: resolve(recorded.pad, "[PAD]"), unknown: resolve(recorded.unknown, "[UNK]"))
        guard let cls = special.cls, let sep = special.sep, let unknown = special.unknown else {
            throw TokenizerError.invalidVocabulary(
                "a BERT vocabulary needs [CLS], [SEP] and [UNK] tokens (by tokenizer.ggml.*_token_id or by name)")
        }

        var definition = TokenizerDefinition(vocabulary: vocabulary, merges: [])
        definition.model = .wordPiece(continuingSubwordPrefix: "##", maxInputCharsPerWord: 100)
        definition.addedTokens = addedTokens
        definition.unknownToken = vocabulary[unknown].token
        definition.normalizer = Normalizer(steps: [.bert(BertNormalizerOptions(lowercase: !cased))])
        definition.preTokenizer = PreTokenizer(steps: [.words(.bert)])
        definition.postProcessor = PostProcessor(prefix: [cls], suffix: [sep], classifierID: cls, separatorID: sep)
        definition.decoder = .wordPiece(prefix: "##", cleanup: true)
        try self.init(definition: definition)
        specialTokenIDs = special
    }

    /// The HF spelling of a phantom-space vocabulary entry: `▁play` → `play`, `ing` → `##ing`.
    static func wordPiece(phantomSpaced token: String) -> String {
        // By scalar: `hasPrefix` compares characters, and "▁" + a combining mark is one character.
        token.unicodeScalars.first == "\u{2581}" ? String(token.unicodeScalars.dropFirst()) : "##" + token
    }
}
