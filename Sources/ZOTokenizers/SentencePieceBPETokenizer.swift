import Foundation

/// A SentencePiece BPE tokenizer (LLaMA-1/2, TinyLlama, Mistral): BPE over characters, with `▁` for
/// spaces and byte tokens `<0xXX>` for characters the vocabulary lacks.
///
/// Two sources, each reproducing its reference:
/// - a HuggingFace `tokenizer.json` whose BPE model has no ByteLevel pre-tokenizer (legacy files:
///   normalizer Sequence[Prepend("▁"), Replace(" ", "▁")]; newer: a Metaspace pre-tokenizer), encoded
///   as HF `tokenizers` does, with the merge ranks;
/// - GGUF metadata with `tokenizer.ggml.model` = "llama" (`init(ggufTokens:...)`), which has scores
///   instead of merges, encoded as llama.cpp does (`SentencePieceScoreModel`).
///
/// The rest is the shared pipeline: special tokens in the text are cut out first, each piece of text
/// between them is normalized and split, the post-processor adds BOS. Decoding follows HF's decoder
/// chain (Replace, ByteFallback, Fuse, Strip). Immutable and `Sendable`.
public struct SentencePieceBPETokenizer: TextTokenizer {
    /// Merge ranks (tokenizer.json) or scores (GGUF).
    enum Model: Sendable {
        case merges(BPEModel)
        case scores(SentencePieceScoreModel)
    }

    let model: Model
    let pipeline: EncodingPipeline

    public var leadingSpecialTokens: [Int] { pipeline.postProcessor.prefix }
    let decoderSteps: [PieceDecoderStep]
    public let tokenVocabulary: TokenVocabulary
    /// BOS from the post-processor (or GGUF), UNK from the model; settable by loaders that know better.
    public var specialTokenIDs: SpecialTokenIDs

    /// Builds the tokenizer from the contents of a HuggingFace `tokenizer.json` whose model is BPE
    /// without a ByteLevel pre-tokenizer.
    ///
    /// Throws `TokenizerError` for malformed JSON, missing fields, another model, and any component or
    /// option that would change the ids but is not implemented (the error names the JSON path).
    public init(tokenizerJSON: Data) throws {
        try self.init(definition: try TokenizerJSON.parse([UInt8](tokenizerJSON), expecting: .bpe, byteLevel: false))
    }

    init(definition: TokenizerDefinition) throws {
        guard definition.model == .sentencePieceBPE else {
            throw TokenizerError.unsupportedOption(path: "pre_tokenizer", value: "a ByteLevel step (SentencePiece BPE has none)")
        }
        let vocabulary = try TokenVocabulary(definition)
        let model = try BPEModel(definition, vocabulary: vocabulary,
                                 alphabet: Self.characterAlphabet(vocabulary, byteFallback: definition.byteFallback),
                                 rawBytes: { Array($0.utf8) })
        try self.init(definition, vocabulary: vocabulary, model: .merges(model))
    }

    init(_ definition: TokenizerDefinition, vocabulary: TokenVocabulary, model: Model) throws {
        guard case let .pieces(steps) = definition.decoder else {
            throw TokenizerError.unsupportedComponent(type: "ByteLevel", path: "decoder.type")
        }
        self.model = model
        pipeline = EncodingPipeline(definition)
        decoderSteps = steps
        tokenVocabulary = vocabulary
        specialTokenIDs = vocabulary.specialTokenIDs(definition)
    }

    /// Single-character tokens by scalar, and the byte tokens when `byteFallback` is on.
    private static func characterAlphabet(_ vocabulary: TokenVocabulary, byteFallback: Bool) -> BPEModel.Alphabet {
        var characters: [UInt32: Int32] = [:]
        for (spelling, id) in vocabulary.modelIDs {
            let scalars = String(decoding: spelling, as: UTF8.self).unicodeScalars
            if scalars.count == 1 { characters[scalars.first!.value] = Int32(id) }
        }
        return .characters(characters, byteFallback: byteFallback ? ByteFallbackTokens.ids(in: vocabulary.modelIDs) : nil)
    }

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        switch model {
        case let .merges(model): return pipeline.encode(text, addSpecialTokens: addSpecialTokens, model: model)
        case let .scores(model): return pipeline.encode(text, addSpecialTokens: addSpecialTokens, model: model)
        }
    }

    /// Decodes like HF `Tokenizer.decode`: the token strings (special ones too, unless skipped) go
    /// through the decoder chain, so `▁` becomes a space, byte tokens become their bytes (U+FFFD per
    /// byte when invalid UTF-8), and the space the encoder put before the text is stripped. Unknown ids
    /// are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = tokenVocabulary.token(forID: id) else { continue }
            if skipSpecialTokens && tokenVocabulary.isSpecial(id) { continue }
            tokens.append(token)
        }
        return PieceDecoderStep.decode(tokens, decoderSteps)
    }
}
