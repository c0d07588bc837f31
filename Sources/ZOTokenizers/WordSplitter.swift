/// HF's pre-tokenizers that split text into words and drop the whitespace between them:
///
/// - `BertPreTokenizer`: split on whitespace (removed), then every punctuation scalar on its own;
/// - `WhitespaceSplit`: split on whitespace (removed);
/// - `Whitespace`: the regex `\w+|[^\w\s]+` (runs of word scalars, runs of other non-space scalars).
///
/// Each is a rule giving every scalar a `Role`; the splitter cuts maximal runs of one role. Whitespace is
/// Rust's `char::is_whitespace` (the White_Space property) for the first two and Oniguruma's `\s` (the
/// same property) for the third; `\w` is Oniguruma's (Alphabetic, marks, Nd, Pc, Join_Control) with
/// its Unicode 16.0 cut (`ScalarClass.isAssignedForHF`). All three were checked against tokenizers
/// 0.23.3 for every scalar.
enum WordSplitter {
    enum Role: UInt8 {
        /// Dropped, and ends the current piece.
        case removed
        /// A piece of its own.
        case isolated
        /// Joins neighbours of the same role.
        case word
        case other
    }

    enum Rule: Sendable, Equatable {
        case bert
        case whitespaceSplit
        case wordRuns

        @inline(__always)
        func role(_ value: UInt32) -> Role {
            if value < 0x80 {
                if value == 0x20 || (0x09...0x0D).contains(value) { return .removed }
                switch self {
                case .whitespaceSplit: return .word
                case .bert: return UnicodeCategoriesCrate.isPunctuation(Unicode.Scalar(value)!) ? .isolated : .word
                case .wordRuns:
                    let isWord = (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) || value == 0x5F
                    return isWord ? .word : .other
                }
            }
            guard let scalar = Unicode.Scalar(value) else { return .word }
            let properties = scalar.properties
            if properties.isWhitespace { return .removed }
            switch self {
            case .whitespaceSplit: return .word
            case .bert: return UnicodeCategoriesCrate.isPunctuation(scalar) ? .isolated : .word
            case .wordRuns: return Self.isOnigurumaWord(properties) ? .word : .other
            }
        }

        private static func isOnigurumaWord(_ properties: Unicode.Scalar.Properties) -> Bool {
            guard ScalarClass.isAssignedForHF(properties) else { return false }
            if properties.isAlphabetic || properties.isJoinControl { return true }
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
            default: return false
            }
        }
    }

    /// Splits `piece` (valid UTF-8) by `rule` and appends the pieces.
    static func split(_ piece: ArraySlice<UInt8>, rule: Rule, into out: inout [ArraySlice<UInt8>]) {
        piece.withUnsafeBufferPointer { buf in
            let base = piece.startIndex
            var start = 0
            var current = Role.removed
            var i = 0
            func flush(_ end: Int) {
                if current != .removed && end > start { out.append(piece[(base + start)..<(base + end)]) }
            }
            while i < buf.count {
                let (value, length) = decodeUTF8(buf, i)
                let role = rule.role(value)
                if role != current || role == .isolated {
                    flush(i)
                    start = i
                    current = role
                }
                i += length
            }
            flush(buf.count)
        }
    }
}
