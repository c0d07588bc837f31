/// log Σ exp(x_i) over `count` floats, stable (max-shifted), SIMD. Used for log-softmax over the
/// vocabulary at the few positions a candidate-scoring objective needs.
public func logSumExp(_ x: UnsafePointer<Float>, count: Int) -> Float {
    let vectorCount = count / 16 * 16
    var maxVector = SIMD16<Float>(repeating: -.infinity)
    var i = 0
    while i < vectorCount {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        maxVector.replace(with: v, where: v .> maxVector)
        i += 16
    }
    var m = -Float.infinity
    for lane in 0..<16 where maxVector[lane] > m { m = maxVector[lane] }
    for j in vectorCount..<count where x[j] > m { m = x[j] }
    guard m.isFinite else { return m }
    let shift = SIMD16<Float>(repeating: m)
    var sums = SIMD16<Float>()
    i = 0
    while i < vectorCount {
        sums += vectorExp(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - shift)
        i += 16
    }
    var sum = horizontalSum(sums)
    for j in vectorCount..<count { sum += _exp(x[j] - m) }
    return m + Float(log(Double(sum)))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
