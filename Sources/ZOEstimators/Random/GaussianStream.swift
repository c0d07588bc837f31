/// The standard-normal sequence z(seed, tensor, kind, i), i = 0, 1, 2, …: a pure function of its
/// arguments, so every sweep, thread split and replay sees the same numbers.
///
/// Layout: Philox4x32-10 with key = seed and counter = (block low, block high, tensor, kind). Each
/// block gives four 32-bit words and, by Box–Muller, four normals. Elements are grouped by 64 so that
/// one `SIMD16` pass of 16 blocks fills them without any shuffling: element 64g + 16j + l is normal j
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

    /// The 64 normals of group `group`: vector j holds elements 64·group + 16j + 0…15.
    @inline(__always)
    public func normals(group: Int) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        let block = UInt64(group) &* 16
        // 16·group is a multiple of 16, so adding 0…15 never carries into the high word.
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let (w0, w1, w2, w3) = Philox4x32.lanes(
            SIMD16(repeating: UInt32(truncatingIfNeeded: block)) &+ lanes,
            SIMD16(repeating: UInt32(truncatingIfNeeded: block >> 32)),
            SIMD16(repeating: tensor), SIMD16(repeating: kind.rawValue), key: key)
        let (n0, n1) = Self.boxMuller(radius: w0, angle: w1)
        let (n2, n3) = Self.boxMuller(radius: w2, angle: w3)
        return (n0, n1, n2, n3)
    }

    /// Groups `group` and `group + 1` at once (two interleaved Philox chains; same values as two
    /// `normals(group:)` calls).
    @inline(__always)
    public func normals(pairStartingAt group: Int) -> (
        (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>),
        (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    ) {
        let blockA = UInt64(group) &* 16, blockB = blockA &+ 16
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let t = SIMD16<UInt32>(repeating: tensor), k = SIMD16<UInt32>(repeating: kind.rawValue)
        let (a, b) = Philox4x32.lanes(
            (SIMD16(repeating: UInt32(truncatingIfNeeded: blockA)) &+ lanes,
             SIMD16(repeating: UInt32(truncatingIfNeeded: blockA >> 32)), t, k),
            (SIMD16(repeating: UInt32(truncatingIfNeeded: blockB)) &+ lanes,
             SIMD16(repeating: UInt32(truncatingIfNeeded: blockB >> 32)), t, k), key: key)
        let (a0, a1) = Self.boxMuller(radius: a.0, angle: a.1)
        let (a2, a3) = Self.boxMuller(radius: a.2, angle: a.3)
        let (b0, b1) = Self.boxMuller(radius: b.0, angle: b.1)
        let (b2, b3) = Self.boxMuller(radius: b.2, angle: b.3)
        return ((a0, a1, a2, a3), (b0, b1, b2, b3))
    }

    @inline(__always)
    static func boxMuller(radius: SIMD16<UInt32>, angle: SIMD16<UInt32>) -> (SIMD16<Float>, SIMD16<Float>) {
        let one = SIMD16<UInt32>(repeating: 0x3F80_0000)
        // 2 − [1, 2) = (0, 1]: never 0, so the log is finite.
        let uniform = SIMD16<Float>(repeating: 2) - unsafeBitCast(one | (radius &>> 9), to: SIMD16<Float>.self)
        let r = VectorMath.squareRoot(VectorMath.log(uniform) * SIMD16(repeating: -2))
        let fraction = unsafeBitCast(one | ((angle &<< 2) &>> 9), to: SIMD16<Float>.self) - SIMD16(repeating: 1.5)
        let (cosine, sine) = VectorMath.cosSinReduced(fraction * SIMD16(repeating: Float.pi / 2))
        // Rotate by quadrant q = top two bits: q odd swaps (cos, sin); signs follow (cos, sin) of qπ/2.
        let quadrant = angle &>> 30
        let swap = SIMD16<UInt32>(repeating: 0) &- (quadrant & 1)
        let cosineBits = unsafeBitCast(cosine, to: SIMD16<UInt32>.self)
        let sineBits = unsafeBitCast(sine, to: SIMD16<UInt32>.self)
        var x = (cosineBits & ~swap) | (sineBits & swap)
        var y = (sineBits & ~swap) | (cosineBits & swap)
        x ^= ((quadrant ^ (quadrant &>> 1)) & 1) &<< 31
        y ^= (quadrant &>> 1) &<< 31
        return (r * unsafeBitCast(x, to: SIMD16<Float>.self), r * unsafeBitCast(y, to: SIMD16<Float>.self))
    }

    /// z[index] (computes its whole group: for tests and one-off scalars, not for loops).
    public func normal(at index: Int) -> Float {
        let (n0, n1, n2, n3) = normals(group: index >> 6)
        let lane = index & 15
        switch (index >> 4) & 3 {
        case 0: return n0[lane]
        case 1: return n1[lane]
        case 2: return n2[lane]
        default: return n3[lane]
        }
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
        let base = out - range.lowerBound
        Self.forEachGroup(in: range) { group, start in
            let (n0, n1, n2, n3) = normals(group: group)
            let p = UnsafeMutableRawPointer(base + start)
            p.storeBytes(of: n0, as: SIMD16<Float>.self)
            p.storeBytes(of: n1, toByteOffset: 64, as: SIMD16<Float>.self)
            p.storeBytes(of: n2, toByteOffset: 128, as: SIMD16<Float>.self)
            p.storeBytes(of: n3, toByteOffset: 192, as: SIMD16<Float>.self)
        } partial: { group, lower, upper in
            let (n0, n1, n2, n3) = normals(group: group)
            let start = group << 6
            for index in lower..<upper {
                let offset = index - start, lane = offset & 15
                let value: Float
                switch offset >> 4 {
                case 0: value = n0[lane]
                case 1: value = n1[lane]
                case 2: value = n2[lane]
                default: value = n3[lane]
                }
                base[index] = value
            }
        }
    }

    /// An array of z[range] (convenience for small matrices: bases, r×r coefficients).
    public func normals(_ range: Range<Int>) -> [Float] {
        [Float](unsafeUninitializedCapacity: range.count) { buffer, count in
            if let start = buffer.baseAddress, !range.isEmpty { fill(start, range: range) }
            count = range.count
        }
    }

    /// Splits `range` at multiples of 64: `full(group, start)` for whole groups (start = 64·group),
    /// `partial(group, lower, upper)` for the cut groups at either end.
    @inline(__always)
    static func forEachGroup(
        in range: Range<Int>, full: (Int, Int) -> Void, partial: (Int, Int, Int) -> Void
    ) {
        forEachGroup(in: range, pair: { group, start in
            full(group, start)
            full(group + 1, start + 64)
        }, full: full, partial: partial)
    }

    /// As above, but whole groups come two at a time through `pair(group, start)` (groups `group`
    /// and `group + 1`) while at least two remain.
    @inline(__always)
    static func forEachGroup(
        in range: Range<Int>, pair: (Int, Int) -> Void, full: (Int, Int) -> Void,
        partial: (Int, Int, Int) -> Void
    ) {
        let lower = range.lowerBound, upper = range.upperBound
        guard lower < upper else { return }
        let firstWhole = (lower + 63) >> 6, endWhole = upper >> 6
        guard firstWhole < endWhole else {
            // No whole group: at most two cut ones.
            let group = lower >> 6, boundary = min(upper, (group + 1) << 6)
            partial(group, lower, boundary)
            if boundary < upper { partial(group + 1, boundary, upper) }
            return
        }
        if lower < firstWhole << 6 { partial(firstWhole - 1, lower, firstWhole << 6) }
        var group = firstWhole
        while group + 1 < endWhole {
            pair(group, group << 6)
            group += 2
        }
        if group < endWhole { full(group, group << 6) }
        if endWhole << 6 < upper { partial(endWhole, endWhole << 6, upper) }
    }
}
