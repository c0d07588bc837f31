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

    /// `scratch` holds two score rows per worker, `scratchStride` ≥ 2 · `batch.longest` floats apart. `prefix`
    /// is this layer's prefix-tuning rows (`batch.prefixLength` keys and values, `keyValueWidth` apart),
    /// which every query sees first. `past` holds, per sequence, this layer's rows of the tokens a
    /// `KeyValueCache` holds (`batch.pastLengths`), seen after the prefix and before the new rows.
    func run(
        _ queryKeyValue: UnsafeMutablePointer<Float>, batch: PackedBatch, scale: Float,
        into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, scratchStride: Int,
        workers: Int, prefix: (keys: UnsafePointer<Float>, values: UnsafePointer<Float>)? = nil,
        past: [EarlierKeyValues?]? = nil
    ) {
        precondition((prefix == nil) == (batch.prefixLength == 0), "prefix rows and the batch's positions disagree")
        precondition(past.map { zip($0, batch.pastLengths).allSatisfy { ($0?.count ?? 0) == $1 } } ?? batch.pastLengths.allSatisfy { $0 == 0 },
                     "cached rows and the batch's positions disagree")
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
                var tuned = prefix.map {
                    [EarlierKeyValues(
                        keys: $0.keys + keyValueHead * headDim, values: $0.values + keyValueHead * headDim,
                        stride: keyValueWidth, count: batch.prefixLength)]
                } ?? []
                if let cached = past?[index] {
                    precondition(batch.continuations[index].isEmpty, "cached decoding runs no shared-prompt continuations")
                    tuned.append(EarlierKeyValues(
                        keys: cached.keys + keyValueHead * headDim, values: cached.values + keyValueHead * headDim,
                        stride: cached.stride, count: cached.count))
                }
                attentionHead(
                    query: query, key: key, value: value, stride: fusedWidth, output: out, outputStride: queryWidth,
                    length: prompt, headDim: headDim, scale: scale, scores: scratch + worker * scratchStride,
                    causal: causal, earlier: tuned)
                precondition(causal || batch.continuations[index].isEmpty, "shared prompts need causal attention")
                for rows in batch.continuations[index] where !rows.isEmpty {
                    let first = rows.lowerBound
                    attentionHead(
                        query: query + first * fusedWidth, key: key + first * fusedWidth, value: value + first * fusedWidth,
                        stride: fusedWidth, output: out + first * queryWidth, outputStride: queryWidth,
                        length: rows.count, headDim: headDim, scale: scale, scores: scratch + worker * scratchStride,
                        causal: true,
                        earlier: tuned + [EarlierKeyValues(keys: key, values: value, stride: fusedWidth, count: prompt)])
                }
            }
        }
    }
}

/// One layer's keys and values for a run of tokens, `[tokens × key/value width]` each, as attention
/// uses them (keys after RoPE where the family rotates): what a KV cache holds.
public struct AttentionKeyValues: Sendable, Equatable {
    public var keys: [Float]
    public var values: [Float]
}

/// The shape of what a decoder's KV cache holds per token: `layers` × (keys and values of
/// `heads` key/value heads × `headDim`).
public struct KeyValueShape: Sendable, Equatable {
    public let layers: Int
    public let heads: Int
    public let headDim: Int
    /// Floats of one key (or value) row.
    public var width: Int { heads * headDim }
}

/// A decoder whose forward can keep its attention's keys and values in a `KeyValueCache`
/// (`LanguageModel.logits(appending:to:at:)`, and from it `attentionKeyValues`).
protocol KeyValueCaching: LanguageModel {
    var selfAttention: SelfAttention { get }
    var attentionLayerCount: Int { get }
    var workspace: ForwardWorkspace { get }
    /// The family's forward of a packed batch, its new keys and values added to `cached`'s cache
    /// when given.
    func forward(_ batch: PackedBatch, requests: [LogitRequest], cached: CachedSequences?) throws -> [Float]
}

extension KeyValueCaching {
    public var keyValueShape: KeyValueShape? {
        KeyValueShape(layers: attentionLayerCount, heads: selfAttention.keyValueHeadCount, headDim: selfAttention.headDim)
    }

    public func logits(appending tokens: [[Int]], to cache: KeyValueCache, at requests: [LogitRequest]) throws -> [Float] {
        let cached = CachedSequences(cache: cache, tokens: tokens, requests: requests)
        let batch = try PackedBatch(appending: cached, for: self, reserving: workspace)
        cached.reserve()
        let logits = try forward(batch, requests: cached.requests, cached: cached)
        cached.commit()
        return logits
    }

    /// The tokens run into a fresh cache: the same forward as `lastPositionLogits([tokens])`.
    public func attentionKeyValues(_ tokens: [Int]) throws -> [AttentionKeyValues]? {
        let cache = KeyValueCache(shape: keyValueShape!, sequences: 1)
        _ = try logits(appending: [tokens], to: cache, at: [LogitRequest(sequence: 0, position: tokens.count - 1)])
        return (0..<attentionLayerCount).map { cache.keysAndValues(sequence: 0, layer: $0) }
    }
}
