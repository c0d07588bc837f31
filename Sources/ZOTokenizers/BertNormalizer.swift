/// HF's `BertNormalizer`: clean the text, put spaces around CJK ideographs, strip accents, lowercase
/// (in that order, each optional). `stripAccents` nil follows `lowercase`, as in HF and BERT's
/// original `do_lower_case` (uncased models strip accents, cased ones keep them).
struct BertNormalizerOptions: Sendable, Equatable {
    var cleanText = true
    var handleChineseChars = true
    var stripAccents: Bool? = nil
    var lowercase = true

    /// Applies the options to `scalars` in HF's order.
    func apply(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var text = scalars
        if cleanText { text = Self.cleanText(text) }
        if handleChineseChars { text = Self.spaceChineseChars(text) }
        if stripAccents ?? lowercase { text = Normalizer.stripAccents(CanonicalDecomposition.decompose(text)) }
        if lowercase { text = Normalizer.lowercase(text) }
        return text
    }

    /// Drops NUL, U+FFFD and control characters (except tab, LF, CR), then turns whitespace into U+0020.
    static func cleanText(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for scalar in scalars {
            let v = scalar.value
            let isTabOrNewline = v == 0x09 || v == 0x0A || v == 0x0D
            if v == 0 || v == 0xFFFD || (!isTabOrNewline && UnicodeCategoriesCrate.isOther(scalar)) { continue }
            out.append(isTabOrNewline || scalar.properties.isWhitespace ? " " : scalar)
        }
        return out
    }

    /// Surrounds every CJK ideograph with spaces, so the pre-tokenizer makes each one a word.
    static func spaceChineseChars(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard scalars.contains(where: isChineseChar) else { return scalars }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count + 16)
        for scalar in scalars {
            if isChineseChar(scalar) {
                out += [" ", scalar, " "]
            } else {
                out.append(scalar)
            }
        }
        return out
    }

    /// HF's `is_chinese_char`: the CJK Unified Ideographs blocks and extensions it lists (not kana,
    /// hangul or the newer extensions).
    static func isChineseChar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
