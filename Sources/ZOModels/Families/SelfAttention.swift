import Dispatch
import ZOTensor

/// Multi-head (grouped-query) self-attention over a packed batch, reading a fused q|k|v activation
/// buffer `[tokens × (query + 2·keyValue)]` and writing `[tokens × query]`: causal for every decoder
/// family, bidirectional within each sequence for encoders. Positions (RoPE or learned) are applied
/// before, the output projection after.
struct SelfAttention {
    let headCount: Int
    let keyValueHeadCount: Int
    let headDim: Int
    /// Decoders see only earlier tokens; encoders see their whole sequence.
    let causal: Bool

    var queryWidth: Int { headCount * headDim }
    var keyValueWidth: Int { keyValueHeadCount * headDim }
    var fusedWidth: Int { queryWidth + 2 * keyValueWidth }

    /// `scratch` holds one score row of `scratchStride` ≥ longest floats per worker.
    func run(
        _ queryKeyValue: UnsafeMutablePointer<Float>, batch: PackedBatch, scale: Float,
        into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, scratchStride: Int,
        workers: Int
    ) {
        // (sequence, head) pairs are independent: split them over the workers, interleaved so that
        // long and short sequences spread evenly. Each pair is computed whole by one worker, so the
        // result does not depend on the number of workers.
        let groupSize = headCount / keyValueHeadCount
        let pairs = batch.sequences.count * headCount
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for pair in stride(from: worker, to: pairs, by: workers) {
                let (index, head) = pair.quotientAndRemainder(dividingBy: headCount)
                let keyValueHead = head / groupSize
                // Rows of this sequence's q (this head), k and v (its key/value head), and output.
                let base = queryKeyValue + batch.offsets[index] * fusedWidth
                let query = base + head * headDim
                let key = base + queryWidth + keyValueHead * headDim
                let value = key + keyValueWidth
                let out = output + batch.offsets[index] * queryWidth + head * headDim
                let prompt = batch.promptLengths[index]
                attentionHead(
                    query: query, key: key, value: value, stride: fusedWidth, output: out, outputStride: queryWidth,
                    length: prompt, headDim: headDim, scale: scale, scores: scratch + worker * scratchStride,
                    causal: causal)
                precondition(causal || batch.continuations[index].isEmpty, "shared prompts need causal attention")
                for rows in batch.continuations[index] where !rows.isEmpty {
                    let first = rows.lowerBound
                    attentionHead(
                        query: query + first * fusedWidth, key: key + first * fusedWidth, value: value + first * fusedWidth,
                        stride: fusedWidth, output: out + first * queryWidth, outputStride: queryWidth,
                        length: rows.count, headDim: headDim, scale: scale, scores: scratch + worker * scratchStride,
                        causal: true, prefix: (UnsafePointer(key), UnsafePointer(value), prompt))
                }
            }
        }
    }
}
