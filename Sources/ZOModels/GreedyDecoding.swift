import ZOTensor

/// Greedy (argmax) continuation of token sequences.
///
/// Decoders keep every run token's keys and values in a `KeyValueCache`, so each step runs only the
/// newest token of each unfinished sequence: linear in the continuation's length. Prompts of
/// different lengths decode together in one batch. Without a cache (`usesCache: false`, or a model
/// whose attention is not causal) every step re-runs whole sequences, as transformers does with
/// `use_cache=False`.
public enum GreedyDecoding {
    public static func continuation(
        of prompt: [Int], model: LanguageModel, maxNewTokens: Int, stopAt stopTokens: Set<Int> = [],
        usesCache: Bool = true, onToken: (Int) -> Void = { _ in }
    ) throws -> [Int] {
        try continuations(of: [prompt], model: model, maxNewTokens: maxNewTokens, stopAt: stopTokens,
                          usesCache: usesCache) { _, token in onToken(token) }[0]
    }

    /// Greedy continuations of `prompts`, each until a stop token, `maxNewTokens` tokens or the end
    /// of the context; `onToken(sequence, token)` sees every token as it is chosen.
    public static func continuations(
        of prompts: [[Int]], model: LanguageModel, maxNewTokens: Int, stopAt stopTokens: Set<Int> = [],
        usesCache: Bool = true, onToken: (Int, Int) -> Void = { _, _ in }
    ) throws -> [[Int]] {
        // An attached prompt-tuning adapter's virtual tokens come first.
        let inputs = prompts.map { model.virtualPrefix + $0 }
        let limits = inputs.map { max(0, min(maxNewTokens, model.contextRoom - $0.count)) }
        var generated = Array(repeating: [Int](), count: inputs.count)
        let cache = usesCache ? model.makeKeyValueCache(sequences: inputs.count) : nil
        // What each sequence runs next: with a cache its unseen tokens, without one all of them;
        // empty once it is finished.
        var pending = inputs.indices.map { limits[$0] > 0 ? inputs[$0] : [] }
        while true {
            let active = pending.indices.filter { !pending[$0].isEmpty }
            guard !active.isEmpty else { break }
            let logits: [Float]
            if let cache {
                logits = try model.logits(appending: pending, to: cache,
                                          at: active.map { LogitRequest(sequence: $0, position: pending[$0].count - 1) })
            } else {
                logits = try model.lastPositionLogits(active.map { pending[$0] })
            }
            // argmax over NaNs would pick token 0 every time: a silent, wrong continuation.
            guard logits.withUnsafeBufferPointer(NonFiniteScan.firstIndex) == nil else { throw ModelError.nonFiniteLogits }
            let width = model.outputSize
            for (row, s) in active.enumerated() {
                let next = argmax(logits[(row * width)..<((row + 1) * width)])
                guard !stopTokens.contains(next) else {
                    pending[s] = []
                    continue
                }
                generated[s].append(next)
                onToken(s, next)
                if generated[s].count == limits[s] {
                    pending[s] = []
                } else {
                    pending[s] = cache == nil ? pending[s] + [next] : [next]
                }
            }
        }
        return generated
    }

    /// Index of the largest value (the first one on ties, like `torch.argmax`), counted from the
    /// collection's start.
    public static func argmax<Values: Collection<Float>>(_ values: Values) -> Int {
        var best = values.startIndex, offset = 0, bestOffset = 0
        for index in values.indices {
            if values[index] > values[best] { (best, bestOffset) = (index, offset) }
            offset += 1
        }
        return bestOffset
    }
}
