/// The deterministic generator behind split sampling: SplitMix64 (Steele, Lea & Flood, OOPSLA 2014),
/// state += 0x9E3779B97F4A7C15, output = the SplitMix64 finaliser of the state. Bounded draws use
/// Lemire's multiply-shift with rejection (unbiased); shuffles are Fisher–Yates from the last index down.
/// Written out here rather than using the standard library's `shuffle(using:)`, whose draws are an
/// implementation detail, so a seed gives the same splits on every platform and Swift version.
struct SplitMix64 {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (`bound` > 0).
    mutating func below(_ bound: Int) -> Int {
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold { product = next().multipliedFullWidth(by: n) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of `items`.
    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var out = items
        var i = out.count - 1
        while i > 0 {
            out.swapAt(i, below(i + 1))
            i -= 1
        }
        return out
    }
}
