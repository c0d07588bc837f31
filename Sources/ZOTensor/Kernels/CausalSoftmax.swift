/// Row-wise softmax of a square `n × n` score matrix under a causal mask: row `i` keeps columns
/// `0...i`, everything to the right becomes exactly 0. In place.
public func causalSoftmax(_ scores: UnsafeMutablePointer<Float>, size n: Int) {
    for i in 0..<n {
        let row = scores + i * n
        let count = i + 1
        softmaxInPlace(row, count: count)
        (row + count).update(repeating: 0, count: n - count)
    }
}

/// Numerically stable softmax of `count` floats in place.
public func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let vectorCount = count / 16 * 16
    var m = -Float.infinity
    var mv = SIMD16<Float>(repeating: -.infinity)
    var i = 0
    while i < vectorCount {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        mv.replace(with: v, where: v .> mv)
        i += 16
    }
    for lane in 0..<16 where mv[lane] > m { m = mv[lane] }
    for j in vectorCount..<count where x[j] > m { m = x[j] }
    let mSplat = SIMD16<Float>(repeating: m)
    var sumVector = SIMD16<Float>()
    i = 0
    while i < vectorCount {
        let v = vectorExp(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - mSplat)
        UnsafeMutableRawPointer(x + i).storeBytes(of: v, as: SIMD16<Float>.self)
        sumVector += v
        i += 16
    }
    var sum = horizontalSum(sumVector)
    for j in vectorCount..<count {
        let e = _exp(x[j] - m)
        x[j] = e
        sum += e
    }
    let inverse = 1 / sum
    let inverseSplat = SIMD16<Float>(repeating: inverse)
    i = 0
    while i < vectorCount {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(x + i).storeBytes(of: v * inverseSplat, as: SIMD16<Float>.self)
        i += 16
    }
    for j in vectorCount..<count { x[j] *= inverse }
}
