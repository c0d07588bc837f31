import CZOKernels

/// x[r, 0..<width] += bias for `rows` rows `stride` floats apart: the bias of a linear layer added
/// after its GEMM (also into one slice of a fused q|k|v output, hence the stride).
public func addBias(
    _ bias: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int? = nil
) {
    zo_add_bias(bias, x, rows, width, stride ?? width)
}
