import CZOKernels

/// Rotary position embedding tables in the Hugging Face `rotate_half` convention: dimension `i` of a
/// head is paired with `i + headDim/2`, rotated by `position · base^(−2i/headDim)`.
public struct RotaryEmbedding: Sendable {
    public let headDim: Int
    public let base: Float
    /// cos and sin tables, `[position][headDim/2]`.
    public private(set) var cosines: [Float] = []
    public private(set) var sines: [Float] = []
    public private(set) var positions = 0
    /// The rotation speed of each dimension pair, radians per position.
    public let inverseFrequencies: [Float]

    /// `frequencyDivisors` (one per frequency, e.g. Llama 3's rope scaling) divide the default
    /// inverse frequencies; nil keeps them.
    public init(headDim: Int, base: Float, frequencyDivisors: [Double]? = nil) {
        self.headDim = headDim
        self.base = base
        let frequencies = Self.defaultInverseFrequencies(headDim: headDim, base: base)
        if let frequencyDivisors {
            precondition(frequencyDivisors.count == frequencies.count, "one divisor per rotary frequency")
            inverseFrequencies = zip(frequencies, frequencyDivisors).map { Float(Double($0) / $1) }
        } else {
            inverseFrequencies = frequencies
        }
    }

    /// `base^(−2i/headDim)` for i in 0..<headDim/2, in the same float32 computation order as
    /// transformers' default rope init.
    public static func defaultInverseFrequencies(headDim: Int, base: Float) -> [Float] {
        (0..<(headDim / 2)).map { i in 1 / Float(pow(Double(base), Double(Float(2 * i) / Float(headDim)))) }
    }

    /// Grows the tables to cover positions `0..<count`.
    public mutating func reserve(positions count: Int) {
        guard count > positions else { return }
        let half = headDim / 2
        cosines.reserveCapacity(count * half)
        sines.reserveCapacity(count * half)
        for p in positions..<count {
            for i in 0..<half {
                let angle = Float(p) * inverseFrequencies[i]
                cosines.append(Float(cos(Double(angle))))
                sines.append(Float(sin(Double(angle))))
            }
        }
        positions = count
    }

    /// Rotates `heads` consecutive heads of each of `rows` rows in place; row `r` is at position
    /// `firstPosition + r`, and consecutive rows are `stride` floats apart.
    public func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, stride: Int, heads: Int, firstPosition: Int
    ) {
        precondition(firstPosition + rows <= positions, "rotary tables not reserved")
        let half = headDim / 2
        cosines.withUnsafeBufferPointer { cosTable in
            sines.withUnsafeBufferPointer { sinTable in
                zo_rotary_apply(
                    x, rows, stride, heads, headDim, cosTable.baseAddress! + firstPosition * half,
                    sinTable.baseAddress! + firstPosition * half)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
