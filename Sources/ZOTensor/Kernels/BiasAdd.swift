/// x[r, 0..<width] += bias for `rows` rows `stride` floats apart: the bias of a linear layer added
/// after its GEMM (also into one slice of a fused q|k|v output, hence the stride).
public func addBias(
    _ bias: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int? = nil
) {
    let stride = stride ?? width
    let vectorWidth = width / 16 * 16
    for row in 0..<rows {
        let xr = x + row * stride
        var i = 0
        while i < vectorWidth {
            let v = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(bias + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(xr + i).storeBytes(of: v + b, as: SIMD16<Float>.self)
            i += 16
        }
        for j in vectorWidth..<width { xr[j] += bias[j] }
    }
}
