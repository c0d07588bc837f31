/// ggml's 4-bit codebook types: each weight is a 4-bit index into a fixed table of 16 values, times
/// a block scale. IQ4_NL and IQ4_XS index a non-linear int8 table fitted to weight distributions;
/// MXFP4 and NVFP4 index the e2m1 floats, which ggml tables doubled (as small integers) and
/// compensates by halving the block scale. Formulas and operation order follow ggml-quants.c's
/// `dequantize_row_*` and `gguf.quants` (one exact int→float widening, one fp32 product per weight
/// and per scale), so results are bit-identical to ggml's.
enum CodebookQuants {
    /// IQ4_NL's and IQ4_XS's table (ggml's `kvalues_iq4nl`).
    static let nonLinear: [Float] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]
    /// The 16 e2m1 values doubled (ggml's `kvalues_mxfp4`): bit 3 is the sign.
    static let e2m1Doubled: [Float] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]

    /// IQ4_NL: 18 bytes = f16 d | 16 bytes of nibbles; w = d · table[q].
    static func decodeIQ4_NL(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .iq4_nl, src, into: dst, blocks: blocks) { block, out in
            lookUp(block.bytes(at: 2), scale: block.loadHalf(at: 0), table: nonLinear, into: out)
        }
    }

    /// IQ4_XS: 136 bytes per 256 weights = f16 d | u16 high scale bits | 4 bytes of low scale nibbles
    /// | 8 × 16 bytes of nibbles. Group g of 32 has the 6-bit scale s = (nibble g of the low bytes) |
    /// (bits 2g, 2g+1 of the high word) << 4; w = (d · (s − 32)) · table[q].
    static func decodeIQ4_XS(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .iq4_xs, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0)
            let high = block.loadUnaligned(fromByteOffset: 2, as: UInt16.self), low = block.bytes(at: 4)
            for group in 0..<8 {
                let scale = Int32((low[group / 2] >> (4 * (group % 2))) & 0x0F) | Int32((high >> (2 * group)) & 3) << 4
                lookUp(block.bytes(at: 8 + 16 * group), scale: d * Float(scale - 32), table: nonLinear, into: out + 32 * group)
            }
        }
    }

    /// MXFP4: 17 bytes = E8M0 exponent e | 16 bytes of nibbles; w = table[q] · 2^(e − 128)
    /// (`ggml_e8m0_to_fp32_half`: built as bits, subnormal for e < 2).
    static func decodeMXFP4(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .mxfp4, src, into: dst, blocks: blocks) { block, out in
            let e = UInt32(block.load(as: UInt8.self))
            let scale = Float(bitPattern: e < 2 ? 0x0020_0000 << e : (e - 1) << 23)
            lookUp(block.bytes(at: 1), scale: scale, table: e2m1Doubled, into: out)
        }
    }

    /// NVFP4: 36 bytes per 64 weights = 4 UE4M3 scales (one per 16) | 4 × 8 bytes of nibbles; in
    /// group g, byte j holds weight j (low nibble) and j + 8 (high); w = table[q] · ue4m3(scale g) / 2.
    static func decodeNVFP4(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .nvfp4, src, into: dst, blocks: blocks) { block, out in
            for group in 0..<4 {
                let scale = halfUE4M3(block.bytes(at: 0)[group]), qs = block.bytes(at: 4 + 8 * group)
                let values = out + 16 * group
                for j in 0..<8 {
                    values[j] = e2m1Doubled[Int(qs[j] & 0x0F)] * scale
                    values[j + 8] = e2m1Doubled[Int(qs[j] >> 4)] * scale
                }
            }
        }
    }

    /// An unsigned e4m3 byte (4 exponent bits biased by 7, 3 mantissa bits; bit 7 ignored) halved,
    /// as `ggml_ue4m3_to_fp32`: 0x00 and 0x7F (NaN in e4m3) give 0. Every value is exact in fp32.
    static func halfUE4M3(_ byte: UInt8) -> Float {
        guard byte != 0, byte != 0x7F else { return 0 }
        let exponent = Int((byte >> 3) & 0x0F), mantissa = Float(byte & 7)
        let raw = exponent == 0 ? mantissa * 0x1p-9 : (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
        return raw * 0.5
    }

    /// The layout IQ4_NL, IQ4_XS's groups and MXFP4 share: byte j of `qs` holds weight j in its low
    /// nibble and weight j + 16 in its high nibble; w = table[q] · scale.
    @inline(__always)
    private static func lookUp(_ qs: UnsafePointer<UInt8>, scale: Float, table: [Float], into out: UnsafeMutablePointer<Float>) {
        for j in 0..<16 {
            out[j] = table[Int(qs[j] & 0x0F)] * scale
            out[j + 16] = table[Int(qs[j] >> 4)] * scale
        }
    }
}
