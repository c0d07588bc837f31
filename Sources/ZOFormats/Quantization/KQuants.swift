/// ggml's K-quants: 256-weight super-blocks split into groups of 16 or 32 weights. Each group has its own
/// small integer scale (and, for Q2_K/Q4_K/Q5_K, an integer minimum) that multiplies the super-block's
/// f16 `d` (and `dmin`). Layouts and operation order follow ggml-quants.c `dequantize_row_q*_K` (and
/// `gguf.quants`), so results are bit-identical to ggml's. Weight indices below are within a super-block.
enum KQuants {
    /// Q2_K: 84 bytes = scales[16] | qs[64] | f16 d | f16 dmin. Group g (16 weights) has scale byte g:
    /// low nibble s, high nibble m; its 2-bit quants are laid out as `twoBitGroup` says.
    /// w = (d · s) · q − dmin · m.
    static func decodeQ2_K(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q2_K, src, into: dst, blocks: blocks) { block, out in
            let scales = block.bytes(at: 0), qs = block.bytes(at: 16)
            let d = block.loadHalf(at: 80), dmin = block.loadHalf(at: 82)
            for g in 0..<16 {
                let dl = d * Float(scales[g] & 0x0F), ml = dmin * Float(scales[g] >> 4)
                let (q, shift) = twoBitGroup(qs, g)
                for i in 0..<16 { out[16 * g + i] = dl * Float((q[i] >> shift) & 3) - ml }
            }
        }
    }

    /// Q3_K: 110 bytes = hmask[32] | qs[64] | scales[12] | f16 d. Group g (16 weights) has the 6-bit scale
    /// s = low 4 bits from nibble g >> 3 of scales[g & 7], high 2 bits from bit pair g >> 2 of
    /// scales[8 + (g & 3)]. Weight k's quant is its 2-bit `twoBitGroup` value minus 4 unless bit k >> 5 of
    /// hmask[k & 31] is set. w = (d · (s − 32)) · q.
    static func decodeQ3_K(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q3_K, src, into: dst, blocks: blocks) { block, out in
            let hmask = block.bytes(at: 0), qs = block.bytes(at: 32), scales = block.bytes(at: 96)
            let d = block.loadHalf(at: 108)
            for g in 0..<16 {
                let low = (scales[g & 7] >> (4 * (g >> 3))) & 0x0F
                let high = (scales[8 + (g & 3)] >> (2 * (g >> 2))) & 3
                let dl = d * Float(Int32(low | high << 4) - 32)
                let (q, shift) = twoBitGroup(qs, g)
                let h = hmask + 16 * (g & 1), bit = g >> 1
                for i in 0..<16 {
                    let offset: Int32 = (h[i] >> bit) & 1 == 0 ? 4 : 0
                    out[16 * g + i] = dl * Float(Int32((q[i] >> shift) & 3) - offset)
                }
            }
        }
    }

    /// Q4_K: 144 bytes = f16 d | f16 dmin | scales[12] | qs[128]. Eight groups of 32 with 6-bit scale s and
    /// minimum m (`scaleMin`); group g's quants are nibble g & 1 of qs[32 · (g >> 1) ..< +32].
    /// w = (d · s) · q − dmin · m.
    static func decodeQ4_K(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        decodeScaleMinNibbles(.q4_K, src, into: dst, blocks: blocks, quantsAt: 16, fifthBitsAt: nil)
    }

    /// Q5_K: 176 bytes = f16 d | f16 dmin | scales[12] | qh[32] | qs[128]. As Q4_K, and bit g of qh[i] is
    /// bit 4 of group g's weight i.
    static func decodeQ5_K(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        decodeScaleMinNibbles(.q5_K, src, into: dst, blocks: blocks, quantsAt: 48, fifthBitsAt: 16)
    }

    /// Q6_K: 210 bytes = ql[128] | qh[64] | scales[16] (i8) | f16 d. Each half h of 128 weights uses
    /// ql[64h ..< +64] (weight k: nibble k >> 6 of byte k & 63) and qh[32h ..< +32] (weight k: bit pair
    /// k >> 5 of byte k & 31, as bits 4–5); group g of 16 has scale s = scales[g]. w = (d · s) · (q − 32).
    static func decodeQ6_K(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q6_K, src, into: dst, blocks: blocks) { block, out in
            let scales = (block + 192).assumingMemoryBound(to: Int8.self)
            let d = block.loadHalf(at: 208)
            for g in 0..<16 {
                let half = g >> 3, k = g & 7  // group k of 8 within its half
                let ql = block.bytes(at: 64 * half + 16 * (k & 3)), lowShift = UInt8(4 * (k >> 2))
                let qh = block.bytes(at: 128 + 32 * half + 16 * (k & 1)), highShift = UInt8(2 * (k >> 1))
                let dl = d * Float(scales[g])
                for i in 0..<16 {
                    let q = Int32((ql[i] >> lowShift) & 0x0F) | Int32((qh[i] >> highShift) & 3) << 4
                    out[16 * g + i] = dl * Float(q - 32)
                }
            }
        }
    }

    /// Q8_K: 292 bytes = f32 d | 256 × i8 q | bsums[16] (i16 group sums, used only by ggml's dot products);
    /// w = d · q.
    static func decodeQ8_K(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .q8_K, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadUnaligned(as: Float.self)
            let q = (block + 4).assumingMemoryBound(to: Int8.self)
            for j in 0..<256 { out[j] = d * Float(q[j]) }
        }
    }

    /// Where Q2_K and Q3_K keep group g's 2-bit quants: qs is two 32-byte halves of 128 weights, and bit pair
    /// p of byte l in a half holds that half's weight 32p + l. So group g is bit pair (g >> 1) & 3 of
    /// qs[32 · (g >> 3) + 16 · (g & 1) ..< +16].
    @inline(__always)
    private static func twoBitGroup(_ qs: UnsafePointer<UInt8>, _ g: Int) -> (UnsafePointer<UInt8>, UInt8) {
        (qs + 32 * (g >> 3) + 16 * (g & 1), UInt8(2 * ((g >> 1) & 3)))
    }

    /// ggml's `get_scale_min_k4`: eight 6-bit (scale, min) pairs in 12 bytes. Pairs 0–3 are the low 6 bits
    /// of bytes 0–3 (scales) and 4–7 (mins); pairs 4–7 take their low 4 bits from the nibbles of bytes
    /// 8–11 and their top 2 bits from the spare top bits of bytes 0–3 (scales) and 4–7 (mins).
    @inline(__always)
    private static func scaleMin(_ s: UnsafePointer<UInt8>, _ j: Int) -> (scale: Float, min: Float) {
        if j < 4 { return (Float(s[j] & 63), Float(s[j + 4] & 63)) }
        return (Float((s[j + 4] & 0x0F) | (s[j - 4] >> 6) << 4), Float((s[j + 4] >> 4) | (s[j] >> 6) << 4))
    }

    /// Q4_K and Q5_K, which differ only in Q5_K's fifth bits.
    @inline(__always)
    private static func decodeScaleMinNibbles(
        _ type: GGMLType, _ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int,
        quantsAt: Int, fifthBitsAt: Int?
    ) {
        forEachBlock(of: type, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 0), dmin = block.loadHalf(at: 2), scales = block.bytes(at: 4)
            for g in 0..<8 {
                let (s, m) = scaleMin(scales, g)
                let dl = d * s, ml = dmin * m
                let q = block.bytes(at: quantsAt + 32 * (g >> 1)), shift = UInt8(4 * (g & 1))
                if let fifthBitsAt {
                    let qh = block.bytes(at: fifthBitsAt)
                    for i in 0..<32 {
                        out[32 * g + i] = dl * Float((q[i] >> shift) & 0x0F | ((qh[i] >> g) & 1) << 4) - ml
                    }
                } else {
                    for i in 0..<32 { out[32 * g + i] = dl * Float((q[i] >> shift) & 0x0F) - ml }
                }
            }
        }
    }
}
