/// SentencePiece's byte tokens `<0x00>` ... `<0xFF>`, which stand for one raw byte each: the encoder
/// falls back to them for characters missing from the vocabulary, the decoder turns them back into bytes.
enum ByteFallbackTokens {
    /// The spelling of `byte` (upper-case hex, as SentencePiece, HF and llama.cpp write it).
    static func spelling(of byte: UInt8) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        return String(decoding: [0x3C, 0x30, 0x78, hex[Int(byte >> 4)], hex[Int(byte & 15)], 0x3E], as: UTF8.self)
    }

    /// The ids of the 256 byte tokens in `modelIDs` (-1 where missing).
    static func ids(in modelIDs: [[UInt8]: Int]) -> [Int32] {
        (0..<256).map { byte in modelIDs[Array(spelling(of: UInt8(byte)).utf8)].map { Int32($0) } ?? -1 }
    }

    /// The byte a decoder reads from `token`: HF `ByteFallback` accepts any six-byte `<0x..>` whose middle
    /// parses with Rust's `u8::from_str_radix(_, 16)` (either case, or `+` and one digit).
    static func byte(spelledBy token: [Unicode.Scalar]) -> UInt8? {
        guard token.count == 6, token[0] == "<", token[1] == "0", token[2] == "x", token[5] == ">",
              let low = hexValue(token[4]) else { return nil }
        if token[3] == "+" { return low }
        guard let high = hexValue(token[3]) else { return nil }
        return high << 4 | low
    }

    private static func hexValue(_ s: Unicode.Scalar) -> UInt8? {
        switch s.value {
        case 0x30...0x39: return UInt8(s.value - 0x30)
        case 0x41...0x46: return UInt8(s.value - 0x41 + 10)
        case 0x61...0x66: return UInt8(s.value - 0x61 + 10)
        default: return nil
        }
    }
}
