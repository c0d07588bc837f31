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
        /// An adapter's initial values (LoRA's A): (tensor).
        case adapterInitialisation = 0x6164_6170_74
    }
}
