/// y[r] = x[r] / sqrt(mean(x[r]²) + eps) · gain, for `rows` rows of width `width` (LLaMA's RMSNorm,
/// computed in fp32 like transformers' `LlamaRMSNorm`). `x` and `y` may alias.
public func rmsNorm(
    _ x: UnsafePointer<Float>, gain: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
    rows: Int, width: Int, epsilon: Float
) {
    let vectorWidth = width / 16 * 16
    for row in 0..<rows {
        let xr = x + row * width
        let yr = y + row * width
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= vectorWidth {
            let a = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(xr + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            acc0 = acc0.addingProduct(a, a)
            acc1 = acc1.addingProduct(b, b)
            i += 32
        }
        if i < vectorWidth {
            let a = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self)
            acc0 = acc0.addingProduct(a, a)
        }
        var sum = horizontalSum(acc0 + acc1)
        for j in vectorWidth..<width { sum += xr[j] * xr[j] }
        let scale = 1 / (sum / Float(width) + epsilon).squareRoot()
        let s = SIMD16<Float>(repeating: scale)
        i = 0
        while i < vectorWidth {
            let a = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self)
            let g = UnsafeRawPointer(gain + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(yr + i).storeBytes(of: a * s * g, as: SIMD16<Float>.self)
            i += 16
        }
        for j in vectorWidth..<width { yr[j] = xr[j] * scale * gain[j] }
    }
}

/// Sum of 16 lanes by a halving tree (`SIMD.sum()` compiles to a sequential scalar chain).
@inline(__always)
public func horizontalSum(_ v: SIMD16<Float>) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    let c = b.lowHalf + b.highHalf
    return c[0] + c[1]
}
