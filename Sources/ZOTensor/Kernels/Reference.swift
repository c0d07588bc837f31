import Foundation

/// Naive, obviously-correct twins of the optimised kernels, used only by tests to check them.
public enum ReferenceKernels {
    public static func rmsNorm(_ x: [Float], gain: [Float], rows: Int, width: Int, epsilon: Float) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        for r in 0..<rows {
            var sum: Double = 0
            for j in 0..<width { sum += Double(x[r * width + j]) * Double(x[r * width + j]) }
            let scale = 1 / (sum / Double(width) + Double(epsilon)).squareRoot()
            for j in 0..<width { y[r * width + j] = Float(Double(x[r * width + j]) * scale) * gain[j] }
        }
        return y
    }

    public static func swiGLU(_ gateUp: [Float], rows: Int, width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for j in 0..<width {
                let g = Double(gateUp[r * 2 * width + j]), u = Double(gateUp[r * 2 * width + width + j])
                out[r * width + j] = Float(g / (1 + exp(-g)) * u)
            }
        }
        return out
    }

    public static func softmax(_ x: [Float]) -> [Float] {
        let m = x.max() ?? 0
        let e = x.map { exp(Double($0 - m)) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    /// HF `rotate_half` RoPE of one head vector at `position`.
    public static func rotate(_ head: [Float], position: Int, base: Float) -> [Float] {
        let half = head.count / 2
        var out = head
        for i in 0..<half {
            let inv = 1 / pow(Double(base), Double(2 * i) / Double(head.count))
            let angle = Double(position) * inv
            out[i] = Float(Double(head[i]) * cos(angle) - Double(head[half + i]) * sin(angle))
            out[half + i] = Float(Double(head[half + i]) * cos(angle) + Double(head[i]) * sin(angle))
        }
        return out
    }
}

extension ReferenceKernels {
    /// Self-attention of one head, causal (row i sees keys 0...i) or bidirectional; q, k, v are
    /// `[length × headDim]` row-major.
    public static func selfAttention(
        q: [Float], k: [Float], v: [Float], length: Int, headDim: Int, scale: Float, causal: Bool
    ) -> [Float] {
        var out = [Float](repeating: 0, count: length * headDim)
        for i in 0..<length {
            let keys = causal ? i + 1 : length
            var scores = (0..<keys).map { j in
                Float((0..<headDim).reduce(0.0) { $0 + Double(q[i * headDim + $1]) * Double(k[j * headDim + $1]) }) * scale
            }
            scores = softmax(scores)
            for d in 0..<headDim {
                out[i * headDim + d] = Float((0..<keys).reduce(0.0) { $0 + Double(scores[$1]) * Double(v[$1 * headDim + d]) })
            }
        }
        return out
    }
}

extension ReferenceKernels {
    /// `nn.LayerNorm` of each row, in double precision.
    public static func layerNorm(_ x: [Float], gain: [Float], bias: [Float], rows: Int, width: Int, epsilon: Float) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        for r in 0..<rows {
            let row = x[(r * width)..<((r + 1) * width)].map(Double.init)
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
            for j in 0..<width {
                y[r * width + j] = Float((row[j] - mean) / (variance + Double(epsilon)).squareRoot() * Double(gain[j]) + Double(bias[j]))
            }
        }
        return y
    }

    public static func relu(_ x: [Float]) -> [Float] { x.map { max($0, 0) } }

    /// transformers' `gelu_new`, with libm's tanh in double precision.
    public static func geluTanh(_ x: [Float]) -> [Float] {
        x.map { v in
            let d = Double(v)
            return Float(0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))))
        }
    }

    /// Adds `bias` to every row of `[rows × width]`.
    public static func addBias(_ bias: [Float], to x: [Float], rows: Int, width: Int) -> [Float] {
        (0..<(rows * width)).map { x[$0] + bias[$0 % width] }
    }

    /// Exact GELU, x · ½ · (1 + erf(x/√2)), with libm's erf in double precision.
    public static func gelu(_ x: [Float]) -> [Float] {
        x.map { Float(Double($0) * 0.5 * (1 + erf(Double($0) / 2.0.squareRoot()))) }
    }

    public static func hyperbolicTangent(_ x: [Float]) -> [Float] { x.map { Float(tanh(Double($0))) } }
}
