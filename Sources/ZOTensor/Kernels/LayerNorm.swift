/// y[r] = (x[r] − mean) / sqrt(var + eps) · gain + bias over rows of `width` (transformers'
/// `nn.LayerNorm`, biased variance, fp32). Two passes over the row (mean, then deviations from it):
/// the one-pass E[x²] − mean² form loses every digit when |mean| ≫ std. `x` and `y` may alias.
public func layerNorm(
    _ x: UnsafePointer<Float>, gain: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    into y: UnsafeMutablePointer<Float>, rows: Int, width: Int, epsilon: Float
) {
    let vectorWidth = width / 16 * 16
    for row in 0..<rows {
        let xr = x + row * width
        let yr = y + row * width
        var sums = SIMD16<Float>()
        var i = 0
        while i < vectorWidth {
            sums += UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var sum = horizontalSum(sums)
        for j in vectorWidth..<width { sum += xr[j] }
        let roughMean = sum / Float(width)
        let roughSplat = SIMD16<Float>(repeating: roughMean)
        var deviations = SIMD16<Float>(), squares = SIMD16<Float>()
        i = 0
        while i < vectorWidth {
            let d = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self) - roughSplat
            deviations += d
            squares = squares.addingProduct(d, d)
            i += 16
        }
        var deviationSum = horizontalSum(deviations), squareSum = horizontalSum(squares)
        for j in vectorWidth..<width {
            let d = xr[j] - roughMean
            deviationSum += d
            squareSum += d * d
        }
        // The corrected two-pass form: Σd/n repairs the rounding of the first mean (which matters
        // when |mean| ≫ std), and the variance subtracts its square. x − mean is taken as
        // (x − roughMean) − correction, never through a rounded mean.
        let correction = deviationSum / Float(width)
        let correctionSplat = SIMD16<Float>(repeating: correction)
        let variance = max(squareSum / Float(width) - correction * correction, 0)
        let scale = 1 / (variance + epsilon).squareRoot()
        let scaleSplat = SIMD16<Float>(repeating: scale)
        i = 0
        while i < vectorWidth {
            let d = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self) - roughSplat - correctionSplat
            let g = UnsafeRawPointer(gain + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(bias + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(yr + i).storeBytes(of: b.addingProduct(d * scaleSplat, g), as: SIMD16<Float>.self)
            i += 16
        }
        for j in vectorWidth..<width { yr[j] = (xr[j] - roughMean - correction) * scale * gain[j] + bias[j] }
    }
}
