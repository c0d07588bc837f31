import Foundation
import FuzzSupport
import ZOTokenizers

/// The slow tokenizer files of a Hugging Face folder (`SlowTokenizerFiles.load(folder:)`): the input's
/// NUL-separated parts are these files, in this order (an empty part leaves the file out).
let files = [
    "tokenizer_config.json", "config.json", "special_tokens_map.json", "added_tokens.json",
    "vocab.json", "merges.txt", "vocab.txt",
]

LibFuzzer.run { input in
    guard let tokenizer = try? SlowTokenizerFiles.load(folder: FuzzFolder.write(input, as: files)) else { return }
    exerciseTokenizer(tokenizer)
}
