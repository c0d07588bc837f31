/// Everything needed to build a `ByteLevelBPETokenizer`, a `SentencePieceBPETokenizer` or a
/// `WordPieceTokenizer`, independent of where it came from (HF `tokenizer.json` or GGUF metadata).
/// Byte-level BPE token strings here are in byte-level spelling (`Ġthe`), SentencePiece ones with `▁`
/// for spaces (`▁the`), WordPiece ones plain (`##ing`); added-token contents are plain text
/// (`<|im_end|>`, `[CLS]`).
struct TokenizerDefinition {
    /// Model vocabulary: token string and id.
    var vocabulary: [(token: String, id: Int)]
    /// BPE merge rules in rank order (empty for WordPiece).
    var merges: [(left: String, right: String)]
    var model: SubwordModelKind = .bpe
    var addedTokens: [AddedToken] = []
    var unknownToken: String? = nil
    var fuseUnknown = false
    /// HF BPE `byte_fallback`: characters missing from the vocabulary become `<0xXX>` byte tokens.
    var byteFallback = false
    var ignoreMerges = false
    var normalizer: Normalizer = .none
    var preTokenizer: PreTokenizer = .gpt2
    /// Whether tokenizer.json's pre-tokenizer is a single `ByteLevel` (not inside a `Sequence`): the one
    /// whose `add_prefix_space` transformers' GPT-2/RoBERTa classes replace with their own (`TokenizerLoader`).
    var preTokenizerIsPlainByteLevel = false
    var postProcessor: PostProcessor = .none
    var decoder: TokenDecoder = .byteLevel
}

/// The subword model of a tokenizer (HF `model.type`).
enum SubwordModelKind: Equatable {
    /// Byte-level BPE (`"BPE"` with a ByteLevel pre-tokenizer).
    case bpe
    /// BPE over characters, with `▁` for spaces and usually byte fallback (`"BPE"` without a ByteLevel
    /// step): SentencePiece vocabularies such as LLaMA-1/2 and Mistral.
    case sentencePieceBPE
    /// `"WordPiece"`, with its continuing-subword prefix (`##`) and longest word in scalars.
    case wordPiece(continuingSubwordPrefix: String, maxInputCharsPerWord: Int)

    /// Either BPE flavour (decoder models, whose template's first special token is the BOS).
    var isBPE: Bool {
        if case .wordPiece = self { return false }
        return true
    }

    /// The `model.type` string.
    var typeName: String {
        switch self {
        case .bpe, .sentencePieceBPE: return "BPE"
        case .wordPiece: return "WordPiece"
        }
    }
}

/// Splits a merge written as `"left right"`; the separator is the first space after the first
/// character (llama.cpp's rule; HF additionally requires exactly one space, which byte-level
/// tokens always satisfy since they never contain a raw space).
func splitMerge(_ merge: String, index: Int) throws -> (left: String, right: String) {
    let scalars = Array(merge.unicodeScalars)
    guard scalars.count >= 3, let space = scalars.dropFirst().firstIndex(of: " ") else {
        throw TokenizerError.invalidMerge(index: index, merge: merge, reason: "expected two tokens separated by a space")
    }
    var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
    left.append(contentsOf: scalars[..<space])
    right.append(contentsOf: scalars[(space + 1)...])
    if right.isEmpty || right.contains(" ") {
        throw TokenizerError.invalidMerge(index: index, merge: merge, reason: "expected two tokens separated by a space")
    }
    return (String(left), String(right))
}
