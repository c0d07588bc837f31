import ZOFormats

/// llama.cpp's tensor names ↔ Hugging Face names for one GGUF architecture (as llama.cpp's
/// convert_hf_to_gguf.py / gguf's `TensorNameMap` write them), and the Q/K row order llama.cpp's
/// converter uses for `llama`. Models keep HF names in their arenas, so a GGUF file and the HF folder
/// of the same model fill the same arena.
struct GGUFTensorNames {
    /// Whole-model tensors: GGUF name → HF name.
    let globals: [String: String]
    /// Per-layer tensors: the part after `blk.N.` → the part after `layerPrefix + "N."`.
    let layerSuffixes: [String: String]
    /// HF prefix of layer tensors (`model.layers.`, `transformer.h.`, `encoder.layer.`).
    let layerPrefix: String

    /// The HF name of a llama.cpp tensor name, or nil for names outside the layout
    /// (e.g. `rope_freqs.weight`), which loaders report as unused.
    func huggingFaceName(_ name: String) -> String? {
        if let global = globals[name] { return global }
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]),
              let suffix = layerSuffixes[String(parts[2])] else { return nil }
        return "\(layerPrefix)\(layer).\(suffix)"
    }

    /// The file's tensors under their HF names; a tensor outside the layout is
    /// `ModelError.unusedWeight` (strict, as `WeightLoading`) unless the loader reads it itself
    /// (`readElsewhere`, e.g. llama.cpp's `rope_freqs.weight`).
    func huggingFaceTensors(of gguf: GGUFFile, readElsewhere: Set<String> = []) throws -> [String: StoredTensor] {
        var tensors: [String: StoredTensor] = [:]
        for tensor in gguf.tensors where !readElsewhere.contains(tensor.name) {
            guard let name = huggingFaceName(tensor.name) else {
                throw ModelError.unusedWeight(name: tensor.name, source: gguf.path)
            }
            tensors[name] = tensor
        }
        return tensors
    }

    /// The llama.cpp name of an HF name (`huggingFaceName` inverted).
    func ggufName(_ huggingFaceName: String) -> String? {
        if let global = globals.first(where: { $0.value == huggingFaceName }) { return global.key }
        guard huggingFaceName.hasPrefix(layerPrefix) else { return nil }
        let parts = huggingFaceName.dropFirst(layerPrefix.count).split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let layer = Int(parts[0]),
              let suffix = layerSuffixes.first(where: { $0.value == parts[1] }) else { return nil }
        return "blk.\(layer).\(suffix.key)"
    }

    /// Runs a load from GGUF tensors renamed to HF names, and names the tensors in its weight errors as
    /// the file does (`blk.1.ffn_down.weight`, not `encoder.layer.1.output.dense.weight`).
    func namingFileTensors<T>(_ load: () throws -> T) throws -> T {
        do {
            return try load()
        } catch let ModelError.missingWeight(name, source) {
            throw ModelError.missingWeight(name: ggufName(name) ?? name, source: source)
        } catch let ModelError.unusedWeight(name, source) {
            throw ModelError.unusedWeight(name: ggufName(name) ?? name, source: source)
        } catch let ModelError.wrongShape(name, expected, actual) {
            throw ModelError.wrongShape(name: ggufName(name) ?? name, expected: expected, actual: actual)
        } catch let ModelError.nonFiniteWeight(name, index, value, source) {
            throw ModelError.nonFiniteWeight(name: ggufName(name) ?? name, index: index, value: value, source: source)
        }
    }

    /// `llama` and `qwen2` (the latter adds the q/k/v biases).
    static let llama = GGUFTensorNames(
        globals: [
            "token_embd.weight": "model.embed_tokens.weight",
            "output_norm.weight": "model.norm.weight",
            "output.weight": "lm_head.weight",
        ],
        layerSuffixes: [
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
        ],
        layerPrefix: "model.layers.")

    /// `gpt2`, in `GPT2LMHeadModel` names. The converter stores the Conv1D weights (attn_qkv,
    /// attn_output, ffn_up, ffn_down) transposed, as outputs × inputs (see `GPT2Family`).
    static let gpt2 = GGUFTensorNames(
        globals: [
            "token_embd.weight": "transformer.wte.weight",
            "position_embd.weight": "transformer.wpe.weight",
            "output_norm.weight": "transformer.ln_f.weight",
            "output_norm.bias": "transformer.ln_f.bias",
            "output.weight": "lm_head.weight",
        ],
        layerSuffixes: [
            "attn_norm.weight": "ln_1.weight", "attn_norm.bias": "ln_1.bias",
            "attn_qkv.weight": "attn.c_attn.weight", "attn_qkv.bias": "attn.c_attn.bias",
            "attn_output.weight": "attn.c_proj.weight", "attn_output.bias": "attn.c_proj.bias",
            "ffn_norm.weight": "ln_2.weight", "ffn_norm.bias": "ln_2.bias",
            "ffn_up.weight": "mlp.c_fc.weight", "ffn_up.bias": "mlp.c_fc.bias",
            "ffn_down.weight": "mlp.c_proj.weight", "ffn_down.bias": "mlp.c_proj.bias",
        ],
        layerPrefix: "transformer.h.")

    /// `bert`, in `BertModel` names without prefix (like all-MiniLM-L6-v2). The converter drops the
    /// pooler and any masked-LM or next-sentence head.
    static let bert = GGUFTensorNames(
        globals: [
            "token_embd.weight": "embeddings.word_embeddings.weight",
            "position_embd.weight": "embeddings.position_embeddings.weight",
            "token_types.weight": "embeddings.token_type_embeddings.weight",
            "token_embd_norm.weight": "embeddings.LayerNorm.weight",
            "token_embd_norm.bias": "embeddings.LayerNorm.bias",
        ],
        layerSuffixes: [
            "attn_q.weight": "attention.self.query.weight", "attn_q.bias": "attention.self.query.bias",
            "attn_k.weight": "attention.self.key.weight", "attn_k.bias": "attention.self.key.bias",
            "attn_v.weight": "attention.self.value.weight", "attn_v.bias": "attention.self.value.bias",
            "attn_output.weight": "attention.output.dense.weight", "attn_output.bias": "attention.output.dense.bias",
            "attn_output_norm.weight": "attention.output.LayerNorm.weight",
            "attn_output_norm.bias": "attention.output.LayerNorm.bias",
            "ffn_up.weight": "intermediate.dense.weight", "ffn_up.bias": "intermediate.dense.bias",
            "ffn_down.weight": "output.dense.weight", "ffn_down.bias": "output.dense.bias",
            "layer_output_norm.weight": "output.LayerNorm.weight", "layer_output_norm.bias": "output.LayerNorm.bias",
        ],
        layerPrefix: "encoder.layer.")

    /// Undoes llama.cpp's permutation of q/k rows (made for its interleaved RoPE) so HF's
    /// `rotate_half` RoPE applies: GGUF row `h·d + 2i + j` holds HF row `h·d + j·d/2 + i`.
    /// The same as a row map: the file row that holds row r of the un-permuted weight (`rows` rows
    /// in `heads` heads).
    static func permutedRow(heads: Int, rows: Int) -> (Int) -> Int {
        let headDim = rows / heads, half = headDim / 2
        return { row in
            let (head, within) = row.quotientAndRemainder(dividingBy: headDim)
            let (j, i) = within.quotientAndRemainder(dividingBy: half)
            return head * headDim + 2 * i + j
        }
    }

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
