#!/usr/bin/env python3
"""Tiny random LLaMA checkpoints (HF folder layout) and their golden logits.

Creates:
  Tests/Fixtures/tiny-llama/          tied head,   rope_theta 10000
  Tests/Fixtures/tiny-llama-untied/   untied head, rope_theta 500000
  Tests/Fixtures/tiny-llama3-rope/    untied head, rope_theta 500000, Llama 3.1's rope scaling
                                      ("rope_type": "llama3", factor 8, low/high frequency factors
                                      1 and 4) with original_max_position_embeddings 64, so that
                                      the 8 rotary frequencies fall in all three bands (kept,
                                      blended, divided by 8) within the test sequences' 40 positions
each with config.json + model.safetensors (fp32, save_pretrained(safe_serialization=True)),
and, if Tests/Fixtures/tokenizer/tiny-bpe/tokenizer.json exists, a copy of it as
tokenizer.json (re-run this script once that file exists to pick it up).

Shared architecture: vocab 512, hidden 64, intermediate 160, 2 layers, 4 heads,
2 KV heads (GQA, head_dim 16), rms_norm_eps 1e-5, max_position_embeddings 256, SiLU.

Initialisation (torch.manual_seed(0) before building each model): transformers' own
init with initializer_range 0.125 (instead of the default 0.02, so attention scores
are O(1) and RoPE / masking errors are visible in the logits), then every RMSNorm
weight is set to 1 + 0.1 * N(0, 1) (so a forgotten norm weight is visible too).

Also writes Tests/Fixtures/tiny-llama-golden.safetensors:
  input_ids       I64 [S, Lmax]  random ids (seed 1), padded with -1; row 0 is the longest
  lengths         I64 [S]
  logits_tied     F32 [S, 512]   last-position logits, tied model (each sequence alone)
  logits_untied   F32 [S, 512]   same for the untied model
  logits_llama3   F32 [S, 512]   same for the llama3-rope model
  inv_freq_llama3 F32 [8]        that model's rotary inverse frequencies (after scaling)
  all_logits_tied F32 [L0, 512]  logits at every position of sequence 0, tied model

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_tiny_llama.py
"""
import json
import os
import shutil
import sys

import torch

SCRIPT_VERSION = "2"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "Fixtures")
TOKENIZER_SRC = os.path.join(FIX, "tokenizer", "tiny-bpe", "tokenizer.json")
LENGTHS = [40, 1, 2, 7, 16, 23, 33]

COMMON = dict(
    vocab_size=512,
    hidden_size=64,
    intermediate_size=160,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    rms_norm_eps=1e-5,
    max_position_embeddings=256,
    hidden_act="silu",
    attention_bias=False,
    mlp_bias=False,
    initializer_range=0.125,
    bos_token_id=1,
    eos_token_id=2,
)
VARIANTS = {
    "tied": dict(dir="tiny-llama", tie_word_embeddings=True, rope_theta=10000.0),
    "untied": dict(dir="tiny-llama-untied", tie_word_embeddings=False, rope_theta=500000.0),
    "llama3": dict(dir="tiny-llama3-rope", tie_word_embeddings=False, rope_theta=500000.0,
                   scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                original_max_position_embeddings=64)),
}


def build(tie, theta, scaling=None):
    from transformers import LlamaConfig, LlamaForCausalLM

    rope = dict(scaling or {"rope_type": "default"}, rope_theta=theta)
    cfg = LlamaConfig(**COMMON, tie_word_embeddings=tie, rope_parameters=rope)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).to(torch.float32)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
    model.eval()
    return model


