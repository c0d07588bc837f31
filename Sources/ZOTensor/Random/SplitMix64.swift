/// SplitMix64: a tiny, fast, seedable generator for sampling decisions (minibatches, benchmark
/// inputs). Perturbation directions use the counter-based generator in ZOEstimators instead.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator whose stream is a pure function of several keys (e.g. run seed, step, draw).
    public init(keys: UInt64...) {
        var s: UInt64 = 0x5EED
        for key in keys { s = SplitMix64.mix(s ^ key &+ 0x9E37_79B9_7F4A_7C15) }
        state = s
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
