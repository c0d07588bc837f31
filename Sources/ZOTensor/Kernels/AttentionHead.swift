import CZOKernels

/// Causal self-attention of one head over one sequence of `length` tokens (decoders):
/// out_i = Σ_{j ≤ i} softmax_j(scale · q_i·k_j) v_j.
///
/// Rows of q, k and v are `stride` floats apart (they sit inside the fused q|k|v projection output);
/// output rows are `outputStride` apart. `scores` needs 2 · `length` floats of scratch (rows are
/// computed in pairs).
/// Written as SIMD dot products rather than two small GEMMs: at the sequence lengths ZO training
/// uses (tens to hundreds of tokens) the per-call overhead of BLAS dominated the work
/// (see BENCHMARKS.md, attention).
public func causalAttentionHead(
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, stride: Int,
    output: UnsafeMutablePointer<Float>, outputStride: Int, length: Int, headDim: Int, scale: Float,
    scores: UnsafeMutablePointer<Float>
) {
    attentionHead(
        query: query, key: key, value: value, stride: stride, output: output, outputStride: outputStride,
        length: length, headDim: headDim, scale: scale, scores: scores, causal: true)
}

/// Keys and values every query of a sequence sees before the sequence's own rows: a shared prompt's
/// (for one of its continuations) or a prefix-tuning adapter's. Rows are `stride` floats apart.
public struct EarlierKeyValues {
    public let keys: UnsafePointer<Float>
    public let values: UnsafePointer<Float>
    public let stride: Int
    public let count: Int

    public init(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, count: Int) {
        (self.keys, self.values, self.stride, self.count) = (keys, values, stride, count)
    }
}

/// Self-attention of one head over one sequence, causal (decoders: row i attends to keys 0...i) or
/// bidirectional (encoders: every row attends to all `length` keys of its sequence; packing
/// sequences back to back is what masks the others). Layout and scratch as `causalAttentionHead`.
///
/// `earlier` (causal only, at most two runs): rows every row also attends to, in order, before its
/// own keys, as if they preceded the sequence. The sums run in the same order as over one sequence
/// holding them all, so the result is the same. `scores` then needs 2 · (earlier rows + `length`) floats.
public func attentionHead(
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, stride: Int,
    output: UnsafeMutablePointer<Float>, outputStride: Int, length: Int, headDim: Int, scale: Float,
    scores: UnsafeMutablePointer<Float>, causal: Bool, earlier: [EarlierKeyValues] = []
) {
    precondition(causal || earlier.isEmpty, "earlier keys need causal attention")
    precondition(earlier.count <= Int(ZO_ATTENTION_MAX_EARLIER_RUNS), "at most \(ZO_ATTENTION_MAX_EARLIER_RUNS) runs of earlier keys")
    let runs = earlier.map { zo_key_value_rows(keys: $0.keys, values: $0.values, stride: $0.stride, count: $0.count) }
    runs.withUnsafeBufferPointer { runs in
        zo_attention_head(
            query, key, value, stride, output, outputStride, length, headDim, scale, scores, causal,
            runs.baseAddress, runs.count)
    }
}
