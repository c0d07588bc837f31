/// ggml's original 32-weight blocks (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): one f16 scale `d` per block, plus an
/// f16 minimum `m` for the `_1` types. The `_0` types are symmetric (the quant is offset by half its
/// range), the `_1` types affine. Formulas and operation order follow ggml-quants.c `dequantize_row_*`
/// (and `gguf.quants`), so results are bit-identical to ggml's.
enum LegacyBlockQuants {
    /// Q4_0: 18 bytes = f16 d | 16 bytes of nibbles (see `unpack`); w = d · (q − 8).
    static func decodeQ4_0(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q4_0, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0)
            unpack(block.bytes(at: 2), fifthBits: 0, into: out) { q in d * Float(q - 8) }
        }
    }

    /// Q4_1: 20 bytes = f16 d | f16 m | 16 bytes of nibbles; w = d · q + m.
    static func decodeQ4_1(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q4_1, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0), m = block.loadHalf(at: 2)
            unpack(block.bytes(at: 4), fifthBits: 0, into: out) { q in d * Float(q) + m }
        }
    }

    /// Q5_0: 22 bytes = f16 d | u32 qh (bit i = weight i's fifth bit) | 16 bytes of nibbles; w = d · (q − 16).
    static func decodeQ5_0(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q5_0, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0)
            let qh = block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            unpack(block.bytes(at: 6), fifthBits: qh, into: out) { q in d * Float(q - 16) }
        }
    }

    /// Q5_1: 24 bytes = f16 d | f16 m | u32 qh | 16 bytes of nibbles; w = d · q + m.
    static func decodeQ5_1(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q5_1, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0), m = block.loadHalf(at: 2)
            let qh = block.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            unpack(block.bytes(at: 8), fifthBits: qh, into: out) { q in d * Float(q) + m }
        }
    }

    /// Q8_0: 34 bytes = f16 d | 32 × i8 q; w = d · q.
    static func decodeQ8_0(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q8_0, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0)
            let q = (block + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { out[j] = d * Float(q[j]) }
        }
    }

    /// The layout the 4- and 5-bit types share: byte j of `qs` holds weight j in its low nibble and weight
    /// j + 16 in its high nibble; bit i of `fifthBits` (0 for the 4-bit types) is weight i's bit 4.
    @inline(__always)
    private static func unpack(
        _ qs: UnsafePointer<UInt8>, fifthBits: UInt32, into out: UnsafeMutablePointer<Float>,
        _ weight: (Int32) -> Float
    ) {
        for j in 0..<16 {
            out[j] = weight(Int32(qs[j] & 0x0F) | Int32((fifthBits >> j) & 1) << 4)
            out[j + 16] = weight(Int32(qs[j] >> 4) | Int32((fifthBits >> (j + 16)) & 1) << 4)
        }
    }
}