def save_checkpoint(model, out_dir):
    """`save_pretrained` into a fresh folder, without generation_config.json (ZOTune does not read it)."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    gen = os.path.join(out_dir, "generation_config.json")
    if os.path.exists(gen):
        os.remove(gen)


def main():
    from safetensors.torch import load_file, save_file
    from transformers import LlamaForCausalLM
    import transformers

    torch.set_num_threads(2)

    g = torch.Generator().manual_seed(1)
    S, Lmax = len(LENGTHS), max(LENGTHS)
    assert LENGTHS[0] == Lmax
    input_ids = torch.full((S, Lmax), -1, dtype=torch.int64)
    for i, n in enumerate(LENGTHS):
        input_ids[i, :n] = torch.randint(0, COMMON["vocab_size"], (n,), generator=g)
    lengths = torch.tensor(LENGTHS, dtype=torch.int64)

    golden = {"input_ids": input_ids, "lengths": lengths}
    for key, v in VARIANTS.items():
        out_dir = os.path.join(FIX, v["dir"])
        model = build(v["tie_word_embeddings"], v["rope_theta"], v.get("scaling"))
        save_checkpoint(model, out_dir)

        # Sanity: tensors on disk, tying, config values.
        sd = load_file(os.path.join(out_dir, "model.safetensors"))
        assert all(t.dtype == torch.float32 for t in sd.values())
        assert ("lm_head.weight" in sd) == (not v["tie_word_embeddings"]), sorted(sd)
        with open(os.path.join(out_dir, "config.json")) as f:
            cfg = json.load(f)
        print(f"{v['dir']}: {len(sd)} tensors, {sum(t.numel() for t in sd.values())} params; "
              f"config rope={cfg.get('rope_parameters', cfg.get('rope_theta'))} "
              f"tie={cfg.get('tie_word_embeddings')}", file=sys.stderr)

        if os.path.exists(TOKENIZER_SRC):
            shutil.copyfile(TOKENIZER_SRC, os.path.join(out_dir, "tokenizer.json"))
            print(f"  copied {os.path.relpath(TOKENIZER_SRC, REPO)}", file=sys.stderr)
        else:
            print(f"  note: {os.path.relpath(TOKENIZER_SRC, REPO)} not present; no tokenizer.json "
                  f"(re-run once it exists)", file=sys.stderr)

        # Golden logits from the reloaded checkpoint (proves the files are what we computed).
        reloaded = LlamaForCausalLM.from_pretrained(out_dir, dtype=torch.float32).eval()
        last = torch.empty((S, COMMON["vocab_size"]), dtype=torch.float32)
        with torch.inference_mode():
            for i, n in enumerate(LENGTHS):
                lg = reloaded(input_ids[i:i + 1, :n]).logits[0]
                ref = model(input_ids[i:i + 1, :n]).logits[0]
                # Not bit-exact: fp32 kernels may pick different code paths per call (seen: 2e-6).
                dd = float((lg - ref).abs().max())
                assert dd < 1e-5, f"reloaded model differs from built model by {dd}"
                last[i] = lg[-1]
                if i == 0 and key == "tied":
                    golden["all_logits_tied"] = lg.clone()
            # Cross-check: right-padded batch with attention mask.
            ids = torch.where(input_ids < 0, torch.zeros_like(input_ids), input_ids)
            mask = (input_ids >= 0).to(torch.int64)
            b = reloaded(input_ids=ids, attention_mask=mask).logits[torch.arange(S), lengths - 1]
            d = float((b - last).abs().max())
            assert d < 1e-4, d
        print(f"  logits std {float(last.std()):.3f}, max|single-batched| {d:.2e}", file=sys.stderr)
        golden[f"logits_{key}"] = last
        if "scaling" in v:
            inv_freq = reloaded.model.rotary_emb.inv_freq.to(torch.float32).clone()
            default = 1.0 / (v["rope_theta"] ** (torch.arange(0, 16, 2, dtype=torch.float32) / 16))
            ratio = default / inv_freq
            blended = (ratio > 1.0001) & (ratio < 7.999)
            assert ratio[0] == 1 and abs(ratio[-1] - 8) < 1e-4 and bool(blended.any()), \
                f"the frequencies should fall in all three bands: {ratio}"
            golden[f"inv_freq_{key}"] = inv_freq

    out = os.path.join(FIX, "tiny-llama-golden.safetensors")
    save_file(golden, out, metadata={"generator": "scripts/reference/make_tiny_llama.py",
                                     "script_version": SCRIPT_VERSION,
                                     "torch": torch.__version__,
                                     "transformers": transformers.__version__})
    for d in [os.path.join(FIX, v["dir"]) for v in VARIANTS.values()] + [out]:
        if os.path.isdir(d):
            for n in sorted(os.listdir(d)):
                print(f"wrote {os.path.relpath(os.path.join(d, n), REPO)}: {os.path.getsize(os.path.join(d, n))} bytes")
        else:
            print(f"wrote {os.path.relpath(d, REPO)}: {os.path.getsize(d)} bytes")


if __name__ == "__main__":
    main()
