import ZOTensor

/// The keys and values of every token a decoder has already run, per sequence and layer, as its
/// attention uses them (after RoPE where the family rotates): with them, the next tokens' forward
/// computes only their own rows, and each new query attends to the cached rows first
/// (`LanguageModel.logits(appending:to:at:)`). This is what makes greedy decoding linear in the
/// continuation's length instead of quadratic.
public final class KeyValueCache {
    public let shape: KeyValueShape
    /// Tokens held per sequence.
    public private(set) var lengths: [Int]
    /// Per sequence and layer: keys, then values, each `[capacity × shape.width]`.
    private var keys: [[FloatBuffer]]
    private var values: [[FloatBuffer]]
    private var capacities: [Int]

    /// An empty cache for `sequences` sequences of a model with `shape`.
    public init(shape: KeyValueShape, sequences: Int) {
        self.shape = shape
        lengths = Array(repeating: 0, count: sequences)
        capacities = Array(repeating: 0, count: sequences)
        keys = Array(repeating: [], count: sequences)
        values = Array(repeating: [], count: sequences)
    }

    public var sequenceCount: Int { lengths.count }

    /// Floats held (keys and values of every token, layer and sequence).
    public var floatCount: Int { capacities.reduce(0, +) * 2 * shape.layers * shape.width }

    /// Sequence `sequence`'s cached keys and values of `layer` (`lengths[sequence]` rows, `shape.width` apart).
    func rows(sequence: Int, layer: Int) -> EarlierKeyValues? {
        guard lengths[sequence] > 0 else { return nil }
        return EarlierKeyValues(keys: keys[sequence][layer].pointer, values: values[sequence][layer].pointer,
                                stride: shape.width, count: lengths[sequence])
    }

    /// A copy of `sequence`'s cached keys and values of `layer`.
    public func keysAndValues(sequence: Int, layer: Int) -> AttentionKeyValues {
        let count = lengths[sequence] * shape.width
        guard count > 0 else { return AttentionKeyValues(keys: [], values: []) }
        return AttentionKeyValues(keys: Array(UnsafeBufferPointer(start: keys[sequence][layer].pointer, count: count)),
                                  values: Array(UnsafeBufferPointer(start: values[sequence][layer].pointer, count: count)))
    }

    /// Makes room for `extra` more tokens of `sequence`, growing by at least a quarter.
    func reserve(sequence: Int, extra: Int) {
        let needed = lengths[sequence] + extra
        guard needed > capacities[sequence] else { return }
        let capacity = max(needed, capacities[sequence] * 5 / 4, 16)
        let held = lengths[sequence] * shape.width
        func grown(_ old: [FloatBuffer]) -> [FloatBuffer] {
            (0..<shape.layers).map { layer in
                let buffer = FloatBuffer(count: capacity * shape.width)
                if layer < old.count { buffer.pointer.update(from: old[layer].pointer, count: held) }
                return buffer
            }
        }
        keys[sequence] = grown(keys[sequence])
        values[sequence] = grown(values[sequence])
        capacities[sequence] = capacity
    }

    /// Copies `rows` new tokens' keys and values of `layer` (the key and value columns of fused
    /// q|k|v rows `fusedStride` floats apart, keys at `keyColumn`, values right after) behind
    /// `sequence`'s cached rows. The length grows once every layer has appended (`commit`).
    func store(sequence: Int, layer: Int, fused: UnsafePointer<Float>, fusedStride: Int, keyColumn: Int, rows: Int) {
        let width = shape.width
        let keyTarget = keys[sequence][layer].pointer + lengths[sequence] * width
        let valueTarget = values[sequence][layer].pointer + lengths[sequence] * width
        for row in 0..<rows {
            let source = fused + row * fusedStride + keyColumn
            (keyTarget + row * width).update(from: source, count: width)
            (valueTarget + row * width).update(from: source + width, count: width)
        }
    }

    /// Counts `rows` new tokens of `sequence` as cached, after every layer stored them.
    func commit(sequence: Int, rows: Int) {
        lengths[sequence] += rows
    }
}

/// One forward on a cache: the new tokens of each of its sequences (empty: the sequence sits this
/// forward out) and the logit requests, remapped from cache sequences to the packed batch's.
struct CachedSequences {
    let cache: KeyValueCache
    let tokens: [[Int]]
    /// The cache's sequences that have new tokens, in batch order.
    let sequences: [Int]
    /// The requests with `sequence` counted in `sequences`.
    let requests: [LogitRequest]

    init(cache: KeyValueCache, tokens: [[Int]], requests: [LogitRequest]) {
        precondition(tokens.count == cache.sequenceCount, "one token list per cached sequence")
        self.cache = cache
        self.tokens = tokens
        sequences = tokens.indices.filter { !tokens[$0].isEmpty }
        let batchIndex = Dictionary(uniqueKeysWithValues: sequences.enumerated().map { ($1, $0) })
        self.requests = requests.map {
            guard let sequence = batchIndex[$0.sequence] else { preconditionFailure("a logit request for a sequence with no new tokens") }
            return LogitRequest(sequence: sequence, position: $0.position)
        }
    }

    /// Room for the new tokens, before the forward takes pointers into the cache.
    func reserve() {
        for s in sequences { cache.reserve(sequence: s, extra: tokens[s].count) }
    }

    /// The cached rows every new row of batch sequence `index` attends to in `layer`.
    func pastRows(layer: Int) -> [EarlierKeyValues?] {
        sequences.map { cache.rows(sequence: $0, layer: layer) }
    }

    /// Stores the batch's keys and values of `layer` from its fused q|k|v rows.
    func store(layer: Int, fused: UnsafePointer<Float>, fusedStride: Int, keyColumn: Int, batch: PackedBatch) {
        for (index, s) in sequences.enumerated() {
            cache.store(sequence: s, layer: layer, fused: fused + batch.offsets[index] * fusedStride, fusedStride: fusedStride,
                        keyColumn: keyColumn, rows: tokens[s].count)
        }
    }

    /// Counts the new tokens as cached, once every layer stored them.
    func commit() {
        for s in sequences { cache.commit(sequence: s, rows: tokens[s].count) }
    }
}
