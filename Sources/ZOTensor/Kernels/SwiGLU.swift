import CZOKernels

/// out[r, j] = silu(gate[r, j]) · up[r, j] where each input row holds `[gate (width) | up (width)]`
/// side by side (the fused gate/up GEMM output). `silu(g) = g / (1 + e^{−g})`. Rows split over the
/// cores (`RowShares`).
public func swiGLU(
    _ gateUp: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int
) {
    RowShares.run(rows: rows, width: 2 * width) { share in
        zo_swiglu(gateUp + share.lowerBound * 2 * width, out + share.lowerBound * width, share.count, width)
    }
}
