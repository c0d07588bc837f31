/// tanh in place over `count` floats (the BERT pooler's activation).
public func tanhInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    mapInPlace(x, count: count, vectorTanh)
}

/// tanh for 16 lanes as sign(x) · (1 − e^{−2|x|}) / (1 + e^{−2|x|}): never overflows, and the absolute
/// error stays within a few 1e-8 (near 0 the relative error grows, which a pooler does not feel).
@inline(__always)
public func vectorTanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let magnitude = x.replacing(with: -x, where: x .< 0)
    let e = vectorExp(-2 * magnitude)
    let y = (1 - e) / (1 + e)
    return y.replacing(with: -y, where: x .< 0)
}
