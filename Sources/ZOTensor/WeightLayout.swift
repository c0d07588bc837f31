/// How a checkpoint stores a linear layer's weight. The arena keeps the checkpoint's own layout, so
/// a checkpoint ZOTune writes loads back into transformers unchanged; the forward picks the GEMM.
public enum WeightLayout: Sendable, Equatable {
    /// `nn.Linear`: W is outputs × inputs and y = x·Wᵀ.
    case outputsByInputs
    /// GPT-2's `Conv1D`: W is inputs × outputs and y = x·W.
    case inputsByOutputs

    /// The stored shape of a weight mapping `inputs` features to `outputs`.
    public func shape(inputs: Int, outputs: Int) -> [Int] {
        self == .outputsByInputs ? [outputs, inputs] : [inputs, outputs]
    }
}

extension WeightLayout {
    /// (inputs, outputs) of a weight stored with `shape` in this layout.
    public func features(of shape: [Int]) -> (inputs: Int, outputs: Int) {
        precondition(shape.count == 2, "a linear weight is 2-D")
        return self == .outputsByInputs ? (shape[1], shape[0]) : (shape[0], shape[1])
    }
}
