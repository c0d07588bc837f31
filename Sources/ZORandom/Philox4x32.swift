import CZOKernels

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

    /// One block: 10 rounds on `counter` under `key`. Scalar reference for the 16-lane kernels.
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
    /// Same bits as the scalar version (tested); the Gaussian kernels run this code in CZOKernels.
    public static func lanes(
        _ counter0: SIMD16<UInt32>, _ counter1: SIMD16<UInt32>, _ counter2: SIMD16<UInt32>,
        _ counter3: SIMD16<UInt32>, key: SIMD2<UInt32>
    ) -> (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>) {
        var counters = (counter0, counter1, counter2, counter3)
        var words = counters
        withUnsafeBytes(of: &counters) { input in
            withUnsafeMutableBytes(of: &words) { output in
                zo_philox4x32_lanes(
                    input.baseAddress!.assumingMemoryBound(to: UInt32.self), key[0], key[1],
                    output.baseAddress!.assumingMemoryBound(to: UInt32.self))
            }
        }
        return words
    }
}
