#!/usr/bin/env python3
"""Random-weight Q4_K_M GGUF files with the REAL hub configurations of models too large to build in
memory, written tensor by tensor, to check ZOTune's loading, memory and speed on files the size
users have when the real weights cannot be downloaded (nothing here goes in git).

    make_large_quantized_gguf.py [--out /tmp/zotune-real-configs] [--only NAME ...] [--layers N] [--force]

make_real_config_checkpoints.py builds a transformers model in memory, saves it, then quantizes it:
fine for ~1 B parameters, not for 8 B (32 GB in fp32). This script never holds a model. It declares
every tensor (name, shape, type) up front, writes the GGUF header, metadata and tensor table, then
generates each tensor's bytes just before writing them and frees them after. The peak (1.2 GB for the
8B) is the largest tensor (Llama-3.1-8B's Q6_K output.weight, 431 MB) on top of what the tokenizer
step leaves: transformers' tokenizer classes import torch (0.55 GB) and the tokenizers ~0.2 GB more.

Files (under --out; an existing file is kept unless --force; written to a temporary name, then renamed):
  llama-3.2-1b-q4_k_m.gguf   meta-llama/Llama-3.2-1B: 16 layers, hidden 2048, GQA 32/8 heads of 64,
                             ffn 8192, vocab 128256, tied head, llama3 rope scaling (factor 32)
                             (the same name as make_real_config_checkpoints.py's file, with the same
                             metadata and tensor types: only the random weights differ)
  qwen2.5-3b-q4_k_m.gguf     Qwen/Qwen2.5-3B: 36 layers, hidden 2048, GQA 16/2 heads of 128, ffn 11008,
                             vocab 151936, tied head, q/k/v biases, rope_theta 1e6
  llama-3.1-8b-q4_k_m.gguf   meta-llama/Llama-3.1-8B: 32 layers, hidden 4096, GQA 32/8 heads of 128,
                             ffn 14336, vocab 128256, untied output.weight, llama3 rope scaling (factor 8)
--layers N keeps only N layers (everything else as on the hub), to save time and disk.

Layout and metadata are make_real_config_checkpoints.py's write_gguf (convert_hf_to_gguf.py's): the
hub config.json values as `<arch>.*` keys (make_tiny_gguf.add_llama_hyperparameters), llama3 rope
scaling as the converter's rope_freqs.weight (make_tiny_gguf.llama3_rope_factors), tensor names from
gguf's TensorNameMap, general.file_type MOSTLY_Q4_K_M, tensor types as llama-quantize's Q4_K_M picks
them (q4_k_m_type: Q6_K for output.weight and some attn_v / ffn_down, Q4_K for the other matrices, F32
vectors). The converter's q/k row permutation for `llama` is moot: a permutation of random rows is
random rows. Tokenizers are that script's: for both Llamas the Llama 3 tokenizer.json layout over
SmolLM2's vocabulary (pre-tokenizer "llama-bpe"), for Qwen2.5 its Qwen2 tokenizer (pre "qwen2"),
each saved to a temporary folder with the hub config.json and read back as the converter does
(get_vocab_base + SpecialVocab); token_embd keeps the hub's vocab_size rows (more than the tokenizer
has: the extra ids are "[PAD<i>]" UNUSED tokens, never looked up).

Weights: no float matrix is made and quantized (too slow at this size); each quantized block is drawn
directly, valid by construction, so its dequantized values look like the other script's "trained"
init: standard deviation 1.5 / sqrt(fan_in) for linear weights (fan_in = the row length), 3 / sqrt(hidden)
for the embedding table, mean zero. Per block, the quant bits are uniform random bytes and the fp16
scales are chosen for that spread:
  Q4_K  sub-block scales sc uniform 32..63, mins m = sc, dmin = 7.5 d (so each sub-block is centred:
        x = d sc q - dmin m = d sc (q - 7.5), q uniform 0..15)
  Q6_K  sub-block scales +-(64..127) with random signs, x = d sc (q - 32), q uniform 0..63
  Q5_0  x = d (q - 16), Q8_0  x = d q, d with a random sign (rows not a multiple of 256 only; none of
        these three models has such rows)
and d varies by a factor uniform 0.75..1.25 from block to block. Norm weights are 1 + 0.1 N(0, 1) and
Qwen2's biases 0.1 N(0, 1), F32. Every tensor has its own generator, seeded by --seed and its name
(so --layers does not change the tensors kept). A sample of rows of every quantized tensor is
dequantized with gguf.quants.dequantize and must be finite with mean ~0 and the intended std; a
summary per type is printed.

Run with the reference venv (4.9 GB on disk for the 8B, 1.8 GB for the 3B, 0.7 GB for the 1B; about
half a minute for the 8B on 2 cores, mostly writing):
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_large_quantized_gguf.py
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zlib

import gguf
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_real_config_checkpoints import (  # noqa: E402
    HUB_CONFIGS, add_bpe_vocabulary, llama3_tokenizer, q4_k_m_type, q4_k_scales, qwen2_tokenizer,
    save_tokenizer)
from make_tiny_gguf import add_llama_hyperparameters, llama3_rope_factors  # noqa: E402

T = gguf.GGMLQuantizationType

# The hub config.json files (Llama-3.2-1B's is make_real_config_checkpoints.py's, without the
# transformers_version it adds when writing).
QWEN25_3B = dict(
    architectures=["Qwen2ForCausalLM"], attention_dropout=0.0, bos_token_id=151643, eos_token_id=151643,
    hidden_act="silu", hidden_size=2048, initializer_range=0.02, intermediate_size=11008,
    max_position_embeddings=32768, max_window_layers=36, model_type="qwen2", num_attention_heads=16,
    num_hidden_layers=36, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=1000000.0, sliding_window=32768,
    tie_word_embeddings=True, torch_dtype="bfloat16", transformers_version="4.40.1", use_cache=True,
    use_mrope=False, use_sliding_window=False, vocab_size=151936)
LLAMA31_8B = dict(
    architectures=["LlamaForCausalLM"], attention_bias=False, attention_dropout=0.0, bos_token_id=128000,
    eos_token_id=128001, hidden_act="silu", hidden_size=4096, initializer_range=0.02, intermediate_size=14336,
    max_position_embeddings=131072, mlp_bias=False, model_type="llama", num_attention_heads=32,
    num_hidden_layers=32, num_key_value_heads=8, pretraining_tp=1, rms_norm_eps=1e-5,
    rope_scaling=dict(factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0, original_max_position_embeddings=8192,
                      rope_type="llama3"),
    rope_theta=500000.0, tie_word_embeddings=False, torch_dtype="bfloat16", transformers_version="4.43.0.dev0",
    use_cache=True, vocab_size=128256)

# name: (hub id, GGUF architecture, hub config.json, tokenizer maker, pre-tokenizer)
MODELS = {
    "llama-3.2-1b": ("meta-llama/Llama-3.2-1B", "llama", HUB_CONFIGS["meta-llama/Llama-3.2-1B"], "llama3", "llama-bpe"),
    "qwen2.5-3b": ("Qwen/Qwen2.5-3B", "qwen2", QWEN25_3B, "qwen2", "qwen2"),
    "llama-3.1-8b": ("meta-llama/Llama-3.1-8B", "llama", LLAMA31_8B, "llama3", "llama-bpe"),
}


# ------------------------------------------------------------------------------------ the tensors

def hub_config(name, layers):
    hub, _, values, _, _ = MODELS[name]
    config = {"_name_or_path": hub, **values}
    if layers:
        config["num_hidden_layers"] = layers
        if "max_window_layers" in config:
            config["max_window_layers"] = layers
    return config


def hf_tensors(config):
    """(HF name, numpy shape, kind) of every weight of a LLaMA-layout model, in layer order; kind is
    'norm', 'bias', 'embedding' or 'linear'."""
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config.get("head_dim") or hidden // heads
    biases = config["model_type"] == "qwen2"  # Qwen2's q/k/v projections have biases
    out = [("model.embed_tokens.weight", (config["vocab_size"], hidden), "embedding")]
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out.append((p + "input_layernorm.weight", (hidden,), "norm"))
        for proj, rows in (("q", heads * head_dim), ("k", kv_heads * head_dim), ("v", kv_heads * head_dim)):
            out.append((p + f"self_attn.{proj}_proj.weight", (rows, hidden), "linear"))
            if biases:
                out.append((p + f"self_attn.{proj}_proj.bias", (rows,), "bias"))
        out.append((p + "self_attn.o_proj.weight", (hidden, heads * head_dim), "linear"))
        out.append((p + "post_attention_layernorm.weight", (hidden,), "norm"))
        out.append((p + "mlp.gate_proj.weight", (inter, hidden), "linear"))
        out.append((p + "mlp.up_proj.weight", (inter, hidden), "linear"))
        out.append((p + "mlp.down_proj.weight", (hidden, inter), "linear"))
    out.append(("model.norm.weight", (hidden,), "norm"))
    if not config.get("tie_word_embeddings", True):
        out.append(("lm_head.weight", (config["vocab_size"], hidden), "linear"))
    return out


def gguf_tensors(config, architecture):
    """(GGUF name, numpy shape, GGML type, target std or None, kind) of every tensor, in file order."""
    arch = gguf.MODEL_ARCH.QWEN2 if architecture == "qwen2" else gguf.MODEL_ARCH.LLAMA
    layers = config["num_hidden_layers"]
    names = gguf.get_tensor_name_map(arch, layers)
    out = []
    for hf_name, shape, kind in hf_tensors(config):
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        assert name is not None, hf_name
        layer = int(name.split(".")[1]) if name.startswith("blk.") else -1
        std = {"embedding": 3 / config["hidden_size"] ** 0.5, "linear": 1.5 / shape[-1] ** 0.5}.get(kind)
        out.append((name, shape, q4_k_m_type(name, shape, layer, layers), std, kind))
    return out


def nbytes(shape, kind):
    if kind == T.F32:
        return 4 * int(np.prod(shape))
    block, size = gguf.GGML_QUANT_SIZES[kind]
    assert shape[-1] % block == 0
    return int(np.prod(shape[:-1])) * shape[-1] // block * size


def tensor_rng(seed, name):
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


# ------------------------------------------------------------------------------- random blocks

def rms(values):
    return float(np.sqrt(np.mean(np.square(np.asarray(values, dtype=np.float64)))))


D_SPREAD = (0.75, 1.25)  # each block's d is the tensor's times a factor uniform in this range
D_RMS = float(np.sqrt(np.mean(np.square(np.linspace(*D_SPREAD, 100001)))))
Q4_K_SC = (32, 63)       # 6-bit sub-block scales (the mins equal them)
Q6_K_SC = (64, 127)      # int8 sub-block scales, random sign
# The RMS of each type's x / d when the quant bits are uniform: q's offset from the centre times the
# sub-block scale.
UNIT_RMS = {
    T.Q4_K: rms(np.arange(16) - 7.5) * rms(np.arange(Q4_K_SC[0], Q4_K_SC[1] + 1)),
    T.Q6_K: rms(np.arange(64) - 32) * rms(np.arange(Q6_K_SC[0], Q6_K_SC[1] + 1)),
    T.Q5_0: rms(np.arange(32) - 16),
    T.Q8_0: rms(np.arange(-128, 128)),
}


def block_scales(rng, n, std, kind):
    """Each block's d (float32, before rounding to fp16) for a tensor of standard deviation `std`."""
    return (std / (UNIT_RMS[kind] * D_RMS) * rng.uniform(*D_SPREAD, size=n)).astype(np.float32)


