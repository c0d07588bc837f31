/// A LoRA pair on one linear weight W, with PEFT's semantics: the layer computes
/// x·W + (α/r)·(x·Aᵀ)·Bᵀ, with A (r × inputs) and B (outputs × r). The forward applies the pair beside
/// W and never writes B·A into it, so the base stays as loaded and a step perturbs only A and B.
///
/// A and B live in the adapter's own arena (`owner`), which this value keeps alive.
public struct LoRAFactors: @unchecked Sendable {
    /// The arena holding A and B.
    public let owner: WeightArena
    /// A, r × inputs row-major (`lora_A.weight`).
    public let down: UnsafeMutablePointer<Float>
    /// B, outputs × r row-major (`lora_B.weight`).
    public let up: UnsafeMutablePointer<Float>
    public let rank: Int
    public let inputs: Int
    public let outputs: Int
    /// α / r.
    public let scale: Float

    public init(owner: WeightArena, down: ParameterEntry, up: ParameterEntry, scale: Float) {
        precondition(down.shape.count == 2 && up.shape.count == 2 && down.shape[0] == up.shape[1], "A is r × in, B is out × r")
        self.owner = owner
        self.down = owner.pointer(down)
        self.up = owner.pointer(up)
        rank = down.shape[0]
        inputs = down.shape[1]
        outputs = up.shape[0]
        self.scale = scale
    }

    /// output[rows × outputs] += (α/r)·(input·Aᵀ)·Bᵀ; output rows are `outputStride` floats apart.
    /// The scale is applied to the r-wide intermediate (cheaper than to the outputs; equal to rounding).
    public func add(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let reduced = FloatBuffer(count: rows * rank)
        BLAS.linear(input, rows: rows, inner: inputs, weight: down, columns: rank, into: reduced.pointer, alpha: scale)
        BLAS.linear(reduced.pointer, rows: rows, inner: rank, weight: up, columns: outputs, into: output,
                    ldc: outputStride, beta: 1)
    }

    /// W += (α/r)·B·A in `layout` (for a merged export): the weight the forward effectively uses.
    /// Summed in float64 per element, so the result does not depend on any BLAS.
    public func fold(into weight: UnsafeMutablePointer<Float>, layout: WeightLayout) {
        for o in 0..<outputs {
            for i in 0..<inputs {
                var sum = 0.0
                for k in 0..<rank { sum += Double(up[o * rank + k]) * Double(down[k * inputs + i]) }
                let index = layout == .outputsByInputs ? o * inputs + i : i * outputs + o
                weight[index] += Float(Double(scale) * sum)
            }
        }
    }
}
