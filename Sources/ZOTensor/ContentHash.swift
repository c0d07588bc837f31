/// A fast 128-bit fingerprint of bytes, for cache keys (not cryptographic): four independent
/// multiply–rotate lanes over 32-byte words (SIMD), so hashing a 135M-parameter model's 540 MB of
/// weights costs a fraction of a second, then a splitmix finalizer per half.
public struct ContentHash: Sendable {
    private var lanes = SIMD4<UInt64>(0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63)
    private var length: UInt64 = 0

    public init() {}

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 32
        var lanes = self.lanes
        let prime = SIMD4<UInt64>(repeating: 0x9FB2_1C65_1E98_DF25)
        for i in 0..<words {
            let word = bytes.loadUnaligned(fromByteOffset: i * 32, as: SIMD4<UInt64>.self)
            lanes = (lanes ^ word) &* prime
            lanes = (lanes &<< 29) | (lanes &>> 35)
        }
        var tail = SIMD4<UInt64>(repeating: 0)
        withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(words * 32)...])) }
        self.lanes = ((lanes ^ tail) &* prime) ^ SIMD4<UInt64>(repeating: UInt64(bytes.count))
        length &+= UInt64(bytes.count)
    }

    public mutating func combine<T>(_ values: [T]) where T: BitwiseCopyable {
        values.withUnsafeBytes { combine($0) }
    }

    public mutating func combine(_ text: String) {
        combine(Array(text.utf8))
    }

    /// 32 hex digits.
    public var hexDigest: String {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let high = mix(lanes[0] ^ mix(lanes[1] ^ length)), low = mix(lanes[2] ^ mix(lanes[3] ^ ~length))
        return [high, low].map { String($0, radix: 16).leftPadded(to: 16) }.joined()
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
