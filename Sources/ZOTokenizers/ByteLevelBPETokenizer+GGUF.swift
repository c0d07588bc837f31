/// Building the tokenizer from llama.cpp GGUF metadata (`tokenizer.ggml.model` = "gpt2").
extension ByteLevelBPETokenizer {
    /// Builds the tokenizer from GGUF metadata:
    /// - `vocabulary`: `tokenizer.ggml.tokens` (byte-level spelling; index = id)
    /// - `merges`: `tokenizer.ggml.merges` (`"left right"`, rank order)
    /// - `tokenTypes`: `tokenizer.ggml.token_type`; control (3) tokens become special added tokens
    ///   and user-defined (4) tokens non-special added tokens, both matched inline in text
    /// - `preTokenizer`: `tokenizer.ggml.pre`
    ///
    /// Pre-tokenizer names are mapped only where the HF equivalent is known (llama.cpp
    /// `llama-vocab.cpp`): "smollm" = `\p{N}` isolated, then the GPT-2 split, i.e. HF
    /// Sequence[Digits(individual_digits), ByteLevel] (verified id-for-id on SmolLM2-135M);
    /// "gpt-2" = the GPT-2 split; "qwen2" = Qwen2's split with NFC, as its tokenizer.json; "llama-bpe"
    /// (Llama 3.x) = the Llama-3 split (digits in runs of up to 3). "default" and a missing name also get the GPT-2 split; note that
    /// llama.cpp's own DEFAULT BPE pre-tokenizer is a different regex list, so for such files this
    /// is a best guess at the original HF tokenizer, not a llama.cpp equivalent. Other names
    /// throw `TokenizerError.unsupportedPreTokenizer`.
    ///
    /// `prefix` / `suffix`: the ids `encode` puts around a text (`tokenizer.ggml.add_bos_token` /
    /// `add_eos_token` with their ids), as llama.cpp does; none by default.
    public init(
        vocabulary: [String], merges: [String], tokenTypes: [Int32]?, preTokenizer: String?,
        prefix: [Int] = [], suffix: [Int] = []
    ) throws {
        let pre: PreTokenizer
        switch preTokenizer {
        case "smollm": pre = .smolLM
        // Qwen2/Qwen2.5: HF's Sequence[Split(Llama-3 regex with single digits), ByteLevel(no regex)]
        // behind an NFC normalizer (verified against HF on the tiny split_qwen2 variant).
        case "qwen2": pre = .qwen2
        case "llama-bpe": pre = .llama3
        case nil, "gpt-2", "default": pre = .gpt2
        case let name?: throw TokenizerError.unsupportedPreTokenizer(name)
        }
        if let tokenTypes, tokenTypes.count != vocabulary.count {
            throw TokenizerError.invalidVocabulary("\(tokenTypes.count) token types for \(vocabulary.count) tokens")
        }

        var definition = TokenizerDefinition(
            vocabulary: vocabulary.enumerated().map { ($0.element, $0.offset) },
            merges: try merges.enumerated().map { try splitMerge($0.element, index: $0.offset) })
        definition.preTokenizer = pre
        definition.postProcessor = PostProcessor(prefix: prefix, suffix: suffix)
        if preTokenizer == "qwen2" { definition.normalizer = .nfc }
        if let tokenTypes {
            for (id, type) in tokenTypes.enumerated() {
                switch GGUFTokenType(rawValue: type) {
                case .control?:
                    definition.addedTokens.append(AddedToken(
                        content: vocabulary[id], id: Int32(id), special: true, normalized: false,
                        lstrip: false, rstrip: false, singleWord: false))
                case .userDefined?:
                    definition.addedTokens.append(AddedToken(
                        content: vocabulary[id], id: Int32(id), special: false, normalized: true,
                        lstrip: false, rstrip: false, singleWord: false))
                default:
                    break
                }
            }
        }
        try self.init(definition: definition)
    }
}
