#!/usr/bin/env python3
"""Writes Tests/Fixtures/formats/tiny-qwen2.gguf: the tiny-qwen2 HF fixture as llama.cpp's converter
lays out a `qwen2` GGUF — llama.cpp tensor names (blk.N.attn_q.weight, attn_q.bias, …, no q/k row
permutation, unlike `llama`), `qwen2.*` hyper-parameters, no output.weight (tied head), F32 tensors,
and the byte-level BPE vocabulary/merges under tokenizer.ggml.* (pre-tokenizer "qwen2").

ZOTune must load it to exactly the weights it reads from the HF folder (tested bit for bit).

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_tiny_qwen2_gguf.py
"""
import json
import os

import gguf
import numpy as np
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "Tests", "Fixtures", "tiny-qwen2")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "formats", "tiny-qwen2.gguf")
LAYER = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def gguf_name(name):
    if name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if name == "model.norm.weight":
        return "output_norm.weight"
    parts = name.split(".", 3)  # model, layers, N, rest
    return f"blk.{parts[2]}.{LAYER[parts[3]]}"


def main():
    config = json.load(open(os.path.join(SOURCE, "config.json")))
    tensors = load_file(os.path.join(SOURCE, "model.safetensors"))
    tokenizer = json.load(open(os.path.join(SOURCE, "tokenizer.json")))
    writer = gguf.GGUFWriter(OUT, "qwen2")
    writer.add_name("tiny-qwen2")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_rope_freq_base(config.get("rope_parameters", {}).get("rope_theta", config.get("rope_theta", 10000.0)))
    vocab = tokenizer["model"]["vocab"]
    tokens = [None] * (max(vocab.values()) + 1)
    for token, index in vocab.items():
        tokens[index] = token
    for added in tokenizer.get("added_tokens", []):
        if added["id"] >= len(tokens):
            tokens += [None] * (added["id"] + 1 - len(tokens))
        tokens[added["id"]] = added["content"]
    tokens = [t if t is not None else f"[PAD{i}]" for i, t in enumerate(tokens)]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_merges(merges)
    writer.add_vocab_size(config["vocab_size"])
    for name in sorted(tensors):
        if name == "lm_head.weight":
            continue  # tied
        writer.add_tensor(gguf_name(name), tensors[name].astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