def f16_bytes(values):
    return values.astype(np.float16).view(np.uint8).reshape(-1, 2)


def fill_blocks(blocks, rng, std, kind):
    """Overwrites `blocks` ([n, type size] uint8, already uniform random bytes, which are the quant
    bits) with scales for values of mean 0 and standard deviation `std`."""
    n = len(blocks)
    d = block_scales(rng, n, std, kind)
    if kind == T.Q4_K:  # d, dmin, scales[12], qs[128]
        sc = rng.integers(Q4_K_SC[0], Q4_K_SC[1] + 1, size=(n, 8), dtype=np.uint8)
        d16 = d.astype(np.float16)
        blocks[:, 0:2] = f16_bytes(d16)
        blocks[:, 2:4] = f16_bytes(7.5 * d16.astype(np.float32))
        blocks[:, 4:16] = q4_k_scales(sc, sc)
    elif kind == T.Q6_K:  # ql[128], qh[64], scales[16] (int8), d
        sc = rng.integers(Q6_K_SC[0], Q6_K_SC[1] + 1, size=(n, 16)) * rng.choice(np.array([-1, 1]), size=(n, 16))
        blocks[:, 192:208] = sc.astype(np.int8).view(np.uint8)
        blocks[:, 208:210] = f16_bytes(d)
    elif kind in (T.Q5_0, T.Q8_0):  # d, then (Q5_0) qh[4] + qs[16] or (Q8_0) qs[32] int8
        blocks[:, 0:2] = f16_bytes(d * rng.choice(np.array([-1, 1], dtype=np.float32), size=n))
    else:
        raise ValueError(f"no random blocks for {kind.name}")


