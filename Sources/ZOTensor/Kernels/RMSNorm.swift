import CZOKernels

/// y[r] = x[r] / sqrt(mean(x[r]²) + eps) · gain, for `rows` rows of width `width` (LLaMA's RMSNorm,
/// computed in fp32 like transformers' `LlamaRMSNorm`). `x` and `y` may alias. Rows split over the
/// cores (`RowShares`).
public func rmsNorm(
    _ x: UnsafePointer<Float>, gain: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
    rows: Int, width: Int, epsilon: Float
) {
    RowShares.run(rows: rows, width: width) { share in
        zo_rms_norm(x + share.lowerBound * width, gain, y + share.lowerBound * width, share.count, width, epsilon)
    }
}
