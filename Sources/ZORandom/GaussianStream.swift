import CZOKernels

/// The standard-normal sequence z(seed, tensor, kind, i), i = 0, 1, 2, …: a pure function of its
/// arguments, so every sweep, thread split and replay sees the same numbers.
///
/// Layout: Philox4x32-10 with key = seed and counter = (block low, block high, tensor, kind). Each
/// block gives four 32-bit words and, by Box–Muller, four normals. Elements are grouped by 64 so that
/// one 16-lane pass of 16 blocks fills them without any shuffling: element 64g + 16j + l is normal j
/// of block 16g + l. (A scalar-friendly order "4 consecutive elements per block" would need a 4×16
/// transpose per group.)
///
/// Box–Muller: word 0 (resp. 2) gives a 23-bit uniform u ∈ (0, 1] and the radius √(−2 ln u); word 1
/// (resp. 3) gives the angle: its top two bits pick the quadrant and the next 23 bits a point in
/// [−π/4, π/4), so sin/cos only need their short polynomials and no range reduction. |z| ≤ 5.65
/// (23-bit uniforms), harmless for SPSA.
public struct GaussianStream: Sendable, Hashable {
    /// What the numbers are for. Separates streams that share a (seed, tensor).
    public enum Kind: UInt32, Sendable {
        /// Dense perturbation of a tensor's elements.
        case dense = 0
        /// A low-rank method's r×r coefficient matrix for a step.
        case coefficients = 1
        /// Gaussian rows×rank matrix whose Q factor is a window's left basis.
        case basisRows = 2
        /// Gaussian columns×rank matrix whose Q factor is a window's right basis.
        case basisColumns = 3
        /// Randomized-SVD test matrix.
        case sketch = 4
        /// DiZO's per-layer projection scalars.
        case projection = 5
        /// Random signs (P-GAP's ξ).
        case signs = 6
        /// Dense perturbation by random signs (FZOO's Rademacher directions): the one kind whose
        /// elements are ±1, not normals — element 64g + 16j + l is the top bit of word j of block 16g + l.
        case rademacher = 7
    }

    public let key: SIMD2<UInt32>
    public let tensor: UInt32
    public let kind: Kind

    public init(seed: UInt64, tensor: Int, kind: Kind = .dense) {
        key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        self.tensor = UInt32(truncatingIfNeeded: tensor)
        self.kind = kind
    }

    /// Elements per SIMD group (16 Philox blocks × 4 normals).
    public static let groupSize = 64

    /// The stream's name as the C kernels take it.
    var kernelStream: zo_gaussian_stream {
        zo_gaussian_stream(key0: key[0], key1: key[1], tensor: tensor, kind: kind.rawValue)
    }

    /// z[index] (computes its whole group: for tests and one-off scalars, not for loops).
    public func normal(at index: Int) -> Float {
        var value: Float = 0
        zo_gaussian_fill(kernelStream, &value, index, index + 1)
        return value
    }

    /// 32 random bits for `index` (one Philox block per index; used for signs).
    public func bits(at index: Int) -> UInt32 {
        let i = UInt64(index)
        let counter = SIMD4(
            UInt32(truncatingIfNeeded: i), UInt32(truncatingIfNeeded: i >> 32), tensor, kind.rawValue)
        return Philox4x32.block(counter: counter, key: key)[0]
    }

    /// out[k] = z[range.lowerBound + k] for k in 0..<range.count.
    public func fill(_ out: UnsafeMutablePointer<Float>, range: Range<Int>) {
        zo_gaussian_fill(kernelStream, out, range.lowerBound, range.upperBound)
    }

    /// An array of z[range] (convenience for small matrices: bases, r×r coefficients).
    public func normals(_ range: Range<Int>) -> [Float] {
        [Float](unsafeUninitializedCapacity: range.count) { buffer, count in
            if let start = buffer.baseAddress, !range.isEmpty { fill(start, range: range) }
            count = range.count
        }
    }
}
