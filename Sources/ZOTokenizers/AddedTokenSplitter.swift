/// An added token (special or not) as HF's `AddedVocabulary` stores it.
struct AddedToken: Sendable, Equatable {
    var content: String
    var id: Int32
    var special: Bool
    /// Matched against normalized text (second pass) rather than the raw input (first pass).
    var normalized: Bool
    var lstrip: Bool
    var rstrip: Bool
    var singleWord: Bool
}

/// Finds added tokens in text and cuts the text around them, exactly like HF's
/// `AddedVocabulary::find_matches`: leftmost-longest, non-overlapping matches (HF uses an
/// Aho-Corasick automaton in that mode), then per-token `single_word` / `lstrip` / `rstrip` rules.
/// Added tokens are recognised *before* pre-tokenization, so `<|im_end|>` inside text is always one id.
struct AddedTokenSplitter: Sendable {
    struct Match: Sendable {
        var bytes: [UInt8]
        var id: Int32
    }

    struct Rules: Sendable {
        var lstrip: Bool
        var rstrip: Bool
        var singleWord: Bool
    }

    /// A piece of the input: an added token id, or a byte range of plain text.
    enum Segment: Equatable {
        case token(Int32)
        case text(Range<Int>)
    }

    private let patterns: [Match]
    /// First byte -> indices into `patterns`, longest first (ties: earlier pattern first).
    private let buckets: [[Int]]
    /// Matching rules by id (HF reads them from the token registered under the matched id).
    private let rules: [Int32: Rules]

    var isEmpty: Bool { patterns.isEmpty }

    init(patterns: [Match], rules: [Int32: Rules]) {
        let patterns = patterns.filter { !$0.bytes.isEmpty }
        var buckets = [[Int]](repeating: [], count: 256)
        for (i, p) in patterns.enumerated() { buckets[Int(p.bytes[0])].append(i) }
        for b in 0..<256 where buckets[b].count > 1 {
            buckets[b].sort { patterns[$0].bytes.count != patterns[$1].bytes.count
                ? patterns[$0].bytes.count > patterns[$1].bytes.count : $0 < $1 }
        }
        self.patterns = patterns
        self.buckets = buckets
        self.rules = rules
    }

    /// Splits `text[range]`; segment ranges are indices into `text`. Empty text yields no segments.
    func split(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Segment] {
        if range.isEmpty { return [] }
        if patterns.isEmpty { return [.text(range)] }
        var segments: [Segment] = []
        var startOffset = range.lowerBound
        var i = range.lowerBound
        let end = range.upperBound
        scan: while i < end {
            for index in buckets[Int(text[i])] {
                let pattern = patterns[index].bytes
                let n = pattern.count
                if i + n > end { continue }
                var k = 1
                while k < n && text[i + k] == pattern[k] { k += 1 }
                if k < n { continue }

                // Leftmost-longest match [i, i + n).
                let id = patterns[index].id
                var start = i
                var stop = i + n
                i = stop  // the automaton resumes after the raw match
                let rule = rules[id] ?? Rules(lstrip: false, rstrip: false, singleWord: false)
                if rule.singleWord {
                    let startSpace = start == range.lowerBound || !Self.endsWithWord(text, range.lowerBound, start)
                    let stopSpace = stop == end || !Self.startsWithWord(text, stop, end)
                    if !startSpace || !stopSpace { continue scan }
                }
                if rule.lstrip {
                    start = max(Self.spaceLeftmostAtEnd(text, range.lowerBound, start), startOffset)
                }
                if rule.rstrip {
                    stop = Self.spaceRightmostAtStart(text, stop, end)
                }
                if startOffset < start { segments.append(.text(startOffset..<start)) }
                segments.append(.token(id))
                startOffset = stop
                continue scan
            }
            i += 1
        }
        if startOffset < end { segments.append(.text(startOffset..<end)) }
        return segments
    }

    // MARK: - HF helpers (Rust `char` predicates)

    /// Rust `char::is_alphanumeric`: Alphabetic or Numeric (Nd/Nl/No).
    private static func isAlphanumeric(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || ScalarClass.isRustNumeric(value)
    }

    private static func endsWithWord(_ p: UnsafeBufferPointer<UInt8>, _ lower: Int, _ end: Int) -> Bool {
        guard end > lower else { return false }
        let len = lengthOfScalar(endingAt: end, in: p)
        return isAlphanumeric(decodeUTF8(p, end - len).value)
    }

    private static func startsWithWord(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ upper: Int) -> Bool {
        guard start < upper else { return false }
        return isAlphanumeric(decodeUTF8(p, start).value)
    }

    /// Start of the whitespace run that ends at `end` (HF `space_leftmost_at_end`).
    private static func spaceLeftmostAtEnd(_ p: UnsafeBufferPointer<UInt8>, _ lower: Int, _ end: Int) -> Int {
        var i = end
        while i > lower {
            let len = lengthOfScalar(endingAt: i, in: p)
            guard let s = Unicode.Scalar(decodeUTF8(p, i - len).value), s.properties.isWhitespace else { break }
            i -= len
        }
        return i
    }

    /// End of the whitespace run that starts at `start` (HF `space_rightmost_at_start`).
    private static func spaceRightmostAtStart(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ upper: Int) -> Int {
        var i = start
        while i < upper {
            let (v, len) = decodeUTF8(p, i)
            guard let s = Unicode.Scalar(v), s.properties.isWhitespace else { break }
            i += len
        }
        return i
    }
}
