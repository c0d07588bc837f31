import CZOKernels

/// y[r] = (x[r] − mean) / sqrt(var + eps) · gain + bias over rows of `width` (transformers'
/// `nn.LayerNorm`, biased variance, fp32). Two passes over the row (mean, then deviations from it):
/// the one-pass E[x²] − mean² form loses every digit when |mean| ≫ std. `x` and `y` may alias.
public func layerNorm(
    _ x: UnsafePointer<Float>, gain: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    into y: UnsafeMutablePointer<Float>, rows: Int, width: Int, epsilon: Float
) {
    zo_layer_norm(x, gain, bias, y, rows, width, epsilon)
}
