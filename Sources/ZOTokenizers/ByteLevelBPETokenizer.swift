import Foundation

/// A byte-level BPE tokenizer (GPT-2 family: GPT-2, SmolLM/SmolLM2, Llama 3-style vocabularies)
/// that reproduces HuggingFace `tokenizers` id for id.
///
/// Pipeline, as in HF: added tokens are cut out of the raw text first (non-normalized ones), the rest
/// is normalized, cut again on normalized added tokens, pre-tokenized (digits / GPT-2 split /
/// prefix space), and each piece's UTF-8 bytes are merged by the BPE model. Internally everything is
/// raw bytes; the byte-level alphabet (`Ġ` for space, ...) only appears in vocabulary strings.
///
/// Build it from a `tokenizer.json` or from GGUF metadata arrays. The value is immutable and
/// `Sendable`; `encode`/`decode` can be called from any thread.
public struct ByteLevelBPETokenizer: TextTokenizer {
    let model: BPEModel
    let pipeline: EncodingPipeline

    public var leadingSpecialTokens: [Int] { pipeline.postProcessor.prefix }
    public let tokenVocabulary: TokenVocabulary
    /// Bytes the decoder emits for each id (nil = id unknown).
    let bytesByID: [[UInt8]?]

    /// Special token roles: BOS is the first id a TemplateProcessing post-processor prepends;
    /// RobertaProcessing gives CLS/BOS (`<s>`) and SEP/EOS (`</s>`). Settable by loaders that know better.
    public var specialTokenIDs: SpecialTokenIDs
    /// Beginning-of-sequence token id, when known (GGUF `tokenizer.ggml.bos_token_id`, or the first
    /// token a TemplateProcessing post-processor prepends). Settable by loaders that know better.
    public var bosTokenID: Int? {
        get { specialTokenIDs.bos }
        set { specialTokenIDs.bos = newValue }
    }
    /// End-of-sequence token id, when known (GGUF `tokenizer.ggml.eos_token_id`). Settable.
    public var eosTokenID: Int? {
        get { specialTokenIDs.eos }
        set { specialTokenIDs.eos = newValue }
    }

    // MARK: - Building

    /// Builds the tokenizer from the contents of a HuggingFace `tokenizer.json`.
    ///
    /// Throws `TokenizerError` for malformed JSON, missing fields, a model other than BPE, and any
    /// component or option that would change the ids but is not implemented (the error names the JSON path).
    public init(tokenizerJSON: Data) throws {
        try self.init(definition: try TokenizerJSON.parse([UInt8](tokenizerJSON), expecting: .bpe, byteLevel: true))
    }

    init(definition: TokenizerDefinition) throws {
        switch definition.model {
        case .bpe: break
        case .sentencePieceBPE:
            throw TokenizerError.unsupportedOption(path: "pre_tokenizer", value: "no ByteLevel step (byte-level BPE requires one)")
        case .wordPiece:
            throw TokenizerError.unsupportedComponent(type: definition.model.typeName, path: "model.type")
        }
        let vocabulary = try TokenVocabulary(definition)
        let modelIDs = vocabulary.modelIDs
        // The HF ByteLevel decoder maps each token's characters back to bytes when all of them are
        // in the byte-level alphabet, and otherwise emits the token's own UTF-8.
        let bytesByID: [[UInt8]?] = vocabulary.tokenByID.map { token in
            guard let token else { return nil }
            return BytesToUnicode.decode(token) ?? Array(token.utf8)
        }

        var byteToID = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let spelling = Array(String(BytesToUnicode.characters[b]).utf8)
            if let id = modelIDs[spelling] { byteToID[b] = Int32(id) }
        }
        model = try BPEModel(definition, vocabulary: vocabulary, alphabet: .bytes(byteToID), rawBytes: BytesToUnicode.decode)

        pipeline = EncodingPipeline(definition)
        tokenVocabulary = vocabulary
        self.bytesByID = bytesByID
        specialTokenIDs = vocabulary.specialTokenIDs(definition)
    }

    // MARK: - Encoding

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        pipeline.encode(text, addSpecialTokens: addSpecialTokens, model: model)
    }

    // MARK: - Pre-tokenization (inspection)

    /// Runs only the pre-tokenizer on `text` (HF `pre_tokenizer.pre_tokenize_str`): no added-token
    /// matching, no normalization. Pieces are plain text, not byte-level spelling.
    public func preTokenize(_ text: String) -> [String] {
        Self.pieces(of: text, with: pipeline.preTokenizer)
    }

    /// The GPT-2 split alone (`'s|'t|...|\s+(?!\S)|\s+`), as plain-text pieces.
    public static func gpt2Split(_ text: String) -> [String] {
        pieces(of: text, with: .gpt2)
    }

    private static func pieces(of text: String, with preTokenizer: PreTokenizer) -> [String] {
        var pieces: [ArraySlice<UInt8>] = []
        preTokenizer.run(Array(text.utf8)[...], into: &pieces)
        return pieces.map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - Decoding

    /// Decodes ids like HF `Tokenizer.decode`: the bytes of all tokens are concatenated and invalid
    /// UTF-8 (e.g. half of a multi-byte character) becomes U+FFFD. Unknown ids are skipped;
    /// `skipSpecialTokens: true` drops special added tokens (HF `skip_special_tokens=True`).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where id >= 0 && id < bytesByID.count {
            guard let b = bytesByID[id] else { continue }
            if skipSpecialTokens && tokenVocabulary.isSpecial(id) { continue }
            bytes.append(contentsOf: b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
