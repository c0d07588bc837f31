/// bfloat16: the top 16 bits of an fp32 bit pattern (8 exponent bits, 7 mantissa bits), the format
/// of Hugging Face's bf16 releases and of AVX512-BF16.
public enum BFloat16 {
    /// Rounds `count` finite floats to bfloat16, to nearest with ties to even (what PyTorch's
    /// `.to(torch.bfloat16)` does).
    public static func round(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>, count: Int) {
        var index = 0
        while index + 16 <= count {
            let bits = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD16<UInt32>.self)
            let bias = SIMD16<UInt32>(repeating: 0x7FFF) &+ ((bits &>> 16) & 1)
            UnsafeMutableRawPointer(destination + index).storeBytes(
                of: SIMD16<UInt16>(truncatingIfNeeded: (bits &+ bias) &>> 16), as: SIMD16<UInt16>.self)
            index += 16
        }
        while index < count {
            destination[index] = round(source[index])
            index += 1
        }
    }

    public static func round(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// Widens `count` bfloat16 values to fp32 (exact).
    public static func widen(_ source: UnsafePointer<UInt16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index + 16 <= count {
            let halves = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD16<UInt16>.self)
            UnsafeMutableRawPointer(destination + index).storeBytes(
                of: SIMD16<UInt32>(truncatingIfNeeded: halves) &<< 16, as: SIMD16<UInt32>.self)
            index += 16
        }
        while index < count {
            destination[index] = widen(source[index])
            index += 1
        }
    }

    public static func widen(_ value: UInt16) -> Float { Float(bitPattern: UInt32(value) << 16) }
}
