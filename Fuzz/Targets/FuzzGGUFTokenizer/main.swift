import FuzzSupport
import ZOFormats
import ZOModels

/// The tokenizer a GGUF file carries in its `tokenizer.ggml.*` metadata (`TokenizerLoading.tokenizer(gguf:)`:
/// byte-level BPE, SentencePiece BPE or WordPiece), then the tokenizer it builds.
LibFuzzer.run { input in
    guard let file = try? GGUFFile(file: .holding(input)),
          let tokenizer = try? TokenizerLoading.tokenizer(gguf: file) else { return }
    exerciseTokenizer(tokenizer)
}