def random_tensor(rng, shape, kind, std, role):
    """The bytes of one tensor: F32 values, or [rows, row bytes] uint8 of random valid blocks."""
    if kind == T.F32:
        center = 1.0 if role == "norm" else 0.0  # norms 1 + 0.1 N(0, 1), biases 0.1 N(0, 1)
        return (center + 0.1 * rng.standard_normal(shape, dtype=np.float32)).astype(np.float32)
    block, size = gguf.GGML_QUANT_SIZES[kind]
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    out = np.empty((rows, cols // block * size), dtype=np.uint8)
    step = max(1, (16 << 20) // out.shape[1])  # ~16 MB at a time keeps the temporaries small
    for start in range(0, rows, step):
        chunk = out[start:start + step]
        chunk[...] = np.frombuffer(rng.bytes(chunk.size), dtype=np.uint8).reshape(chunk.shape)
        fill_blocks(chunk.reshape(-1, size), rng, std, kind)
    return out


class Checks:
    """Dequantizes a sample of every quantized tensor's rows: finite, mean ~0, std ~ the target."""

    def __init__(self, rows=16):
        self.rows, self.stats = rows, {}

    def check(self, name, data, kind, std):
        sample = data[np.linspace(0, len(data) - 1, min(self.rows, len(data))).astype(int)]
        values = gguf.quants.dequantize(sample, kind).astype(np.float64)
        assert np.all(np.isfinite(values)), f"{name}: non-finite values"
        ratio, mean = values.std() / std, abs(values.mean()) / std
        assert 0.9 < ratio < 1.1 and mean < 0.05, f"{name} ({kind.name}): std {ratio:.3f} x target, mean {mean:.3f} std"
        s = self.stats.setdefault(kind.name, dict(tensors=0, blocks=0, ratios=[], means=[]))
        s["tensors"] += 1
        s["blocks"] += values.size // gguf.GGML_QUANT_SIZES[kind][0]
        s["ratios"].append(ratio)
        s["means"].append(mean)

    def report(self):
        for kind, s in sorted(self.stats.items()):
            print(f"  {kind}: {s['tensors']} tensors, {s['blocks']} blocks dequantized: std / target "
                  f"{min(s['ratios']):.3f}..{max(s['ratios']):.3f}, |mean| / target <= {max(s['means']):.4f}")


# ------------------------------------------------------------------------------------------ files

def add_vocabulary(writer, config, tokenizer, pre):
    """make_real_config_checkpoints.py's tokenizer, saved with the hub config.json to a temporary
    folder and read back as the converter reads a model folder."""
    folder = tempfile.mkdtemp()
    try:
        if tokenizer == "llama3":
            llama3_tokenizer().save_pretrained(folder)  # as make_real_config_checkpoints.make_llama32
        else:
            save_tokenizer(qwen2_tokenizer(), folder)   # as make_real_config_checkpoints.make_qwen2
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        add_bpe_vocabulary(writer, folder, config["vocab_size"], pre)
    finally:
        shutil.rmtree(folder)


def write_model(name, out, layers, seed):
    _, architecture, _, tokenizer, pre = MODELS[name]
    config = hub_config(name, layers)
    partial = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.partial")
    started = time.time()
    writer = gguf.GGUFWriter(partial, architecture)
    writer.add_name(name)
    add_llama_hyperparameters(writer, config)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    add_vocabulary(writer, config, tokenizer, pre)

    tensors = gguf_tensors(config, architecture)
    factors = llama3_rope_factors(config) if architecture == "llama" else None
    if factors is not None:
        writer.add_tensor_info("rope_freqs.weight", factors.shape, np.float32, factors.nbytes)
    counts = {}
    for tensor_name, shape, kind, _, _ in tensors:
        counts[kind.name] = counts.get(kind.name, 0) + 1
        if kind == T.F32:
            writer.add_tensor_info(tensor_name, shape, np.float32, nbytes(shape, kind))
        else:
            size = nbytes(shape, kind)
            writer.add_tensor_info(tensor_name, (int(np.prod(shape[:-1])), size // int(np.prod(shape[:-1]))),
                                   np.uint8, size, raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()

    checks = Checks()
    try:
        if factors is not None:
            writer.write_tensor_data(factors)
        for tensor_name, shape, kind, std, role in tensors:
            data = random_tensor(tensor_rng(seed, tensor_name), shape, kind, std, role)
            if kind != T.F32:
                checks.check(tensor_name, data, kind, std)
            writer.write_tensor_data(data)
            del data
        writer.close()
        os.replace(partial, out)
    except BaseException:
        writer.close()
        if os.path.exists(partial):
            os.remove(partial)
        raise
    parameters = sum(int(np.prod(shape)) for _, shape, _, _, _ in tensors)
    print(f"wrote {out} ({os.path.getsize(out) / 2**30:.2f} GiB, {parameters / 1e9:.2f} B parameters, "
          f"{config['num_hidden_layers']} layers; tensor types {counts}; {time.time() - started:.0f} s)")
    checks.report()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="/tmp/zotune-real-configs")
    parser.add_argument("--only", nargs="+", choices=list(MODELS), help="write only these (default: all)")
    parser.add_argument("--layers", type=int, help="keep only this many layers (default: the hub's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    names = args.only or list(MODELS)
    targets = {name: os.path.join(args.out, f"{name}-q4_k_m.gguf") for name in names}
    existing = [path for path in targets.values() if os.path.exists(path)]
    if existing and not args.force:
        sys.exit(f"refusing to overwrite {', '.join(existing)} (pass --force)")
    for name in names:
        write_model(name, targets[name], args.layers, args.seed)


if __name__ == "__main__":
    main()
