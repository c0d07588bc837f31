/// The pointwise nonlinearities of two-matrix MLPs (OPT's ReLU, GPT-2's tanh-approximated GELU),
/// applied in place to the first linear layer's output.

/// x = max(x, 0) over `count` floats.
public func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let vectorCount = count / 16 * 16
    var i = 0
    while i < vectorCount {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(x + i).storeBytes(of: pointwiseMax(v, SIMD16(repeating: 0)), as: SIMD16<Float>.self)
        i += 16
    }
    for j in vectorCount..<count where x[j] < 0 { x[j] = 0 }
}

/// x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) over `count` floats: transformers' `gelu_new`
/// (also `gelu_pytorch_tanh`). Computed as x·sigmoid(2u), since 0.5·(1 + tanh(u)) = sigmoid(2u):
/// one `vectorExp` per lane instead of a libm `tanhf` call (65× faster, compute.md §3).
public func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let vectorCount = count / 16 * 16
    var i = 0
    while i < vectorCount {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(x + i).storeBytes(of: geluTanh(v), as: SIMD16<Float>.self)
        i += 16
    }
    for j in vectorCount..<count { x[j] = geluTanh(SIMD16(repeating: x[j]))[0] }
}

@inline(__always)
private func geluTanh(_ v: SIMD16<Float>) -> SIMD16<Float> {
    // 2u = 2·√(2/π)·(x + 0.044715·x³)
    let twiceU = SIMD16<Float>(repeating: 1.595_769_1) * v.addingProduct(SIMD16(repeating: 0.044_715) * v * v, v)
    return v / (SIMD16(repeating: 1) + vectorExp(-twiceU))
}
