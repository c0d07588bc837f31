/// The Llama 3 / Qwen2 pre-tokenizer split, written out as a scanner:
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
///
/// Qwen2 uses the same pattern with `\p{N}` (one number at a time) instead of `\p{N}{1,3}`.
/// As with `GPT2PreTokenizer`, alternatives are tried in order at each position, the way HF's
/// Oniguruma does; `(?i:...)` also lets U+017F LATIN SMALL LETTER LONG S match `s` (Unicode
/// case folding), which HF does and llama.cpp's hand-expanded `[sS]` does not.
enum Llama3PreTokenizer {
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    @inline(__always)
    private static func isCRLF(_ v: UInt32) -> Bool { v == 0x0A || v == 0x0D }

    /// Case-insensitive match of one ASCII lowercase letter (plus its Unicode case-fold partners).
    @inline(__always)
    private static func foldMatches(_ v: UInt32, _ lower: UInt8) -> Bool {
        if v == UInt32(lower) || v == UInt32(lower - 0x20) { return true }
        return lower == UInt8(ascii: "s") && v == 0x17F  // ſ folds to s
    }

    /// Length in bytes of a case-insensitive contraction at `i`, or 0.
    @inline(__always)
    private static func contraction(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        guard p[i] == UInt8(ascii: "'"), i + 1 < end else { return 0 }
        let (c1, l1) = decodeUTF8(p, i + 1)
        if foldMatches(c1, UInt8(ascii: "s")) || foldMatches(c1, UInt8(ascii: "t"))
            || foldMatches(c1, UInt8(ascii: "m")) || foldMatches(c1, UInt8(ascii: "d")) {
            return 1 + l1
        }
        let j = i + 1 + l1
        guard j < end else { return 0 }
        let (c2, l2) = decodeUTF8(p, j)
        if (foldMatches(c1, UInt8(ascii: "r")) && foldMatches(c2, UInt8(ascii: "e")))
            || (foldMatches(c1, UInt8(ascii: "v")) && foldMatches(c2, UInt8(ascii: "e")))
            || (foldMatches(c1, UInt8(ascii: "l")) && foldMatches(c2, UInt8(ascii: "l"))) {
            return 1 + l1 + l2
        }
        return 0
    }

    /// Splits `p[range]` (valid UTF-8), calling `emit` with each piece's byte range in order.
    /// `maxDigits` is 3 for Llama 3 and 1 for Qwen2.
    static func split(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, maxDigits: Int, _ emit: (Range<Int>) -> Void) {
        let end = range.upperBound
        var i = range.lowerBound
        while i < end {
            let start = i

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            let c = contraction(p, i, end)
            if c > 0 { emit(start..<(i + c)); i += c; continue }

            let (v0, l0) = decodeUTF8(p, i)
            let cls0 = ScalarClass.of(v0)

            // [^\r\n\p{L}\p{N}]?\p{L}+
            var letters = -1
            if cls0 == .letter {
                letters = i
            } else if cls0 != .number && !isCRLF(v0) && i + l0 < end,
                      ScalarClass.of(decodeUTF8(p, i + l0).value) == .letter {
                letters = i + l0
            }
            if letters >= 0 {
                var j = letters
                while j < end {
                    let (v, len) = decodeUTF8(p, j)
                    if ScalarClass.of(v) != .letter { break }
                    j += len
                }
                emit(start..<j); i = j; continue
            }

            // \p{N}{1,maxDigits}
            if cls0 == .number {
                var j = i + l0
                var n = 1
                while n < maxDigits && j < end {
                    let (v, len) = decodeUTF8(p, j)
                    if ScalarClass.of(v) != .number { break }
                    j += len
                    n += 1
                }
                emit(start..<j); i = j; continue
            }

            //  ?[^\s\p{L}\p{N}]+[\r\n]*
            var k = i
            if v0 == 0x20, i + 1 < end { k = i + 1 }
            if k < end, ScalarClass.of(decodeUTF8(p, k).value) == .other {
                var j = k
                while j < end {
                    let (v, len) = decodeUTF8(p, j)
                    if ScalarClass.of(v) != .other { break }
                    j += len
                }
                while j < end, p[j] == 0x0A || p[j] == 0x0D { j += 1 }
                emit(start..<j); i = j; continue
            }

            // Whitespace run [i, j) and the end of its last CR/LF.
            var j = i
            var count = 0
            var afterLastCRLF = -1
            while j < end {
                let (v, len) = decodeUTF8(p, j)
                if ScalarClass.of(v) != .whitespace { break }
                j += len
                count += 1
                if isCRLF(v) { afterLastCRLF = j }
            }
            // \s*[\r\n]+ : up to and including the last CR/LF of the run.
            if afterLastCRLF > 0 { emit(start..<afterLastCRLF); i = afterLastCRLF; continue }
            // \s+(?!\S) then \s+ (as in GPT-2).
            if j == end || count == 1 {
                emit(start..<j); i = j
            } else {
                let cut = j - lengthOfScalar(endingAt: j, in: p)
                emit(start..<cut); i = cut
            }
        }
    }
}
