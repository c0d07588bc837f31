import Foundation
import FuzzSupport
import ZOTokenizers

/// A Hugging Face `tokenizer.json` (`TokenizerLoader.load(tokenizerJSON:)`), then the tokenizer it builds.
LibFuzzer.run { input in
    guard let tokenizer = try? TokenizerLoader.load(tokenizerJSON: Data(input.bytes)) else { return }
    exerciseTokenizer(tokenizer)
}
