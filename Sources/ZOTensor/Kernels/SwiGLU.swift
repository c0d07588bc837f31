import CZOKernels

/// out[r, j] = silu(gate[r, j]) · up[r, j] where each input row holds `[gate (width) | up (width)]`
/// side by side (the fused gate/up GEMM output). `silu(g) = g / (1 + e^{−g})`.
public func swiGLU(
    _ gateUp: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int
) {
    zo_swiglu(gateUp, out, rows, width)
}
