/// The GPT-2 pre-tokenizer split, written out as a scanner instead of a regex:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// HF `tokenizers` runs this pattern through Oniguruma (a backtracking engine, needed for the
/// lookahead): alternatives are tried in order at each position and the first that matches wins.
/// The scanner reproduces that order exactly. Swift `Regex` was avoided: it is far slower and its
/// `\p{...}`/`\s` tables are not guaranteed to agree with Oniguruma's.
///
/// Pieces are "isolated": every byte of the input lands in exactly one piece, in order.
enum GPT2PreTokenizer {
    /// Splits `text` (valid UTF-8) and calls `emit` with each piece's byte range, in order.
    @inline(__always)
    static func split(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ emit: (Range<Int>) -> Void) {
        let end = range.upperBound
        var i = range.lowerBound
        while i < end {
            let start = i
            let b = p[i]

            // 's 't 're 've 'm 'll 'd (lowercase ASCII only, as in the pattern)
            if b == UInt8(ascii: "'"), i + 1 < end {
                let c1 = p[i + 1]
                if c1 == UInt8(ascii: "s") || c1 == UInt8(ascii: "t") || c1 == UInt8(ascii: "m") || c1 == UInt8(ascii: "d") {
                    emit(start..<(i + 2)); i += 2; continue
                }
                if i + 2 < end {
                    let c2 = p[i + 2]
                    if (c1 == UInt8(ascii: "r") && c2 == UInt8(ascii: "e")) || (c1 == UInt8(ascii: "v") && c2 == UInt8(ascii: "e"))
                        || (c1 == UInt8(ascii: "l") && c2 == UInt8(ascii: "l")) {
                        emit(start..<(i + 3)); i += 3; continue
                    }
                }
            }

            // Optional single U+0020 before a letter / number / other run.
            var k = i
            if b == 0x20 { k = i + 1 }
            if k < end {
                let (v, len) = decodeUTF8(p, k)
                let cls = ScalarClass.of(v)
                if cls != .whitespace {
                    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: a maximal run of one class.
                    var j = k + len
                    while j < end {
                        let (v2, len2) = decodeUTF8(p, j)
                        if ScalarClass.of(v2) != cls { break }
                        j += len2
                    }
                    emit(start..<j); i = j; continue
                }
            }

            // Whitespace run starting at i (also reached for a lone trailing U+0020).
            var j = i
            var count = 0
            while j < end {
                let (v, len) = decodeUTF8(p, j)
                if ScalarClass.of(v) != .whitespace { break }
                j += len
                count += 1
            }
            if j == end || count == 1 {
                // `\s+(?!\S)` matches the whole run at the end of input; a single whitespace
                // scalar before non-space falls through to the final `\s+`.
                emit(start..<j); i = j
            } else {
                // `\s+(?!\S)` backtracks one scalar so the last whitespace can prefix the next word.
                let cut = j - lengthOfScalar(endingAt: j, in: p)
                emit(start..<cut); i = cut
            }
        }
    }
}
