import FuzzSupport
import ZOFormats
import ZOTokenizers

/// The tokenizer a GGUF file carries in its `tokenizer.ggml.*` metadata (`TokenizerLoader.load(gguf:)`:
/// byte-level BPE, SentencePiece BPE or WordPiece), then the tokenizer it builds.
LibFuzzer.run { input in
    guard let file = try? GGUFFile(file: .holding(input)),
          let tokenizer = try? TokenizerLoader.load(gguf: file) else { return }
    exerciseTokenizer(tokenizer)
}
