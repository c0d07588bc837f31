import ZOTensor

/// How a model's weights are named and ordered in llama.cpp's GGUF files: its `general.architecture`,
/// the tensor names, and the weights whose rows llama.cpp's converter permutes (its interleaved RoPE
/// for the `llama` architecture's q and k). An adapter for llama.cpp needs the same: its B factors
/// are the output rows of those weights.
struct GGUFLayout {
    let architecture: String
    let names: GGUFTensorNames
    /// HF weight-name endings whose rows are permuted in GGUF, with the heads of the permutation.
    let permutedRows: [String: Int]

    /// Heads of the row permutation of weight `name`, or nil if its rows are in HF order.
    func permutedHeads(_ name: String) -> Int? {
        permutedRows.first { name.hasSuffix($0.key) }?.value
    }
}

/// A model family that knows its llama.cpp layout: nil where llama.cpp has no such architecture.
protocol GGUFNamedModel {
    var ggufLayout: GGUFLayout? { get }
}

extension LlamaModel: GGUFNamedModel {
    var ggufLayout: GGUFLayout? {
        let c = configuration
        // llama.cpp's converter permutes q/k rows for `llama` only; Qwen2's stay in HF order.
        return GGUFLayout(
            architecture: c.modelType, names: .llama,
            permutedRows: c.modelType == "llama"
                ? ["self_attn.q_proj.weight": c.headCount, "self_attn.k_proj.weight": c.keyValueHeadCount] : [:])
    }
}

extension GPTStyleDecoderModel: GGUFNamedModel {
    /// GPT-2 only: llama.cpp has no OPT architecture.
    var ggufLayout: GGUFLayout? {
        configuration.modelType == "gpt2" ? GGUFLayout(architecture: "gpt2", names: .gpt2, permutedRows: [:]) : nil
    }
}

extension EncoderModel: GGUFNamedModel {
    /// Not yet: llama.cpp's `bert` files drop the heads these models score with.
    var ggufLayout: GGUFLayout? { nil }
}
