/// ggml's grid types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M): 256-weight blocks whose
/// groups of 8 (or 4) weights are an index into a fixed codebook of magnitudes (`GridCodebooks`),
/// with signs stored beside them and a scale per 32 (or 16) weights. Formulas and operation order
/// follow ggml-quants.c's `dequantize_row_*` and `gguf.quants` (exact conversions, the same fp32
/// products in the same order, no fused multiply-add), so results are bit-identical to ggml's.
enum GridQuants {
    /// ggml's `ksigns_iq2xs`: 7 stored sign bits, the eighth making the count of minus signs even.
    static let evenSigns: [UInt8] = (0..<128).map { UInt8($0) | UInt8($0.nonzeroBitCount & 1) << 7 }

    /// IQ1_S's and IQ1_M's shift of every codebook value (`IQ1S_DELTA`), negated by a flag bit.
    static let delta: Float = 0.125

    /// The codebooks as floats (small integers, exact), widened once instead of per weight.
    private static let iq2xxs = GridCodebooks.iq2xxs.map { Float($0) }
    private static let iq2xs = GridCodebooks.iq2xs.map { Float($0) }
    private static let iq2s = GridCodebooks.iq2s.map { Float($0) }
    private static let iq3xxs = GridCodebooks.iq3xxs.map { Float($0) }
    private static let iq3s = GridCodebooks.iq3s.map { Float($0) }
    private static let iq1s = GridCodebooks.iq1s.map { Float(Int8(bitPattern: $0)) }

    /// IQ2_XXS: 66 bytes = f16 d | 8 × (4 index bytes | u32 w); w's top 4 bits scale the 32 weights
    /// by db = d · (0.5 + s) · 0.25, its four 7-bit fields pick each group's signs.
    static func decodeIQ2_XXS(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq2xxs.withUnsafeBufferPointer { iq2xxsGrid in
            forEachBlock(of: .iq2_xxs, src, into: dst, blocks: blocks) { block, out in
                let d = block.loadHalf(at: 0)
                for group in 0..<8 {
                    let indices = block.bytes(at: 2 + 8 * group)
                    let packed = block.loadUnaligned(fromByteOffset: 2 + 8 * group + 4, as: UInt32.self)
                    let db = d * (0.5 + Float(packed >> 28)) * 0.25
                    for l in 0..<4 {
                        let signs = evenSigns[Int((packed >> (7 * UInt32(l))) & 127)]
                        place(iq2xxsGrid, entry: Int(indices[l]), width: 8, scale: db, signs: signs,
                              into: out + 32 * group + 8 * l)
                    }
                }
            }
        }
    }

    /// IQ2_XS: 74 bytes = f16 d | 32 u16 (9-bit index | 7-bit signs) | 8 scale bytes, one nibble per
    /// 16 weights: db = d · (0.5 + s) · 0.25.
    static func decodeIQ2_XS(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq2xs.withUnsafeBufferPointer { iq2xsGrid in
            forEachBlock(of: .iq2_xs, src, into: dst, blocks: blocks) { block, out in
                let d = block.loadHalf(at: 0), scales = block.bytes(at: 66)
                for group in 0..<8 {
                    for l in 0..<4 {
                        let q = block.loadUnaligned(fromByteOffset: 2 + 2 * (4 * group + l), as: UInt16.self)
                        let db = quarterScale(d, nibble: scales[group] >> (4 * UInt8(l / 2)))
                        place(iq2xsGrid, entry: Int(q & 511), width: 8, scale: db, signs: evenSigns[Int(q >> 9)],
                              into: out + 32 * group + 8 * l)
                    }
                }
            }
        }
    }

    /// IQ2_S: 82 bytes = f16 d | 32 index bytes | 32 sign bytes | 8 bytes of 2-bit index high parts
    /// | 8 scale bytes (a nibble per 16 weights, db as IQ2_XS).
    static func decodeIQ2_S(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq2s.withUnsafeBufferPointer { iq2sGrid in
            forEachBlock(of: .iq2_s, src, into: dst, blocks: blocks) { block, out in
                let d = block.loadHalf(at: 0)
                let indices = block.bytes(at: 2), signs = block.bytes(at: 34), high = block.bytes(at: 66), scales = block.bytes(at: 74)
                for group in 0..<8 {
                    for l in 0..<4 {
                        let db = quarterScale(d, nibble: scales[group] >> (4 * UInt8(l / 2)))
                        let entry = Int(indices[4 * group + l]) | Int((high[group] >> (2 * UInt8(l))) & 3) << 8
                        place(iq2sGrid, entry: entry, width: 8, scale: db, signs: signs[4 * group + l],
                              into: out + 32 * group + 8 * l)
                    }
                }
            }
        }
    }

    /// IQ3_XXS: 98 bytes = f16 d | 64 index bytes (4 weights each) | 8 u32 w, as IQ2_XXS's but with
    /// db = d · (0.5 + s) · 0.5.
    static func decodeIQ3_XXS(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq3xxs.withUnsafeBufferPointer { iq3xxsGrid in
            forEachBlock(of: .iq3_xxs, src, into: dst, blocks: blocks) { block, out in
                let d = block.loadHalf(at: 0), indices = block.bytes(at: 2)
                for group in 0..<8 {
                    let packed = block.loadUnaligned(fromByteOffset: 66 + 4 * group, as: UInt32.self)
                    let db = d * (0.5 + Float(packed >> 28)) * 0.5
                    for l in 0..<4 {
                        let signs = evenSigns[Int((packed >> (7 * UInt32(l))) & 127)]
                        let values = out + 32 * group + 8 * l
                        place(iq3xxsGrid, entry: Int(indices[8 * group + 2 * l]), width: 4, scale: db, signs: signs,
                              into: values)
                        place(iq3xxsGrid, entry: Int(indices[8 * group + 2 * l + 1]), width: 4, scale: db,
                              signs: signs >> 4, into: values + 4)
                    }
                }
            }
        }
    }

