/// out[r, j] = silu(gate[r, j]) · up[r, j] where each input row holds `[gate (width) | up (width)]`
/// side by side (the fused gate/up GEMM output). `silu(g) = g / (1 + e^{−g})`.
public func swiGLU(
    _ gateUp: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int
) {
    let vectorWidth = width / 16 * 16
    for row in 0..<rows {
        let g = gateUp + row * 2 * width
        let u = g + width
        let o = out + row * width
        var i = 0
        while i < vectorWidth {
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
            let uv = UnsafeRawPointer(u + i).loadUnaligned(as: SIMD16<Float>.self)
            let silu = gv / (SIMD16(repeating: 1) + vectorExp(-gv))
            UnsafeMutableRawPointer(o + i).storeBytes(of: silu * uv, as: SIMD16<Float>.self)
            i += 16
        }
        for j in vectorWidth..<width {
            let x = g[j]
            o[j] = x / (1 + _exp(-x)) * u[j]
        }
    }
}

@inline(__always)
func _exp(_ x: Float) -> Float { vectorExp(SIMD16(repeating: x))[0] }
