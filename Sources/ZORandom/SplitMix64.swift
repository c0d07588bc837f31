import Foundation

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): a tiny, fast, seedable generator for sampling
/// decisions (dataset splits, minibatches, benchmark inputs). Perturbation directions use the
/// counter-based Philox generator (`GaussianStream`) instead. Bounded draws and shuffles are written out
/// rather than using the standard library's `shuffle(using:)`, whose draws are an implementation
/// detail, so a seed gives the same samples on every platform and Swift version.
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

    /// Uniform in `0..<bound` (`bound` > 0): Lemire's multiply-shift with rejection (unbiased).
    public mutating func below(_ bound: Int) -> Int {
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold { product = next().multipliedFullWidth(by: n) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of `items` (Fisher–Yates from the last index down).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var out = items
        var i = out.count - 1
        while i > 0 {
            out.swapAt(i, below(i + 1))
            i -= 1
        }
        return out
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal draw: Box–Muller (cosine branch) on two 53-bit uniforms, u₁ ∈ (0, 1].
    public mutating func nextStandardNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) / 9_007_199_254_740_992
        let u2 = Double(next() >> 11) / 9_007_199_254_740_992
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
