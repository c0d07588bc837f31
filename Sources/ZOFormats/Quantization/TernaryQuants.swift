/// ggml's ternary types for BitNet-style models, whose weights are −1, 0 or +1 times a per-256 f16
/// scale: TQ2_0 packs each trit in two bits, TQ1_0 five trits per byte in base 3 (1.69 bits per
/// weight). Formulas and operation order follow ggml-quants.c's `dequantize_row_tq*` and
/// `gguf.quants`, so results are bit-identical to ggml's.
enum TernaryQuants {
    /// TQ1_0's byte groups: (first byte, bytes, base-3 digits per byte).
    private static let tq1Groups = [(start: 0, count: 32, digits: 5), (start: 32, count: 16, digits: 5), (start: 48, count: 4, digits: 4)]

    /// TQ1_0: 54 bytes per 256 weights = 48 bytes of five trits each | 4 bytes of four trits each |
    /// f16 d. A byte b holds its trits as fixed-point base-3 digits: digit n is
    /// ((b · 3ⁿ mod 256) · 3) >> 8. Weights run digit-major over the first 32 bytes, then the next
    /// 16, then the last 4; w = (digit − 1) · d.
    static func decodeTQ1_0(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .tq1_0, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 52), qs = block.bytes(at: 0)
            var next = 0
            for (start, count, digits) in tq1Groups {
                var power: UInt8 = 1
                for _ in 0..<digits {
                    for m in 0..<count {
                        let shifted = qs[start + m] &* power
                        out[next] = Float(Int32((UInt16(shifted) * 3) >> 8) - 1) * d
                        next += 1
                    }
                    power &*= 3
                }
            }
        }
    }

    /// TQ2_0: 66 bytes per 256 weights = 64 bytes of four 2-bit trits each | f16 d. In each half of
    /// 32 bytes, weights run by bit pair (bits 0–1 of the 32 bytes, then bits 2–3, …); w = (q − 1) · d.
    static func decodeTQ2_0(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        forEachBlock(of: .tq2_0, src, into: dst, blocks: blocks) { block, out in
            let d = block.loadHalf(at: 64), qs = block.bytes(at: 0)
            var next = 0
            for half in 0..<2 {
                for pair in 0..<4 {
                    for m in 0..<32 {
                        out[next] = Float(Int32((qs[32 * half + m] >> (2 * pair)) & 3) - 1) * d
                        next += 1
                    }
                }
            }
        }
    }
}
