/// How ids become text again (HF's `decoder`).
enum TokenDecoder: Sendable, Equatable {
    /// HF `ByteLevel`: every token's byte-level spelling maps back to raw bytes, which are concatenated.
    case byteLevel
    /// HF `WordPiece`: tokens are joined with spaces except continuations, which lose their prefix
    /// and attach to the previous token; `cleanup` then removes the spaces a tokenizer put before
    /// punctuation and English contractions.
    case wordPiece(prefix: String, cleanup: Bool)
    /// SentencePiece BPE: the tokens' own spelling through HF's Replace / ByteFallback / Fuse / Strip /
    /// Metaspace decoders (`PieceDecoderStep`).
    case pieces([PieceDecoderStep])

    /// HF's WordPiece `decode_chain` and the final join, on exact bytes (Swift string search would
    /// match canonically equivalent text, Rust's `replace` does not).
    static func joinWordPieces(_ tokens: [[UInt8]], prefix: [UInt8], cleanup: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(tokens.reduce(0) { $0 + $1.count + 1 })
        for (i, token) in tokens.enumerated() {
            var piece: [UInt8]
            if i == 0 {
                piece = token
            } else if !prefix.isEmpty && token.starts(with: prefix) {
                piece = Array(token.dropFirst(prefix.count))
            } else {
                piece = [0x20] + token
            }
            if cleanup {
                for (dirty, clean) in cleanupReplacements { piece = Normalizer.replacing(dirty, with: clean, in: piece) }
            }
            out += piece
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// HF's `cleanup`, in its order.
    private static let cleanupReplacements: [([UInt8], [UInt8])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }
}
