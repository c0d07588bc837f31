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
@inline(__always)
public func attentionHead(
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, stride: Int,
    output: UnsafeMutablePointer<Float>, outputStride: Int, length: Int, headDim: Int, scale: Float,
    scores: UnsafeMutablePointer<Float>, causal: Bool,
    prefix: (key: UnsafePointer<Float>, value: UnsafePointer<Float>, count: Int)? = nil
) {
    precondition(causal || prefix == nil, "a prefix needs causal attention")
    let chunks = headDim / 16
    let vectorDim = chunks * 16
    let prefixCount = prefix?.count ?? 0
    // The keys a row sees come in two contiguous runs, the prefix's rows (run 0) then the
    // sequence's own (run 1): where each run's keys and values start, how many, and the score slot
    // of its first key.
    @inline(__always) func run(_ r: Int, ownKeys: Int) -> (keys: UnsafePointer<Float>, values: UnsafePointer<Float>, count: Int, first: Int) {
        r == 0 ? (prefix?.key ?? key, prefix?.value ?? value, prefixCount, 0) : (key, value, ownKeys, prefixCount)
    }
    for i in 0..<length {
        let q = query + i * stride
        let ownKeys = causal ? i + 1 : length
        let keys = prefixCount + ownKeys
        for r in 0..<2 {
            let (keyBase, _, count, first) = run(r, ownKeys: ownKeys)
            for j in 0..<count {
                let k = keyBase + j * stride
                var acc = SIMD16<Float>()
                for c in 0..<chunks {
                    let qv = UnsafeRawPointer(q + 16 * c).loadUnaligned(as: SIMD16<Float>.self)
                    let kv = UnsafeRawPointer(k + 16 * c).loadUnaligned(as: SIMD16<Float>.self)
                    acc = acc.addingProduct(qv, kv)
                }
                var dot = horizontalSum(acc)
                for d in vectorDim..<headDim { dot += q[d] * k[d] }
                scores[first + j] = dot * scale
            }
        }
        softmaxInPlace(scores, count: keys)
        let o = output + i * outputStride
        var c = 0
        while c + 64 <= vectorDim {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            for r in 0..<2 {
                let (_, valueBase, count, first) = run(r, ownKeys: ownKeys)
                for j in 0..<count {
                    let p = SIMD16<Float>(repeating: scores[first + j])
                    let v = UnsafeRawPointer(valueBase + j * stride + c)
                    a0 = a0.addingProduct(p, v.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self))
                    a1 = a1.addingProduct(p, v.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
                    a2 = a2.addingProduct(p, v.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self))
                    a3 = a3.addingProduct(p, v.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
                }
            }
            let out = UnsafeMutableRawPointer(o + c)
            out.storeBytes(of: a0, toByteOffset: 0, as: SIMD16<Float>.self)
            out.storeBytes(of: a1, toByteOffset: 64, as: SIMD16<Float>.self)
            out.storeBytes(of: a2, toByteOffset: 128, as: SIMD16<Float>.self)
            out.storeBytes(of: a3, toByteOffset: 192, as: SIMD16<Float>.self)
            c += 64
        }
        while c < vectorDim {
            var a = SIMD16<Float>()
            for r in 0..<2 {
                let (_, valueBase, count, first) = run(r, ownKeys: ownKeys)
                for j in 0..<count {
                    a = a.addingProduct(
                        SIMD16(repeating: scores[first + j]),
                        UnsafeRawPointer(valueBase + j * stride + c).loadUnaligned(as: SIMD16<Float>.self))
                }
            }
            UnsafeMutableRawPointer(o + c).storeBytes(of: a, as: SIMD16<Float>.self)
            c += 16
        }
        for d in vectorDim..<headDim {
            var a: Float = 0
            for r in 0..<2 {
                let (_, valueBase, count, first) = run(r, ownKeys: ownKeys)
                for j in 0..<count { a += scores[first + j] * valueBase[j * stride + d] }
            }
            o[d] = a
        }
    }
}
