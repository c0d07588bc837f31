@_spi(_Unicode) import Swift

/// Unicode NFD as HF `tokenizers` computes it (the `NFD` normalizer and BERT's `strip_accents`).
///
/// HF's normalization crate (`unicode-normalization-alignments`) carries Unicode 9.0 tables: scalars
/// assigned later neither decompose nor take part in canonical reordering (their combining class is 0
/// to it). Decompositions and combining classes of older scalars never change (Unicode stability
/// policy), so this takes them from the standard library and cuts at 9.0. Checked exhaustively against
/// tokenizers 0.23.3 for single scalars; reordering cases are in corpus-bert.jsonl.
///
/// The single-scalar decomposition comes from the standard library's NFD (`String._nfd`, SPI), the same
/// engine as the NFC this target already uses: Foundation's normalization on Linux was found wrong for
/// NFC (see `Normalizer`).
enum CanonicalDecomposition {
    static let unicodeVersion = (major: 9, minor: 0)

    /// Whether HF's normalization tables know `scalar`.
    @inline(__always)
    static func isKnown(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < unicodeVersion.major || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
    }

    /// Canonical combining class as HF sees it (0 for scalars newer than its tables).
    @inline(__always)
    static func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar.value < 0x300 { return 0 }
        let ccc = scalar.properties.canonicalCombiningClass.rawValue
        return ccc != 0 && isKnown(scalar) ? ccc : 0
    }

    /// The NFD of `scalars`.
    static func decompose(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count + 8)
        for scalar in scalars {
            // Nothing below U+00C0 decomposes.
            if scalar.value < 0xC0 || !isKnown(scalar) {
                out.append(scalar)
            } else {
                for part in String(scalar)._nfd { out.append(part) }
            }
        }
        reorder(&out)
        return out
    }

    /// Canonical ordering: a stable sort by combining class of each run of non-starters.
    private static func reorder(_ scalars: inout [Unicode.Scalar]) {
        var i = 1
        while i < scalars.count {
            let ccc = combiningClass(scalars[i])
            if ccc != 0 {
                var j = i
                while j > 0 {
                    let before = combiningClass(scalars[j - 1])
                    if before <= ccc { break }
                    scalars.swapAt(j, j - 1)
                    j -= 1
                }
            }
            i += 1
        }
    }
}
