import ZOTokenizers

/// Runs a tokenizer built from fuzzed files on a fixed text (ASCII, accents, CJK, emoji, whitespace runs
/// and the usual special-token spellings) and decodes ids in and out of its vocabulary: the tables a
/// file declares are only trusted if encoding and decoding with them cannot trap either.
public func exerciseTokenizer(_ tokenizer: any TextTokenizer) {
    let text = "Hello world! It's 2024 — naïve café 東京 🙂\n\t  x<|endoftext|><s></s>[CLS][SEP][UNK] ##ing Ġthe ▁a"
    let ids = tokenizer.encode(text)
    _ = tokenizer.decode(ids, skipSpecialTokens: true)
    _ = tokenizer.decode([-1, 0, 1, 2, 3, tokenizer.vocabularySize - 1, tokenizer.vocabularySize, Int.max])
    _ = tokenizer.encode(" It was", after: "The film", contextTokens: tokenizer.encode("The film", addSpecialTokens: false))
}
