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

    /// `scratch` holds one score row of `scratchStride` ≥ longest floats per worker (2).
    func run(
        _ queryKeyValue: UnsafeMutablePointer<Float>, batch: PackedBatch, scale: Float,
        into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, scratchStride: Int
    ) {
        // (sequence, head) pairs are independent: split them over both cores, interleaved so that
        // long and short sequences spread evenly.
        let groupSize = headCount / keyValueHeadCount
        let pairs = batch.sequences.count * headCount
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for pair in stride(from: worker, to: pairs, by: 2) {
                let (index, head) = pair.quotientAndRemainder(dividingBy: headCount)
                let base = queryKeyValue + batch.offsets[index] * fusedWidth
                let keyValueHead = head / groupSize
                attentionHead(
                    query: base + head * headDim, key: base + queryWidth + keyValueHead * headDim,
                    value: base + queryWidth + keyValueWidth + keyValueHead * headDim, stride: fusedWidth,
                    output: output + batch.offsets[index] * queryWidth + head * headDim, outputStride: queryWidth,
                    length: batch.sequences[index].count, headDim: headDim, scale: scale,
                    scores: scratch + worker * scratchStride, causal: causal)
            }
        }
    }
}
