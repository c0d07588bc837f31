#!/usr/bin/env python3
"""Tiny random OPT, GPT-2 and Qwen2 checkpoints (HF folder layout) and their golden logits.

Creates, under Tests/Fixtures/:
  tiny-opt/            OPTForCausalLM, pre-LN (do_layer_norm_before), final layer norm, tied head
  tiny-opt-post-ln/    OPTForCausalLM, post-LN (as OPT-350m), word_embed_proj_dim 32 != hidden 64,
                       so project_in / project_out exist; no final layer norm; tied head
  tiny-gpt2/           GPT2LMHeadModel: Conv1D weights, gelu_new, hidden 48 (head_dim 12), n_inner
                       unset (4 * hidden), vocab 500, tied head
  tiny-qwen2/          Qwen2ForCausalLM, tied head, rope_theta 10000
  tiny-qwen2-untied/   Qwen2ForCausalLM, untied head, rope_theta 1000000
each with config.json + model.safetensors (fp32, save_pretrained) + tokenizer.json:
  OPT:   byte-level BPE with tiny-roberta's vocabulary and merges (<s> 0, <pad> 1, </s> 2, <unk> 3),
         built by transformers' GPT2Tokenizer with add_bos_token=True, bos </s>: its TemplateProcessing
         post-processor prepends </s> (id 2) as OPT's tokenizer does;
  GPT-2: Tests/Fixtures/tokenizer/tiny-gpt2/tokenizer.json (<|endoftext|> 0, nothing prepended);
  Qwen2: Tests/Fixtures/tokenizer/tiny-bpe/tokenizer.json (the tiny-llama one: digits split, chat
         markers, nothing prepended).

Shared shape: 2 layers, 4 heads, hidden 64 (GPT-2: 48). Initialisation (torch.manual_seed(0) before
building each model): transformers' own init with a std of 0.125 instead of 0.02 (so attention
scores are O(1) and masking or position errors show in the logits); then every norm weight is set
to 1 + 0.1 * N(0, 1), every norm bias and every linear bias to 0.1 * N(0, 1) (transformers
initialises them to 1 and 0, which would hide a forgotten or misplaced bias).

Also writes Tests/Fixtures/tiny-decoders-golden.safetensors; for each variant key K (opt,
opt_post_ln, gpt2, qwen2, qwen2_untied) and the config-only variants below:
  K.input_ids  I64 [S, Lmax]          random ids (per-variant seed), padded with -1
  K.lengths    I64 [S]                lengths 13, 1, 3, 6, 9
  K.logits     F32 [sum(lengths), V]  logits at every position of every sequence, sequences
                                      back to back, each sequence run alone (batch 1, no mask)
The batched run (right padding + attention mask) must agree with the single runs to 1e-5.
Config-only variants (the same weights, a changed config.json; the Swift tests make the same edit):
  opt_plain            tiny-opt with enable_bias=false and layer_norm_elementwise_affine=false
                       (transformers ignores the stored biases and norm parameters)
  gpt2_layer_scaled    tiny-gpt2 with scale_attn_by_inverse_layer_idx=true
And the tokenizer check:
  opt.text_ids I64 [n]  transformers' ids for TEXT with tiny-opt's tokenizer.json (starts with 2)

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_tiny_decoders.py
"""
import json
import os
import shutil
import sys
import tempfile

import torch

from make_tiny_llama import save_checkpoint

SCRIPT_VERSION = "1"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "Fixtures")
TOKENIZERS = os.path.join(FIX, "tokenizer")
LENGTHS = [13, 1, 3, 6, 9]
TEXT = "The movie was great, 10/10."
INIT_STD = 0.125


def opt_config(**overrides):
    from transformers import OPTConfig

    base = dict(vocab_size=512, hidden_size=64, num_hidden_layers=2, ffn_dim=128, num_attention_heads=4,
                max_position_embeddings=128, do_layer_norm_before=True, activation_function="relu",
                init_std=INIT_STD, pad_token_id=1, bos_token_id=2, eos_token_id=2, tie_word_embeddings=True)
    base.update(overrides)
    return OPTConfig(**base)


def gpt2_config(**overrides):
    from transformers import GPT2Config

    base = dict(vocab_size=500, n_embd=48, n_layer=2, n_head=4, n_positions=128, n_inner=None,
                activation_function="gelu_new", initializer_range=INIT_STD, bos_token_id=0, eos_token_id=0)
    base.update(overrides)
    return GPT2Config(**base)


