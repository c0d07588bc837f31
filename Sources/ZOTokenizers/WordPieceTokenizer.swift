import Foundation

/// A WordPiece tokenizer (BERT family: BERT, MiniLM, DistilBERT, ...) built from a HuggingFace
/// `tokenizer.json`, reproducing HF `tokenizers` id for id.
///
/// Pipeline, as in HF: added tokens (`[CLS]`, `[MASK]`, ...) are cut out of the raw text, the rest is
/// normalized (`BertNormalizer`: clean-up, CJK spacing, accent stripping, lowercasing), split into
/// words (`BertPreTokenizer`), and each word becomes greedy longest-match pieces (`play`, `##ing`);
/// the post-processor adds `[CLS]` ... `[SEP]`. Decoding joins `##` continuations and removes the
/// spaces before punctuation. Immutable and `Sendable`.
public struct WordPieceTokenizer: TextTokenizer {
    let model: WordPieceModel
    let pipeline: EncodingPipeline

    public var leadingSpecialTokens: [Int] { pipeline.postProcessor.prefix }
    public let tokenVocabulary: TokenVocabulary
    let decoderPrefix: [UInt8]
    let decoderCleanup: Bool

    /// CLS/SEP from the post-processor, UNK from the model, PAD/MASK by their conventional names.
    /// Settable by loaders that know better (e.g. from special_tokens_map.json).
    public var specialTokenIDs: SpecialTokenIDs

    /// Builds the tokenizer from the contents of a HuggingFace `tokenizer.json` whose model is WordPiece.
    ///
    /// Throws `TokenizerError` for malformed JSON, missing fields, another model type, and any component
    /// or option that would change the ids but is not implemented (the error names the JSON path).
    public init(tokenizerJSON: Data) throws {
        try self.init(definition: try TokenizerJSON.parse([UInt8](tokenizerJSON), expecting: .wordPiece))
    }

    init(definition: TokenizerDefinition) throws {
        guard case let .wordPiece(prefix, maxChars) = definition.model else {
            throw TokenizerError.unsupportedComponent(type: definition.model.typeName, path: "model.type")
        }
        guard case let .wordPiece(decoderPrefix, cleanup) = definition.decoder else {
            throw TokenizerError.unsupportedComponent(type: "ByteLevel", path: "decoder.type")
        }
        guard let unknownToken = definition.unknownToken else {
            throw TokenizerError.invalidField(path: "model.unk_token", expected: "a string (WordPiece needs an unknown token)")
        }
        let vocabulary = try TokenVocabulary(definition)
        model = WordPieceModel(
            ids: vocabulary.modelIDs, continuingSubwordPrefix: Array(prefix.utf8), maxInputCharsPerWord: maxChars,
            unknownID: try vocabulary.unknownID(unknownToken))
        pipeline = EncodingPipeline(definition)
        tokenVocabulary = vocabulary
        self.decoderPrefix = Array(decoderPrefix.utf8)
        decoderCleanup = cleanup
        specialTokenIDs = vocabulary.specialTokenIDs(definition)
    }

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        pipeline.encode(text, addSpecialTokens: addSpecialTokens, model: model)
    }

    /// Decodes like HF `Tokenizer.decode` with the WordPiece decoder: `##` pieces attach to the
    /// previous token, other tokens are separated by a space, and (with `cleanup`) spaces before
    /// punctuation and contractions are removed. The text is the normalized one (lowercase, no accents
    /// for uncased models). Unknown ids are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = tokenVocabulary.token(forID: id) else { continue }
            if skipSpecialTokens && tokenVocabulary.isSpecial(id) { continue }
            tokens.append(Array(token.utf8))
        }
        return TokenDecoder.joinWordPieces(tokens, prefix: decoderPrefix, cleanup: decoderCleanup)
    }
}
