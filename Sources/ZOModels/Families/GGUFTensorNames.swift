import ZOFormats

/// llama.cpp's tensor names ↔ Hugging Face names, and the Q/K row order llama.cpp's converter uses.
enum GGUFTensorNames {
    private static let layerSuffixes: [String: String] = [
        "attn_norm.weight": "input_layernorm.weight",
        "attn_q.weight": "self_attn.q_proj.weight",
        "attn_k.weight": "self_attn.k_proj.weight",
        "attn_v.weight": "self_attn.v_proj.weight",
        "attn_q.bias": "self_attn.q_proj.bias",
        "attn_k.bias": "self_attn.k_proj.bias",
        "attn_v.bias": "self_attn.v_proj.bias",
        "attn_output.weight": "self_attn.o_proj.weight",
        "ffn_norm.weight": "post_attention_layernorm.weight",
        "ffn_gate.weight": "mlp.gate_proj.weight",
        "ffn_up.weight": "mlp.up_proj.weight",
        "ffn_down.weight": "mlp.down_proj.weight",
    ]
    private static let globals: [String: String] = [
        "token_embd.weight": "model.embed_tokens.weight",
        "output_norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight",
    ]

    /// The HF name of a llama.cpp tensor name, or nil for names outside the LLaMA layout
    /// (e.g. `rope_freqs.weight`), which the loader reports as unused.
    static func huggingFaceName(_ name: String) -> String? {
        if let global = globals[name] { return global }
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]),
              let suffix = layerSuffixes[String(parts[2])] else { return nil }
        return "model.layers.\(layer).\(suffix)"
    }

    /// Undoes llama.cpp's permutation of q/k rows (made for its interleaved RoPE) so HF's
    /// `rotate_half` RoPE applies: GGUF row `h·d + 2i + j` holds HF row `h·d + j·d/2 + i`.
    static func unpermuteRows(_ values: UnsafeMutableBufferPointer<Float>, heads: Int, columns: Int) {
        let rows = values.count / columns
        let headDim = rows / heads
        let half = headDim / 2
        let copy = Array(values)
        copy.withUnsafeBufferPointer { source in
            for h in 0..<heads {
                for i in 0..<half {
                    for j in 0..<2 {
                        let from = h * headDim + 2 * i + j
                        let to = h * headDim + j * half + i
                        (values.baseAddress! + to * columns).update(
                            from: source.baseAddress! + from * columns, count: columns)
                    }
                }
            }
        }
    }
}