def qwen2_config(**overrides):
    from transformers import Qwen2Config

    base = dict(vocab_size=528, hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, rms_norm_eps=1e-6, max_position_embeddings=256, hidden_act="silu",
                initializer_range=INIT_STD, use_sliding_window=False, bos_token_id=0, eos_token_id=0)
    base.update(overrides)
    return Qwen2Config(**base)


VARIANTS = {
    "opt": dict(dir="tiny-opt", kind="opt", config=lambda: opt_config(), tokenizer="opt"),
    "opt_post_ln": dict(dir="tiny-opt-post-ln", kind="opt",
                        config=lambda: opt_config(do_layer_norm_before=False, word_embed_proj_dim=32),
                        tokenizer="opt"),
    "gpt2": dict(dir="tiny-gpt2", kind="gpt2", config=lambda: gpt2_config(), tokenizer="tiny-gpt2"),
    "qwen2": dict(dir="tiny-qwen2", kind="qwen2", tokenizer="tiny-bpe",
                  config=lambda: qwen2_config(tie_word_embeddings=True,
                                              rope_parameters={"rope_type": "default", "rope_theta": 10000.0})),
    "qwen2_untied": dict(dir="tiny-qwen2-untied", kind="qwen2", tokenizer="tiny-bpe",
                         config=lambda: qwen2_config(tie_word_embeddings=False,
                                                     rope_parameters={"rope_type": "default",
                                                                      "rope_theta": 1000000.0})),
}
# Same weights as the base variant, config.json edited as given.
CONFIG_VARIANTS = {
    "opt_plain": ("opt", {"enable_bias": False, "layer_norm_elementwise_affine": False}),
    "gpt2_layer_scaled": ("gpt2", {"scale_attn_by_inverse_layer_idx": True}),
}


def model_class(kind):
    from transformers import GPT2LMHeadModel, OPTForCausalLM, Qwen2ForCausalLM

    return {"opt": OPTForCausalLM, "gpt2": GPT2LMHeadModel, "qwen2": Qwen2ForCausalLM}[kind]


def build(variant):
    torch.manual_seed(0)
    model = model_class(variant["kind"])(variant["config"]()).to(torch.float32)
    norms = (torch.nn.LayerNorm,)
    with torch.no_grad():
        for module_name, module in model.named_modules():
            is_norm = isinstance(module, norms) or type(module).__name__.endswith("RMSNorm")
            for name, p in module.named_parameters(recurse=False):
                if is_norm and name == "weight":
                    p.copy_(1.0 + 0.1 * torch.randn_like(p))
                elif name == "bias":
                    p.copy_(0.1 * torch.randn_like(p))
    model.eval()
    return model


def opt_tokenizer_json(out_path):
    """OPT's tokenizer as transformers 5 builds and saves it: byte-level BPE, no prefix space,
    a TemplateProcessing that prepends the BOS </s>."""
    from transformers import GPT2Tokenizer

    source = json.load(open(os.path.join(TOKENIZERS, "tiny-roberta", "tokenizer.json"), encoding="utf-8"))
    vocab = source["model"]["vocab"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in source["model"]["merges"]]
    tok = GPT2Tokenizer(vocab=vocab, merges=merges, bos_token="</s>", eos_token="</s>", unk_token="<unk>",
                        pad_token="<pad>", add_bos_token=True, add_prefix_space=False)
    with tempfile.TemporaryDirectory() as d:
        tok.save_pretrained(d)
        shutil.copyfile(os.path.join(d, "tokenizer.json"), out_path)
    saved = json.load(open(out_path, encoding="utf-8"))
    assert saved["post_processor"]["type"] == "TemplateProcessing", saved["post_processor"]
    return tok


