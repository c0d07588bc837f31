import Foundation

/// Builds the right tokenizer for a HuggingFace `tokenizer.json`, so callers need not know its model.
public enum TokenizerLoader {
    /// Reads `model.type` and returns a `ByteLevelBPETokenizer` ("BPE", or no type, with a ByteLevel
    /// pre-tokenizer), a `SentencePieceBPETokenizer` ("BPE" without one: LLaMA-1/2, Mistral) or a
    /// `WordPieceTokenizer` ("WordPiece"). Any other model, or any component or option that is not
    /// implemented, throws `TokenizerError` naming its JSON path.
    public static func load(tokenizerJSON: Data) throws -> any TextTokenizer {
        let definition = try TokenizerJSON.parse([UInt8](tokenizerJSON))
        switch definition.model {
        case .bpe: return try ByteLevelBPETokenizer(definition: definition)
        case .sentencePieceBPE: return try SentencePieceBPETokenizer(definition: definition)
        case .wordPiece: return try WordPieceTokenizer(definition: definition)
        }
    }
}
