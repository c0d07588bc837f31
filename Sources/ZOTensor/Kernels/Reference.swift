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
