import CZOKernels

/// exp, erf and tanh of 16 lanes held as a Swift vector (for tests and one-off values): the same
/// code the kernels run, in CZOKernels.

/// exp(x): Cody–Waite range reduction + Cephes' degree-6 polynomial (≈ 1 ulp). Inputs are clamped to
/// [−87, 88] so that 2ⁿ stays a normal float; exp(−87) ≈ 1.6e−38 stands in for 0.
public func vectorExp(_ x: SIMD16<Float>) -> SIMD16<Float> { mapLanes(x, zo_exp) }

/// erf: Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7).
public func vectorErf(_ x: SIMD16<Float>) -> SIMD16<Float> { mapLanes(x, zo_erf) }

/// tanh as sign(x) · (1 − e^{−2|x|}) / (1 + e^{−2|x|}): never overflows, absolute error a few 1e-8.
public func vectorTanh(_ x: SIMD16<Float>) -> SIMD16<Float> { mapLanes(x, zo_tanh) }

private func mapLanes(_ x: SIMD16<Float>, _ kernel: (UnsafeMutablePointer<Float>?, Int) -> Void) -> SIMD16<Float> {
    var lanes = x
    withUnsafeMutableBytes(of: &lanes) { kernel($0.baseAddress!.assumingMemoryBound(to: Float.self), 16) }
    return lanes
}
