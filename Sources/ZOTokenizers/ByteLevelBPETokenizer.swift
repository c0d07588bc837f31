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
public struct ByteLevelBPETokenizer: Sendable {
    let model: BPEModel
    let normalizer: Normalizer
    let preTokenizer: PreTokenizer
    let postProcessor: PostProcessor
    /// Added tokens matched on the raw input (HF `normalized: false`, e.g. special tokens).
    let rawSplitter: AddedTokenSplitter
    /// Added tokens matched after normalization (HF `normalized: true`).
    let normalizedSplitter: AddedTokenSplitter
    /// Token string by id (added-token content wins over the model vocabulary, as in HF).
    let tokenByID: [String?]
    /// Bytes the decoder emits for each id (nil = id unknown).
    let bytesByID: [[UInt8]?]
    let isSpecialByID: [Bool]
    /// UTF-8 of token string -> id, for added tokens and the model vocabulary.
    let addedIDs: [[UInt8]: Int]
    let modelIDs: [[UInt8]: Int]

    /// One past the largest token id (model vocabulary and added tokens); the embedding-table size.
    public let vocabularySize: Int
    /// Beginning-of-sequence token id, when known (GGUF `tokenizer.ggml.bos_token_id`, or the first
    /// token a TemplateProcessing post-processor prepends). Settable by loaders that know better.
    public var bosTokenID: Int?
    /// End-of-sequence token id, when known (GGUF `tokenizer.ggml.eos_token_id`). Settable.
    public var eosTokenID: Int?

    // MARK: - Building

    /// Builds the tokenizer from the contents of a HuggingFace `tokenizer.json`.
    ///
    /// Throws `TokenizerError` for malformed JSON, missing fields, and any component or option that
    /// would change the ids but is not implemented (the error names the JSON path).
    public init(tokenizerJSON: Data) throws {
        let definition = try TokenizerJSON.parse([UInt8](tokenizerJSON))
        try self.init(definition: definition)
        bosTokenID = postProcessor.prefix.first
    }

    init(definition: TokenizerDefinition) throws {
        // Model vocabulary.
        var maxID = -1
        var modelIDs: [[UInt8]: Int] = [:]
        modelIDs.reserveCapacity(definition.vocabulary.count)
        for entry in definition.vocabulary {
            modelIDs[Array(entry.token.utf8)] = entry.id
            maxID = max(maxID, entry.id)
        }
        for token in definition.addedTokens { maxID = max(maxID, Int(token.id)) }
        let size = maxID + 1
        guard size <= 4 * (definition.vocabulary.count + definition.addedTokens.count) + 1024 else {
            throw TokenizerError.invalidVocabulary("ids are too sparse (largest id \(maxID) for \(definition.vocabulary.count) tokens)")
        }

        var tokenByID = [String?](repeating: nil, count: size)
        for entry in definition.vocabulary { tokenByID[entry.id] = entry.token }
        var addedIDs: [[UInt8]: Int] = [:]
        var isSpecial = [Bool](repeating: false, count: size)
        for token in definition.addedTokens {
            tokenByID[Int(token.id)] = token.content
            addedIDs[Array(token.content.utf8)] = Int(token.id)
            if token.special { isSpecial[Int(token.id)] = true }
        }
        // The HF ByteLevel decoder maps each token's characters back to bytes when all of them are
        // in the byte-level alphabet, and otherwise emits the token's own UTF-8.
        let bytesByID: [[UInt8]?] = tokenByID.map { token in
            guard let token else { return nil }
            return BytesToUnicode.decode(token) ?? Array(token.utf8)
        }

        // Byte alphabet and merges.
        var byteToID = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let spelling = Array(String(BytesToUnicode.characters[b]).utf8)
            if let id = modelIDs[spelling] { byteToID[b] = Int32(id) }
        }
        var merges = MergeTable(capacity: definition.merges.count)
        for (rank, merge) in definition.merges.enumerated() {
            let left = Array(merge.left.utf8), right = Array(merge.right.utf8)
            guard let leftID = modelIDs[left] else {
                throw TokenizerError.invalidMerge(index: rank, merge: "\(merge.left) \(merge.right)", reason: "\"\(merge.left)\" is not in the vocabulary")
            }
            guard let rightID = modelIDs[right] else {
                throw TokenizerError.invalidMerge(index: rank, merge: "\(merge.left) \(merge.right)", reason: "\"\(merge.right)\" is not in the vocabulary")
            }
            guard let mergedID = modelIDs[left + right] else {
                throw TokenizerError.invalidMerge(index: rank, merge: "\(merge.left) \(merge.right)", reason: "\"\(merge.left)\(merge.right)\" is not in the vocabulary")
            }
            merges.set(left: Int32(leftID), right: Int32(rightID), rank: UInt32(rank), merged: Int32(mergedID))
        }
        var unknownID: Int32? = nil
        if let unk = definition.unknownToken {
            guard let id = modelIDs[Array(unk.utf8)] else {
                throw TokenizerError.invalidVocabulary("unk_token \"\(unk)\" is not in the vocabulary")
            }
            unknownID = Int32(id)
        }
        var wholeWordIDs: [[UInt8]: Int32] = [:]
        if definition.ignoreMerges {
            for entry in definition.vocabulary {
                if let bytes = BytesToUnicode.decode(entry.token), wholeWordIDs[bytes] == nil {
                    wholeWordIDs[bytes] = Int32(entry.id)
                }
            }
        }
        model = BPEModel(byteToID: byteToID, merges: merges, unknownID: unknownID, fuseUnknown: definition.fuseUnknown,
                         ignoreMerges: definition.ignoreMerges, wholeWordIDs: wholeWordIDs)

