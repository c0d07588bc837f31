import CZOKernels

/// Causal self-attention of one head over one sequence of `length` tokens (decoders):
/// out_i = Σ_{j ≤ i} softmax_j(scale · q_i·k_j) v_j.
///
/// Rows of q, k and v are `stride` floats apart (they sit inside the fused q|k|v projection output);
/// output rows are `outputStride` apart. `scores` needs `length` floats of scratch.
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

/// Self-attention of one head over one sequence, causal (decoders: row i attends to keys 0...i) or
/// bidirectional (encoders: every row attends to all `length` keys of its sequence; packing
/// sequences back to back is what masks the others). Layout and scratch as `causalAttentionHead`.
///
/// `prefix` (causal only): `count` earlier rows every row also attends to, before its own keys, as
/// if they preceded the sequence: a shared prompt's keys and values for one of its continuations.
/// The sums run in the same order as over one sequence holding both, so the result is the same.
/// `scores` then needs `prefix.count + length` floats.
public func attentionHead(
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, stride: Int,
    output: UnsafeMutablePointer<Float>, outputStride: Int, length: Int, headDim: Int, scale: Float,
    scores: UnsafeMutablePointer<Float>, causal: Bool,
    prefix: (key: UnsafePointer<Float>, value: UnsafePointer<Float>, count: Int)? = nil
) {
    precondition(causal || prefix == nil, "a prefix needs causal attention")
    zo_attention_head(
        query, key, value, stride, output, outputStride, length, headDim, scale, scores, causal,
        prefix?.key, prefix?.value, prefix?.count ?? 0)
}
