/// HF's decoders for SentencePiece vocabularies, applied in order to the list of token strings and then
/// joined: `Replace("▁", " ")`, `ByteFallback`, `Fuse`, `Strip(" ", 1, 0)` (LLaMA-1/2, Mistral), or
/// `Metaspace`. Each step is a transcription of its `decode_chain` in HF `tokenizers`, so the text
/// matches HF's decode exactly, including its U+FFFD per byte for invalid UTF-8.
enum PieceDecoderStep: Sendable, Equatable {
    /// Every occurrence of `pattern` in each token becomes `content`.
    case replace(pattern: [Unicode.Scalar], content: [Unicode.Scalar])
    /// Runs of `<0xXX>` tokens become the text of their bytes, or one U+FFFD per byte when those bytes
    /// are not valid UTF-8.
    case byteFallback
    /// All tokens become one.
    case fuse
    /// Removes up to `start` leading and `stop` trailing `content` characters from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `replacement` becomes a space, except in the first token, where it is dropped unless the prepend
    /// scheme is `never`.
    case metaspace(replacement: Unicode.Scalar, prependScheme: MetaspaceSplit.PrependScheme)

    /// The tokens after all `steps`, joined.
    static func decode(_ tokens: [String], _ steps: [PieceDecoderStep]) -> String {
        var pieces = tokens.map { Array($0.unicodeScalars) }
        for step in steps { pieces = step.apply(pieces) }
        var text = String.UnicodeScalarView()
        for piece in pieces { text.append(contentsOf: piece) }
        return String(text)
    }

    private func apply(_ tokens: [[Unicode.Scalar]]) -> [[Unicode.Scalar]] {
        switch self {
        case let .replace(pattern, content):
            return tokens.map { Normalizer.replacing(pattern, with: content, in: $0) }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .fuse:
            return [tokens.flatMap { $0 }]
        case let .strip(content, start, stop):
            return tokens.map { token in
                var from = 0
                while from < min(start, token.count) && token[from] == content { from += 1 }
                var to = token.count
                while token.count - to < stop && to > from && token[to - 1] == content { to -= 1 }
                return Array(token[from..<to])
            }
        case let .metaspace(replacement, scheme):
            return tokens.enumerated().map { index, token in
                if index == 0 && scheme != .never { return token.filter { $0 != replacement } }
                return token.map { $0 == replacement ? " " : $0 }
            }
        }
    }

    private static func byteFallback(_ tokens: [[Unicode.Scalar]]) -> [[Unicode.Scalar]] {
        var out: [[Unicode.Scalar]] = []
        out.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                out.append(Array(text.unicodeScalars))
            } else {
                out += Array(repeating: ["\u{FFFD}"], count: pending.count)
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = ByteFallbackTokens.byte(spelledBy: token) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }
}