        // Added-token matchers: one on raw text, one on normalized text (patterns normalized too).
        var rules: [Int32: AddedTokenSplitter.Rules] = [:]
        var rawPatterns: [AddedTokenSplitter.Match] = []
        var normalizedPatterns: [AddedTokenSplitter.Match] = []
        for token in definition.addedTokens {
            rules[token.id] = AddedTokenSplitter.Rules(lstrip: token.lstrip, rstrip: token.rstrip, singleWord: token.singleWord)
            if token.normalized {
                normalizedPatterns.append(.init(bytes: Array(definition.normalizer.apply(token.content).utf8), id: token.id))
            } else {
                rawPatterns.append(.init(bytes: Array(token.content.utf8), id: token.id))
            }
        }
        rawSplitter = AddedTokenSplitter(patterns: rawPatterns, rules: rules)
        normalizedSplitter = AddedTokenSplitter(patterns: normalizedPatterns, rules: rules)

        normalizer = definition.normalizer
        preTokenizer = definition.preTokenizer
        postProcessor = definition.postProcessor
        self.tokenByID = tokenByID
        self.bytesByID = bytesByID
        self.isSpecialByID = isSpecial
        self.addedIDs = addedIDs
        self.modelIDs = modelIDs
        vocabularySize = size
    }

    // MARK: - Encoding

    /// Encodes `text` like HF `Tokenizer.encode(text)` (special tokens in the text are recognised,
    /// and the post-processor's special tokens, e.g. a BOS, are added).
    public func encode(_ text: String) -> [Int] {
        encode(text, addSpecialTokens: true)
    }

    /// Encodes `text`; `addSpecialTokens: false` skips the post-processor template (HF
    /// `add_special_tokens=False`). Special tokens written in the text are recognised either way.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 2 + 4)
        if addSpecialTokens { ids += postProcessor.prefix }
        var state = EncodeState()
        let bytes = Array(text.utf8)
        let segments = bytes.withUnsafeBufferPointer { rawSplitter.split($0, 0..<$0.count) }
        for segment in segments {
            switch segment {
            case let .token(id):
                ids.append(Int(id))
            case let .text(range):
                if normalizer == .none {
                    encodeNormalized(bytes, range, into: &ids, state: &state)
                } else {
                    let normalized = normalizer.apply(bytes[range])
                    encodeNormalized(normalized, 0..<normalized.count, into: &ids, state: &state)
                }
            }
        }
        if addSpecialTokens { ids += postProcessor.suffix }
        return ids
    }

    private struct EncodeState {
        var pieces: [ArraySlice<UInt8>] = []
        var scratch = BPEModel.Scratch()
    }

    /// Normalized text -> second added-token pass -> pre-tokenizer -> BPE.
    private func encodeNormalized(_ text: [UInt8], _ range: Range<Int>, into ids: inout [Int], state: inout EncodeState) {
        let segments: [AddedTokenSplitter.Segment] = normalizedSplitter.isEmpty
            ? (range.isEmpty ? [] : [.text(range)])
            : text.withUnsafeBufferPointer { normalizedSplitter.split($0, range) }
        for segment in segments {
            switch segment {
            case let .token(id):
                ids.append(Int(id))
            case let .text(r):
                state.pieces.removeAll(keepingCapacity: true)
                preTokenizer.run(text[r], into: &state.pieces)
                for piece in state.pieces {
                    model.encode(piece, into: &ids, scratch: &state.scratch)
                }
            }
        }
    }

    // MARK: - Pre-tokenization (inspection)

    /// Runs only the pre-tokenizer on `text` (HF `pre_tokenizer.pre_tokenize_str`): no added-token
    /// matching, no normalization. Pieces are plain text, not byte-level spelling.
    public func preTokenize(_ text: String) -> [String] {
        Self.pieces(of: text, with: preTokenizer)
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

    /// Decodes ids like HF `Tokenizer.decode(ids, skip_special_tokens=False)`: the bytes of all
    /// tokens are concatenated and invalid UTF-8 (e.g. half of a multi-byte character) becomes
    /// U+FFFD. Unknown ids are skipped.
    public func decode(_ ids: [Int]) -> String {
        decode(ids, skipSpecialTokens: false)
    }

    /// `skipSpecialTokens: true` drops special added tokens (HF `skip_special_tokens=True`).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where id >= 0 && id < bytesByID.count {
            guard let b = bytesByID[id] else { continue }
            if skipSpecialTokens && isSpecialByID[id] { continue }
            bytes.append(contentsOf: b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Vocabulary

    /// The id of a token string: added-token content (`"<|im_end|>"`) or byte-level vocabulary
    /// spelling (`"Ġthe"`). Comparison is by exact scalars, not canonical equivalence.
    public func id(forToken token: String) -> Int? {
        let key = Array(token.utf8)
        return addedIDs[key] ?? modelIDs[key]
    }

    /// The token string for an id (byte-level spelling for vocabulary tokens).
    public func token(forID id: Int) -> String? {
        guard id >= 0 && id < tokenByID.count else { return nil }
        return tokenByID[id]
    }

    /// Whether `id` is a special added token (chat markers, end-of-text, ...).
    public func isSpecialToken(_ id: Int) -> Bool {
        id >= 0 && id < isSpecialByID.count && isSpecialByID[id]
    }
}
