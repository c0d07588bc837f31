/// Decodes ggml tensor encodings to fp32. Supported: F32, F16, BF16, the 32-weight block types Q4_0, Q4_1,
/// Q5_0, Q5_1, Q8_0 (`LegacyBlockQuants`), the K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K (`KQuants`),
/// the 4-bit codebook types IQ4_NL, IQ4_XS, MXFP4, NVFP4 (`CodebookQuants`), the grid types IQ1_S,
/// IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S (`GridQuants`) and the ternary TQ1_0, TQ2_0
/// (`TernaryQuants`). Any other type (Q8_1, integers) throws `unsupported quantization <type> in
/// tensor <name>`.
public enum Dequantizer {
    public static let supported: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K,
        .iq4_nl, .iq4_xs, .mxfp4, .nvfp4, .tq1_0, .tq2_0,
        .iq1_s, .iq1_m, .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s,
    ]

    public static func supports(_ type: GGMLType) -> Bool { supported.contains(type) }

    /// Throws what `decode` would for a type it cannot decode, without decoding anything.
    public static func requireSupport(_ type: GGMLType, tensor: String) throws {
        guard supports(type) else { throw FormatError.unsupportedQuantization(type: type.name, tensor: tensor) }
    }

    public static func decode(
        _ type: GGMLType, bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>,
        tensor: String
    ) throws {
        try requireSupport(type, tensor: tensor)
        guard let needed = type.byteCount(elements: out.count), needed == bytes.count else {
            throw FormatError.byteLengthMismatch(
                tensor: tensor, shape: [out.count], dtype: type.name,
                expected: type.byteCount(elements: out.count) ?? -1, actual: bytes.count)
        }
        guard let src = bytes.baseAddress, let dst = out.baseAddress else { return }
        let blocks = out.count / type.blockSize
        switch type {
        case .f32: dst.update(from: src.assumingMemoryBound(to: Float.self), count: out.count)
        case .f16: decodeFloat16(src, into: dst, count: out.count)
        case .bf16: decodeBFloat16(src, into: dst, count: out.count)
        case .q4_0: LegacyBlockQuants.decodeQ4_0(src, into: dst, blocks: blocks)
        case .q4_1: LegacyBlockQuants.decodeQ4_1(src, into: dst, blocks: blocks)
        case .q5_0: LegacyBlockQuants.decodeQ5_0(src, into: dst, blocks: blocks)
        case .q5_1: LegacyBlockQuants.decodeQ5_1(src, into: dst, blocks: blocks)
        case .q8_0: LegacyBlockQuants.decodeQ8_0(src, into: dst, blocks: blocks)
        case .q2_K: KQuants.decodeQ2_K(src, into: dst, blocks: blocks)
        case .q3_K: KQuants.decodeQ3_K(src, into: dst, blocks: blocks)
        case .q4_K: KQuants.decodeQ4_K(src, into: dst, blocks: blocks)
        case .q5_K: KQuants.decodeQ5_K(src, into: dst, blocks: blocks)
        case .q6_K: KQuants.decodeQ6_K(src, into: dst, blocks: blocks)
        case .q8_K: KQuants.decodeQ8_K(src, into: dst, blocks: blocks)
        case .iq4_nl: CodebookQuants.decodeIQ4_NL(src, into: dst, blocks: blocks)
        case .iq4_xs: CodebookQuants.decodeIQ4_XS(src, into: dst, blocks: blocks)
        case .mxfp4: CodebookQuants.decodeMXFP4(src, into: dst, blocks: blocks)
        case .nvfp4: CodebookQuants.decodeNVFP4(src, into: dst, blocks: blocks)
        case .tq1_0: TernaryQuants.decodeTQ1_0(src, into: dst, blocks: blocks)
        case .tq2_0: TernaryQuants.decodeTQ2_0(src, into: dst, blocks: blocks)
        case .iq1_s: GridQuants.decodeIQ1_S(src, into: dst, blocks: blocks)
        case .iq1_m: GridQuants.decodeIQ1_M(src, into: dst, blocks: blocks)
        case .iq2_xxs: GridQuants.decodeIQ2_XXS(src, into: dst, blocks: blocks)
        case .iq2_xs: GridQuants.decodeIQ2_XS(src, into: dst, blocks: blocks)
        case .iq2_s: GridQuants.decodeIQ2_S(src, into: dst, blocks: blocks)
        case .iq3_xxs: GridQuants.decodeIQ3_XXS(src, into: dst, blocks: blocks)
        case .iq3_s: GridQuants.decodeIQ3_S(src, into: dst, blocks: blocks)
        default: throw FormatError.unsupportedQuantization(type: type.name, tensor: tensor)
        }
    }

    static func decodeFloat16(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = src.loadHalf(at: 2 * i) }
    }

    /// bfloat16 is the top half of an fp32 bit pattern.
    static func decodeBFloat16(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let raw = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            dst[i] = Float(bitPattern: UInt32(raw) << 16)
        }
    }
}
