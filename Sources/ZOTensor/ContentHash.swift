/// A fast fingerprint of bytes for cache keys (not cryptographic; 32 hex digits from four 64-bit
/// lanes): xxHash64's round (multiply, rotate, multiply) on four lanes over 32-byte words (SIMD), so
/// hashing a 135M-parameter model's 540 MB of weights costs a fraction of a second; the lanes are
/// folded with splitmix64's finalizer.
public struct ContentHash: Sendable {
    private var lanes = SIMD4<UInt64>(0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63)
    private var length: UInt64 = 0

    public init() {}

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 32
        var lanes = self.lanes
        for i in 0..<words {
            lanes = Self.round(lanes, bytes.loadUnaligned(fromByteOffset: i * 32, as: SIMD4<UInt64>.self))
        }
        var tail = SIMD4<UInt64>(repeating: 0)
        withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(words * 32)...])) }
        self.lanes = Self.round(lanes, tail ^ SIMD4<UInt64>(repeating: UInt64(bytes.count) << 32))
        length &+= UInt64(bytes.count)
    }

    /// xxHash64's accumulate step per lane: lane = rotl(lane + word·P2, 31)·P1.
    @inline(__always)
    private static func round(_ lanes: SIMD4<UInt64>, _ word: SIMD4<UInt64>) -> SIMD4<UInt64> {
        let mixed = lanes &+ word &* SIMD4(repeating: 0xC2B2_AE3D_27D4_EB4F)
        return ((mixed &<< 31) | (mixed &>> 33)) &* SIMD4(repeating: 0x9E37_79B1_85EB_CA87)
    }

    public mutating func combine<T>(_ values: [T]) where T: BitwiseCopyable {
        values.withUnsafeBytes { combine($0) }
    }

    public mutating func combine(_ text: String) {
        combine(Array(text.utf8))
    }

    /// 32 hex digits.
    public var hexDigest: String {
        let (high, low) = words
        return [high, low].map { String($0, radix: 16).leftPadded(to: 16) }.joined()
    }

    /// The fingerprint as two 64-bit words.
    public var words: (UInt64, UInt64) {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let high = mix(lanes[0] ^ mix(lanes[1] ^ mix(lanes[2] ^ mix(lanes[3] ^ length))))
        let low = mix(lanes[3] ^ mix(lanes[2] ^ mix(lanes[1] ^ mix(lanes[0] ^ ~length))))
        return (high, low)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