def golden_ids(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    S, Lmax = len(LENGTHS), max(LENGTHS)
    input_ids = torch.full((S, Lmax), -1, dtype=torch.int64)
    for i, n in enumerate(LENGTHS):
        input_ids[i, :n] = torch.randint(0, vocab, (n,), generator=g)
    return input_ids, torch.tensor(LENGTHS, dtype=torch.int64)


def all_position_logits(model, input_ids, lengths):
    """Every position of every sequence, each run alone; checked against a right-padded masked batch."""
    S = len(LENGTHS)
    with torch.inference_mode():
        single = [model(input_ids[i:i + 1, :n]).logits[0] for i, n in enumerate(LENGTHS)]
        ids = torch.where(input_ids < 0, torch.zeros_like(input_ids), input_ids)
        mask = (input_ids >= 0).to(torch.int64)
        batched = model(input_ids=ids, attention_mask=mask).logits
    worst = max(float((batched[i, :n] - single[i]).abs().max()) for i, n in enumerate(LENGTHS))
    assert worst < 1e-5, f"single vs batched differ by {worst}"
    assert S == len(single)
    return torch.cat(single, dim=0).contiguous(), worst


def main():
    from safetensors.torch import load_file, save_file
    import transformers

    torch.set_num_threads(2)
    golden = {}
    for seed, (key, v) in enumerate(VARIANTS.items(), start=1):
        out_dir = os.path.join(FIX, v["dir"])
        model = build(v)
        save_checkpoint(model, out_dir)
        tokenizer_path = os.path.join(out_dir, "tokenizer.json")
        if v["tokenizer"] == "opt":
            opt_tokenizer_json(tokenizer_path)
        else:
            shutil.copyfile(os.path.join(TOKENIZERS, v["tokenizer"], "tokenizer.json"), tokenizer_path)

        sd = load_file(os.path.join(out_dir, "model.safetensors"))
        assert all(t.dtype == torch.float32 for t in sd.values())
        cfg = model.config
        assert ("lm_head.weight" in sd) == (not cfg.tie_word_embeddings), sorted(sd)

        reloaded = model_class(v["kind"]).from_pretrained(out_dir, dtype=torch.float32).eval()
        input_ids, lengths = golden_ids(cfg.vocab_size, seed)
        logits, worst = all_position_logits(reloaded, input_ids, lengths)
        with torch.inference_mode():
            built = model(input_ids[:1, :LENGTHS[0]]).logits[0]
        assert float((built - logits[:LENGTHS[0]]).abs().max()) < 1e-5, "reloaded model differs from built model"
        golden.update({f"{key}.input_ids": input_ids, f"{key}.lengths": lengths, f"{key}.logits": logits})
        print(f"{v['dir']}: {len(sd)} tensors, {sum(t.numel() for t in sd.values())} params, logits std "
              f"{float(logits.std()):.3f}, max|single-batched| {worst:.2e}", file=sys.stderr)

    for key, (base, edits) in CONFIG_VARIANTS.items():
        v = VARIANTS[base]
        model = model_class(v["kind"]).from_pretrained(os.path.join(FIX, v["dir"]), dtype=torch.float32,
                                                       **edits).eval()
        for name, value in edits.items():
            assert getattr(model.config, name) == value, name
        input_ids = golden[f"{base}.input_ids"]
        logits, worst = all_position_logits(model, input_ids, golden[f"{base}.lengths"])
        moved = float((logits - golden[f"{base}.logits"]).abs().max())
        assert moved > 1e-2, f"{key}: the config edit must change the logits ({moved})"
        golden[f"{key}.logits"] = logits
        print(f"{key}: {edits} moves logits by up to {moved:.3f}; max|single-batched| {worst:.2e}", file=sys.stderr)

    from transformers import PreTrainedTokenizerFast

    opt_tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(FIX, "tiny-opt", "tokenizer.json"))
    text_ids = opt_tok(TEXT).input_ids
    assert text_ids[0] == 2 and 2 not in text_ids[1:], text_ids
    golden["opt.text_ids"] = torch.tensor(text_ids, dtype=torch.int64)

    out = os.path.join(FIX, "tiny-decoders-golden.safetensors")
    save_file(golden, out, metadata={"generator": "scripts/reference/make_tiny_decoders.py",
                                     "script_version": SCRIPT_VERSION, "text": TEXT,
                                     "torch": torch.__version__, "transformers": transformers.__version__})
    for v in VARIANTS.values():
        d = os.path.join(FIX, v["dir"])
        for n in sorted(os.listdir(d)):
            print(f"wrote {os.path.relpath(os.path.join(d, n), REPO)}: {os.path.getsize(os.path.join(d, n))} bytes")
    print(f"wrote {os.path.relpath(out, REPO)}: {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
