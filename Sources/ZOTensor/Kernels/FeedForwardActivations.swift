/// The pointwise nonlinearities of two-matrix MLPs (OPT's ReLU, GPT-2's tanh-approximated GELU,
/// BERT's exact GELU), applied in place to the first linear layer's output.

/// x = max(x, 0) over `count` floats.
public func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    mapInPlace(x, count: count) { pointwiseMax($0, SIMD16(repeating: 0)) }
}

/// x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) over `count` floats: transformers' `gelu_new`
/// (also `gelu_pytorch_tanh`). Computed as x·sigmoid(2u), since 0.5·(1 + tanh(u)) = sigmoid(2u):
/// one `vectorExp` per lane instead of a libm `tanhf` call (65× faster, compute.md §3).
public func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
    mapInPlace(x, count: count, geluTanh)
}

@inline(__always)
private func geluTanh(_ v: SIMD16<Float>) -> SIMD16<Float> {
    // 2u = 2·√(2/π)·(x + 0.044715·x³)
    let twiceU = SIMD16<Float>(repeating: 1.595_769_1) * v.addingProduct(SIMD16(repeating: 0.044_715) * v * v, v)
    return v / (SIMD16(repeating: 1) + vectorExp(-twiceU))
}

/// GELU in place over `count` floats, the exact (erf) form BERT's `hidden_act: "gelu"` means:
/// x · ½ · (1 + erf(x / √2)). Not the tanh approximation (`gelu_new`), which differs by a few 1e-4.
public func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    mapInPlace(x, count: count, geluVector)
}

@inline(__always)
private func geluVector(_ v: SIMD16<Float>) -> SIMD16<Float> {
    v * 0.5 * (1 + vectorErf(v * 0.707_106_781_186_547_5))
}

/// erf for 16 lanes: Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), the approximation PyTorch's
/// vectorised CPU `erf` (and so its GELU) uses: erf(x) = sign(x) · (1 − t·P(t)·e^{−x²}),
/// t = 1 / (1 + 0.3275911·|x|).
@inline(__always)
public func vectorErf(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let magnitude = x.replacing(with: -x, where: x .< 0)
    let t = 1 / SIMD16<Float>(repeating: 1).addingProduct(magnitude, SIMD16(repeating: 0.327_591_1))
    var p = SIMD16<Float>(repeating: -1.453_152_027).addingProduct(t, SIMD16(repeating: 1.061_405_429))
    p = SIMD16<Float>(repeating: 1.421_413_741).addingProduct(p, t)
    p = SIMD16<Float>(repeating: -0.284_496_736).addingProduct(p, t)
    p = SIMD16<Float>(repeating: 0.254_829_592).addingProduct(p, t)
    let e = 1 - p * t * vectorExp(-magnitude * magnitude)
    return e.replacing(with: -e, where: x .< 0)
}
