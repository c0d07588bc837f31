/// Decodes ggml tensor encodings to fp32. Supported: F32, F16, BF16, Q8_0, Q4_1.
/// Any other type throws `unsupported quantization <type> in tensor <name>`.
public enum Dequantizer {
    public static let supported: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0, .q4_1]

    public static func supports(_ type: GGMLType) -> Bool { supported.contains(type) }

    public static func decode(
        _ type: GGMLType, bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>,
        tensor: String
    ) throws {
        guard supports(type) else { throw FormatError.unsupportedQuantization(type: type.name, tensor: tensor) }
        guard let needed = type.byteCount(elements: out.count), needed == bytes.count else {
            throw FormatError.byteLengthMismatch(
                tensor: tensor, shape: [out.count], dtype: type.name,
                expected: type.byteCount(elements: out.count) ?? -1, actual: bytes.count)
        }
        guard let src = bytes.baseAddress, let dst = out.baseAddress else { return }
        switch type {
        case .f32: dst.update(from: src.assumingMemoryBound(to: Float.self), count: out.count)
        case .f16: decodeFloat16(src, into: dst, count: out.count)
        case .bf16: decodeBFloat16(src, into: dst, count: out.count)
        case .q8_0: decodeQ8_0(src, into: dst, blocks: out.count / 32)
        case .q4_1: decodeQ4_1(src, into: dst, blocks: out.count / 32)
        default: throw FormatError.unsupportedQuantization(type: type.name, tensor: tensor)
        }
    }

    /// IEEE half → float (F16C instruction with `-target-cpu native`).
    @inline(__always)
    static func half(_ raw: UnsafeRawPointer, _ byteOffset: Int) -> Float {
        Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self)))
    }

    static func decodeFloat16(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = half(src, 2 * i) }
    }

    /// bfloat16 is the top half of an fp32 bit pattern.
    static func decodeBFloat16(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let raw = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            dst[i] = Float(bitPattern: UInt32(raw) << 16)
        }
    }

    /// Q8_0: blocks of 32 weights in 34 bytes — f16 scale d, then 32 × i8; w = d · q.
    static func decodeQ8_0(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + 34 * b
            let d = half(block, 0)
            let q = (block + 2).assumingMemoryBound(to: Int8.self)
            let out = dst + 32 * b
            for j in 0..<32 { out[j] = d * Float(q[j]) }
        }
    }

    /// Q4_1: blocks of 32 weights in 20 bytes — f16 scale d, f16 minimum m, 16 bytes of nibbles;
    /// w[j] = d · (q[j] & 0xF) + m and w[j + 16] = d · (q[j] >> 4) + m.
    static func decodeQ4_1(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let block = src + 20 * b
            let d = half(block, 0)
            let m = half(block, 2)
            let q = (block + 4).assumingMemoryBound(to: UInt8.self)
            let out = dst + 32 * b
            for j in 0..<16 {
                out[j] = d * Float(q[j] & 0x0F) + m
                out[j + 16] = d * Float(q[j] >> 4) + m
            }
        }
    }
}
