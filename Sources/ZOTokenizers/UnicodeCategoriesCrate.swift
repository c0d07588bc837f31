/// The general categories HF `tokenizers` sees through the Rust `unicode_categories` crate, which its
/// BERT normalizer (`clean_text`: `is_other`, `strip_accents`: `is_mark_nonspacing`) and BERT
/// pre-tokenizer (`is_punctuation`) use.
///
/// That crate's tables are Unicode 8.0, far older than the standard library's, so a scalar counts only
/// when it was assigned by 8.0, and the few scalars whose category changed since then are listed
/// explicitly. Checked exhaustively against tokenizers 0.23.3 (every scalar through `BertNormalizer`
/// and `BertPreTokenizer`); the corpus in corpus-bert.jsonl keeps the listed cases under test.
enum UnicodeCategoriesCrate {
    static let unicodeVersion = (major: 8, minor: 0)

    /// Nonspacing marks (Mn) in 8.0 that are spacing marks now (U+1734, U+1171E).
    private static let formerNonspacingMarks: Set<UInt32> = [0x1734, 0x1171E]
    /// Mn now, but not yet in 8.0: U+1885/U+1886 (were Lo), U+A9BD (was Mc), U+111C9 (was Po).
    private static let laterNonspacingMarks: Set<UInt32> = [0x1885, 0x1886, 0xA9BD, 0x111C9]
    /// Punctuation (Po) in 8.0 that is not punctuation now: U+166D (now So), U+111C9 (now Mn).
    private static let formerPunctuation: Set<UInt32> = [0x166D, 0x111C9]

    /// Whether `scalar` existed in Unicode 8.0.
    @inline(__always)
    static func isKnown(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < unicodeVersion.major || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
    }

    /// `is_other`: control (Cc), format (Cf) or private use (Co). Unassigned (Cn) scalars are not "other"
    /// for the crate, so characters newer than 8.0 are kept.
    static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .privateUse: return true
        case .format: return isKnown(properties)
        default: return false
        }
    }

    /// `is_mark_nonspacing` (Mn).
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x300 { return false }
        if formerNonspacingMarks.contains(scalar.value) { return true }
        if laterNonspacingMarks.contains(scalar.value) { return false }
        let properties = scalar.properties
        return properties.generalCategory == .nonspacingMark && isKnown(properties)
    }

    /// HF's `is_bert_punc`: ASCII punctuation, or any P* category in the crate.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
        }
        if formerPunctuation.contains(v) { return true }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return isKnown(properties)
        default:
            return false
        }
    }
}
