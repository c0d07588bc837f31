/// What the rest of ZOTune needs from any tokenizer, whatever its model (byte-level BPE, SentencePiece BPE, WordPiece):
/// `TokenizerLoader.load(tokenizerJSON:)` returns one without the caller knowing which.
public protocol TextTokenizer: Sendable {
    /// The id <-> token tables (model vocabulary and added tokens).
    var tokenVocabulary: TokenVocabulary { get }
    /// The ids of the special tokens the tokenizer knows roles for.
    var specialTokenIDs: SpecialTokenIDs { get }
    /// The special tokens the post-processor puts before a text (LLaMA's `<s>`, OPT's `</s>`, BERT's
    /// `[CLS]`; none for GPT-2 or Qwen2): what a prompt built from pieces must start with.
    var leadingSpecialTokens: [Int] { get }
    /// Encodes `text` like HF `Tokenizer.encode`; `addSpecialTokens: false` skips the post-processor
    /// template (HF `add_special_tokens=False`). Special tokens written in the text are recognised either way.
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// Decodes like HF `Tokenizer.decode`; `skipSpecialTokens` drops special added tokens. Unknown ids are skipped.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
}

extension TextTokenizer {
    /// One past the largest token id (model vocabulary and added tokens); the embedding-table size.
    public var vocabularySize: Int { tokenVocabulary.size }

    /// The id of a token string: added-token content (`"<|im_end|>"`, `"[CLS]"`) or the model's spelling
    /// of a vocabulary token (byte-level `"Ġthe"` for BPE, `"##ing"` for WordPiece). Compared by exact
    /// scalars, not canonical equivalence.
    public func id(forToken token: String) -> Int? {
        tokenVocabulary.id(forToken: token)
    }

    /// The token string for an id (the model's spelling for vocabulary tokens).
    public func token(forID id: Int) -> String? {
        tokenVocabulary.token(forID: id)
    }

    /// Whether `id` is a special added token (chat markers, end-of-text, `[CLS]`, ...).
    public func isSpecialToken(_ id: Int) -> Bool {
        tokenVocabulary.isSpecial(id)
    }

    /// Encodes `text` like HF `Tokenizer.encode(text)`: special tokens in the text are recognised, and
    /// the post-processor's special tokens (BOS, `[CLS]` ... `[SEP]`) are added.
    public func encode(_ text: String) -> [Int] {
        encode(text, addSpecialTokens: true)
    }

    /// Decodes like HF `Tokenizer.decode(ids, skip_special_tokens=False)`.
    public func decode(_ ids: [Int]) -> String {
        decode(ids, skipSpecialTokens: false)
    }

    /// The tokens `continuation` adds after `context` when encoded together (no special tokens): the
    /// tail of the joint encoding when it starts with `context`'s own tokens, else `continuation`
    /// encoded alone. Not the same for SentencePiece tokenizers, which mark every text start with
    /// "▁": " great" alone is "▁" + "▁great", after "It was" just "▁great".
    public func encode(_ continuation: String, after context: String, contextTokens: [Int]) -> [Int] {
        let joint = encode(context + continuation, addSpecialTokens: false)
        if joint.count > contextTokens.count, joint.starts(with: contextTokens) {
            return Array(joint.dropFirst(contextTokens.count))
        }
        return encode(continuation, addSpecialTokens: false)
    }

    /// The text `ids` add after `context` (e.g. generated tokens after the prompt): the decode of both
    /// without the decode of `context`, or `decode(ids)` when that is not a prefix of it. Decoding the
    /// continuation alone is not the same for SentencePiece tokenizers, whose decoder strips the space
    /// the encoder put before the text: `▁Paris` alone decodes to "Paris", after a prompt to " Paris".
    public func decode(_ ids: [Int], after context: [Int]) -> String {
        guard !context.isEmpty else { return decode(ids) }
        let before = decode(context).unicodeScalars, all = decode(context + ids).unicodeScalars
        guard all.starts(with: before) else { return decode(ids) }
        var rest = String.UnicodeScalarView()
        rest.append(contentsOf: all.dropFirst(before.count))
        return String(rest)
    }
}

/// Ids of the special tokens with a role; nil when the tokenizer has none or its file does not say.
public struct SpecialTokenIDs: Sendable, Equatable {
    /// Beginning of sequence (decoder models: the first id a template prepends, or GGUF metadata).
    public var bos: Int?
    /// End of sequence.
    public var eos: Int?
    /// Classifier token (`[CLS]`, RoBERTa's `<s>`) that encoder models pool.
    public var cls: Int?
    /// Separator (`[SEP]`, RoBERTa's `</s>`).
    public var sep: Int?
    /// Masked-language-model mask (`[MASK]`, `<mask>`).
    public var mask: Int?
    /// Padding.
    public var pad: Int?
    /// Unknown token (the model's `unk_token`).
    public var unknown: Int?

    public init(bos: Int? = nil, eos: Int? = nil, cls: Int? = nil, sep: Int? = nil, mask: Int? = nil,
                pad: Int? = nil, unknown: Int? = nil) {
        self.bos = bos
        self.eos = eos
        self.cls = cls
        self.sep = sep
        self.mask = mask
        self.pad = pad
        self.unknown = unknown
    }
}
