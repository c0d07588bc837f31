/// Element types of the safetensors format, with their byte widths and fp32 decoding.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    public var byteWidth: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// Decodes `bytes` (exactly `out.count` elements) to fp32; integers convert by value.
    func decode(bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>, tensor: String) throws {
        guard bytes.count == out.count * byteWidth else {
            throw FormatError.byteLengthMismatch(
                tensor: tensor, shape: [out.count], dtype: rawValue, expected: out.count * byteWidth,
                actual: bytes.count)
        }
        guard let src = bytes.baseAddress, let dst = out.baseAddress else { return }
        switch self {
        case .f32: dst.update(from: src.assumingMemoryBound(to: Float.self), count: out.count)
        case .f16: Dequantizer.decodeFloat16(src, into: dst, count: out.count)
        case .bf16: Dequantizer.decodeBFloat16(src, into: dst, count: out.count)
        case .f64: for i in 0..<out.count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        case .i64: for i in 0..<out.count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
        case .i32: for i in 0..<out.count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
        case .i16: for i in 0..<out.count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
        case .i8: for i in 0..<out.count { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case .u8, .bool: for i in 0..<out.count { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        }
    }
}
