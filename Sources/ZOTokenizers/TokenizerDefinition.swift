/// Everything needed to build a `ByteLevelBPETokenizer`, independent of where it came from
/// (HF `tokenizer.json` or GGUF metadata). Token strings here are in byte-level spelling
/// (`Ġthe`), except added-token contents, which are plain text (`<|im_end|>`).
struct TokenizerDefinition {
    /// Model vocabulary: byte-level token string and id.
    var vocabulary: [(token: String, id: Int)]
    /// Merge rules in rank order.
    var merges: [(left: String, right: String)]
    var addedTokens: [AddedToken] = []
    var unknownToken: String? = nil
    var fuseUnknown = false
    var ignoreMerges = false
    var normalizer: Normalizer = .none
    var preTokenizer: PreTokenizer = .gpt2
    var postProcessor: PostProcessor = .none
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
