/// GPT-2's reversible byte <-> character table.
///
/// Byte-level BPE vocabularies are stored as strings in which every byte is replaced by a printable
/// character: the printable Latin-1 bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) map to themselves and the
/// remaining 68 bytes map, in order, to U+0100, U+0101, ... (so space is `Ġ` U+0120, newline `Ċ`).
/// Internally the tokenizer works on raw bytes; this table is only needed at the vocabulary boundary.
public enum BytesToUnicode {
    /// `characters[b]` is the character that stands for byte `b`.
    public static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if isSelfMapped(UInt8(b)) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Inverse table indexed by scalar value (all mapped scalars are below U+0144); -1 = not a byte char.
    private static let inverse: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, scalar) in characters.enumerated() { table[Int(scalar.value)] = Int16(b) }
        return table
    }()

    private static func isSelfMapped(_ b: UInt8) -> Bool {
        (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
    }

    /// The byte a character stands for, or nil if the character is not part of the table.
    @inline(__always)
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < inverse.count else { return nil }
        let b = inverse[v]
        return b < 0 ? nil : UInt8(b)
    }

    /// The byte-level spelling of `bytes` (what appears in `vocab`/`merges`).
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(characters[Int(b)]) }
        return String(s)
    }

    /// The bytes a byte-level token spells, or nil if some character is outside the table
    /// (e.g. an added token stored as raw text such as `"hello world"`).
    public static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            guard let b = byte(for: scalar) else { return nil }
            out.append(b)
        }
        return out
    }
}
