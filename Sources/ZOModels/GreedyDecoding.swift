import ZOTensor

/// Greedy (argmax) continuation of a token sequence.
///
/// Each step re-runs the whole sequence (no KV cache yet): fine for the short continuations ZOTune
/// uses for checks and evaluation, quadratic for long ones.
public enum GreedyDecoding {
    public static func continuation(
        of prompt: [Int], model: LanguageModel, maxNewTokens: Int, stopAt stopTokens: Set<Int> = [],
        onToken: (Int) -> Void = { _ in }
    ) throws -> [Int] {
        // An attached prompt-tuning adapter's virtual tokens come first.
        var sequence = model.virtualPrefix + prompt
        var generated: [Int] = []
        let limit = min(maxNewTokens, model.contextRoom - sequence.count)
        while generated.count < limit {
            let logits = try model.lastPositionLogits([sequence])
            // argmax over NaNs would pick token 0 every time: a silent, wrong continuation.
            guard logits.withUnsafeBufferPointer(NonFiniteScan.firstIndex) == nil else { throw ModelError.nonFiniteLogits }
            let next = argmax(logits)
            if stopTokens.contains(next) { break }
            generated.append(next)
            sequence.append(next)
            onToken(next)
        }
        return generated
    }

    /// Index of the largest value (the first one on ties, like `torch.argmax`).
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }
}
