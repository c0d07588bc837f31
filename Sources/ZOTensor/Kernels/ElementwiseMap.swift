/// Applies a 16-lane function to `count` floats in place, the ragged end through one padded vector,
/// so every element sees exactly the same arithmetic (activations: GELU, tanh).
@inline(__always)
func mapInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, _ f: (SIMD16<Float>) -> SIMD16<Float>) {
    let vectorCount = count / 16 * 16
    var i = 0
    while i < vectorCount {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(x + i).storeBytes(of: f(v), as: SIMD16<Float>.self)
        i += 16
    }
    guard vectorCount < count else { return }
    var tail = SIMD16<Float>()
    for j in vectorCount..<count { tail[j - vectorCount] = x[j] }
    let result = f(tail)
    for j in vectorCount..<count { x[j] = result[j - vectorCount] }
}
