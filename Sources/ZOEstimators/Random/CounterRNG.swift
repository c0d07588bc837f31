import _Builtin_intrinsics.intel

/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
/// counter-based generator, i.e. a keyed bijection of a 128-bit counter.
///
/// Why counter-based: a zeroth-order step regenerates the same direction z three times (perturb,
/// flip, update), on any number of threads, and replay/resume regenerate it again months later. With
/// z[i] = f(key, counter(i)) there is no generator state to carry, split or save.
///
/// Why Philox rather than the twice-as-fast SplitMix-style counter hash of compute.md §4: Philox is a
/// published, widely used construction with known-answer vectors (checked in `CounterRNGTests`).
/// The price is ≈ 0.1 s per MeZO step at 135 M parameters: the fused sweep measured ≈ 1.1 G params/s
/// on one thread and ≈ 2.2 on two (`SweepThroughputTests`), against 2.4 / 4.7 for the hash.
public enum Philox4x32 {
    static let multiplier0: UInt32 = 0xD251_1F53
    static let multiplier1: UInt32 = 0xCD9E_8D57
    static let weyl0: UInt32 = 0x9E37_79B9
    static let weyl1: UInt32 = 0xBB67_AE85

    /// One block: 10 rounds on `counter` under `key`. Scalar reference; the fill kernels use `lanes`.
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 {
                k[0] = k[0] &+ weyl0
                k[1] = k[1] &+ weyl1
            }
            let product0 = UInt64(multiplier0) * UInt64(c[0])
            let product1 = UInt64(multiplier1) * UInt64(c[2])
            c = SIMD4(
                UInt32(truncatingIfNeeded: product1 >> 32) ^ c[1] ^ k[0],
                UInt32(truncatingIfNeeded: product1),
                UInt32(truncatingIfNeeded: product0 >> 32) ^ c[3] ^ k[1],
                UInt32(truncatingIfNeeded: product0))
        }
        return c
    }

    /// 16 independent blocks at once: lane `l` of the result is `block` of lane `l` of the counters.
    /// Same bits as the scalar version (tested).
    @inline(__always)
    public static func lanes(
        _ counter0: SIMD16<UInt32>, _ counter1: SIMD16<UInt32>, _ counter2: SIMD16<UInt32>,
        _ counter3: SIMD16<UInt32>, key: SIMD2<UInt32>
    ) -> (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>) {
        var c0 = counter0, c1 = counter1, c2 = counter2, c3 = counter3
        for round in 0..<UInt32(10) {
            // Round keys k + round·W (branch-free, so the loop unrolls cleanly).
            let k0 = key[0] &+ round &* weyl0, k1 = key[1] &+ round &* weyl1
            let (high0, low0) = multiplyHighLow(c0, multiplier0)
            let (high1, low1) = multiplyHighLow(c2, multiplier1)
            c0 = high1 ^ c1 ^ SIMD16(repeating: k0)
            c1 = low1
            c2 = high0 ^ c3 ^ SIMD16(repeating: k1)
            c3 = low0
        }
        return (c0, c1, c2, c3)
    }

    /// Two independent sets of 16 blocks in one loop: the second chain fills the multiplier latency
    /// of the first (the rounds of one block are a dependency chain).
    @inline(__always)
    public static func lanes(
        _ a: (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>),
        _ b: (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>), key: SIMD2<UInt32>
    ) -> (
        (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>),
        (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>)
    ) {
        var a0 = a.0, a1 = a.1, a2 = a.2, a3 = a.3
        var b0 = b.0, b1 = b.1, b2 = b.2, b3 = b.3
        for round in 0..<UInt32(10) {
            let k0 = key[0] &+ round &* weyl0, k1 = key[1] &+ round &* weyl1
            let (ha0, la0) = multiplyHighLow(a0, multiplier0)
            let (hb0, lb0) = multiplyHighLow(b0, multiplier0)
            let (ha1, la1) = multiplyHighLow(a2, multiplier1)
            let (hb1, lb1) = multiplyHighLow(b2, multiplier1)
            let key0 = SIMD16<UInt32>(repeating: k0), key1 = SIMD16<UInt32>(repeating: k1)
            a0 = ha1 ^ a1 ^ key0
            b0 = hb1 ^ b1 ^ key0
            a1 = la1
            b1 = lb1
            a2 = ha0 ^ a3 ^ key1
            b2 = hb0 ^ b3 ^ key1
            a3 = la0
            b3 = lb0
        }
        return ((a0, a1, a2, a3), (b0, b1, b2, b3))
    }

    /// Full 64-bit products of 16 lanes with a constant, split into high and low words. Uses
    /// `vpmuludq` on even and odd lanes (two instructions) instead of widening to 64-bit vectors.
    @inline(__always)
    static func multiplyHighLow(_ a: SIMD16<UInt32>, _ m: UInt32) -> (high: SIMD16<UInt32>, low: SIMD16<UInt32>) {
        let wide = unsafeBitCast(a, to: SIMD8<UInt64>.self)
        let factor = unsafeBitCast(SIMD8<UInt64>(repeating: UInt64(m)), to: SIMD8<Int64>.self)
        let even = unsafeBitCast(
            _mm512_mul_epu32(unsafeBitCast(wide, to: SIMD8<Int64>.self), factor), to: SIMD8<UInt64>.self)
        let odd = unsafeBitCast(
            _mm512_mul_epu32(unsafeBitCast(wide &>> 32, to: SIMD8<Int64>.self), factor), to: SIMD8<UInt64>.self)
        let mask = SIMD8<UInt64>(repeating: 0xFFFF_FFFF_0000_0000)
        let high = (even &>> 32) | (odd & mask)
        return (unsafeBitCast(high, to: SIMD16<UInt32>.self), a &* SIMD16(repeating: m))
    }
}

/// Derives independent 64-bit seeds from a run seed and small integers (step, direction, window, …)
/// with the SplitMix64 finaliser. Non-linear on purpose: `seed + k` style derivations make nearby
/// streams overlap (compute.md §4).
public enum SeedDerivation {
    /// SplitMix64's output function: a bijective 64-bit mixer with full avalanche.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for `purpose` under `base`, keyed by `values` in order.
    public static func derive(_ base: UInt64, _ purpose: Purpose, _ values: Int...) -> UInt64 {
        var hash = mix(base ^ mix(purpose.rawValue))
        for value in values { hash = mix(hash ^ mix(UInt64(bitPattern: Int64(value)))) }
        return hash
    }

    /// Domain separation: seeds for different uses of the same (runSeed, step) never coincide.
    public enum Purpose: UInt64, Sendable {
        /// A step's perturbation direction(s): (step, direction).
        case direction = 0x6469_7265_6374
        /// SubZero's random bases for a window: (window).
        case subspaceBasis = 0x6261_7369_73
        /// P-GAP's dense probes: (window, probe).
        case probe = 0x7072_6F62_65
        /// P-GAP's randomized-SVD test matrices: (window).
        case sketch = 0x736B_6574_6368
        /// DiZO's projection scalars: (step, iteration).
        case projection = 0x7072_6F6A
    }
}