    /// IQ3_S: 110 bytes = f16 d | 64 index bytes | 8 bytes of index high bits | 32 sign bytes | 4
    /// scale bytes (a nibble per 32 weights): db = d · (1 + 2s).
    static func decodeIQ3_S(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq3s.withUnsafeBufferPointer { iq3sGrid in
            forEachBlock(of: .iq3_s, src, into: dst, blocks: blocks) { block, out in
                let d = block.loadHalf(at: 0)
                let indices = block.bytes(at: 2), high = block.bytes(at: 66), signs = block.bytes(at: 74), scales = block.bytes(at: 106)
                for group in 0..<8 {
                    let db = d * Float(1 + 2 * Int((scales[group / 2] >> (4 * UInt8(group % 2))) & 0x0F))
                    for l in 0..<4 {
                        let values = out + 32 * group + 8 * l, sign = signs[4 * group + l]
                        for half in 0..<2 {
                            let k = 2 * l + half
                            let entry = Int(indices[8 * group + k]) | Int((high[group] >> UInt8(k)) & 1) << 8
                            place(iq3sGrid, entry: entry, width: 4, scale: db, signs: sign >> (4 * UInt8(half)),
                                  into: values + 4 * half)
                        }
                    }
                }
            }
        }
    }

    /// IQ1_S: 50 bytes = f16 d | 32 index bytes | 8 u16 h (per 32 weights: 3 index high bits per
    /// group, a 3-bit scale, the delta's sign); w = dl · (g + ±0.125), dl = d · (2s + 1).
    static func decodeIQ1_S(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq1s.withUnsafeBufferPointer { iq1sGrid in
            forEachBlock(of: .iq1_s, src, into: dst, blocks: blocks) { block, out in
                let d = block.loadHalf(at: 0), indices = block.bytes(at: 2)
                for group in 0..<8 {
                    let h = block.loadUnaligned(fromByteOffset: 34 + 2 * group, as: UInt16.self)
                    let dl = d * Float(2 * Int((h >> 12) & 7) + 1)
                    let shift = h & 0x8000 == 0 ? delta : -delta
                    for l in 0..<4 {
                        let entry = Int(indices[4 * group + l]) | Int((h >> (3 * UInt16(l))) & 7) << 8
                        shifted(iq1sGrid, entry: entry, scale: dl, delta: shift, into: out + 32 * group + 8 * l)
                    }
                }
            }
        }
    }

    /// IQ1_M: 56 bytes = 32 index bytes | 16 bytes (per 8 weights: 3 index high bits and the
    /// delta's sign) | 4 u16 holding 3-bit scales per 16 weights and, in their top nibbles, the f16 d.
    static func decodeIQ1_M(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        iq1s.withUnsafeBufferPointer { iq1sGrid in
            forEachBlock(of: .iq1_m, src, into: dst, blocks: blocks) { block, out in
                let indices = block.bytes(at: 0), high = block.bytes(at: 32)
                let sc = { (k: Int) in block.loadUnaligned(fromByteOffset: 48 + 2 * k, as: UInt16.self) }  // no array per block
                let dBits = sc(0) >> 12 | (sc(1) >> 8) & 0x00F0 | (sc(2) >> 4) & 0x0F00 | sc(3) & 0xF000
                let d = Float(Float16(bitPattern: dBits))
                for group in 0..<8 {
                    for l in 0..<4 {
                        let scale = (sc(group / 2) >> UInt16(6 * (group % 2) + 3 * (l / 2))) & 7
                        let dl = d * Float(2 * Int(scale) + 1)
                        let nibble = high[2 * group + l / 2] >> (4 * UInt8(l % 2))
                        let entry = Int(indices[4 * group + l]) | Int(nibble & 7) << 8
                        shifted(iq1sGrid, entry: entry, scale: dl, delta: nibble & 0x08 == 0 ? delta : -delta,
                                into: out + 32 * group + 8 * l)
                    }
                }
            }
        }
    }

    /// IQ2_XS's and IQ2_S's scale of 16 weights from the low nibble of `nibble`: d · (0.5 + s) · 0.25.
    @inline(__always)
    private static func quarterScale(_ d: Float, nibble: UInt8) -> Float { d * (0.5 + Float(nibble & 0x0F)) * 0.25 }

    /// `width` weights from codebook entry `entry`: (scale · magnitude) · ±1, bit j of `signs`
    /// negating weight j by flipping its sign bit (what the product with −1 gives), without a
    /// branch: random signs mispredicted one branch in two and made decoding ≈ 12× slower.
    @inline(__always)
    private static func place(
        _ codebook: UnsafeBufferPointer<Float>, entry: Int, width: Int, scale: Float, signs: UInt8,
        into out: UnsafeMutablePointer<Float>
    ) {
        let values = codebook.baseAddress! + width * entry
        for j in 0..<width {
            let value = scale * values[j]
            out[j] = Float(bitPattern: value.bitPattern ^ UInt32((signs >> UInt8(j)) & 1) << 31)
        }
    }

    /// 8 weights from IQ1's codebook entry `entry`: scale · (g + delta).
    @inline(__always)
    private static func shifted(
        _ codebook: UnsafeBufferPointer<Float>, entry: Int, scale: Float, delta: Float, into out: UnsafeMutablePointer<Float>
    ) {
        let values = codebook.baseAddress! + 8 * entry
        for j in 0..<8 { out[j] = scale * (values[j] + delta) }
    }
}
