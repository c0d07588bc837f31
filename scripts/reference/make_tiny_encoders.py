#!/usr/bin/env python3
"""Tiny random BERT / RoBERTa checkpoints (HF folder layout) and golden encoder outputs, plus
golden outputs of the real all-MiniLM-L6-v2 for a few sentences.

Creates:
  Tests/Fixtures/tiny-bert-mlm/      BertForMaskedLM     (keys "bert.*" + "cls.predictions.*")
  Tests/Fixtures/tiny-bert/          BertModel + pooler  (keys without prefix, like MiniLM; no head)
  Tests/Fixtures/tiny-roberta-mlm/   RobertaForMaskedLM  (keys "roberta.*" + "lm_head.*")
each with config.json + model.safetensors (fp32, save_pretrained) + tokenizer.json, copied from
the tokenizer fixtures so the vocabulary sizes match: BERT folders get tiny-wordpiece (700 ids,
[PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4), RoBERTa gets tiny-roberta (500 ids, <s>=0 <pad>=1
</s>=2 <unk>=3 <mask>=4).

Shared architecture: hidden 48, 3 heads (head_dim 16), 2 layers, intermediate 128, exact GELU,
layer_norm_eps 1e-12, absolute positions (BERT: 40 positions, 2 token types; RoBERTa: 42
positions = 40 + padding_idx 1 + 1, 1 token type).

Initialisation (torch.manual_seed(0) before each model): transformers' init with
initializer_range 0.2 (attention far from uniform, so masking errors show), then every
LayerNorm weight = 1 + 0.1·N(0,1) and every bias (linear, LayerNorm, MLM output bias) =
0.1·N(0,1), so a dropped bias or gain shows in the outputs.

Tests/Fixtures/tiny-encoders-golden.safetensors (S sequences per vocabulary, lengths 19, 1, 2,
6, 12; random non-special ids framed as [CLS] … [SEP] when the length allows, one id replaced by
the mask token at mask_positions):
  bert_input_ids     I64 [S, 19]  padded with -1        bert_lengths  I64 [S]
  bert_positions     I64 [S, 2]   logit positions: [mask position, 0]
  bert_mlm_logits    F32 [S, 2, 700]   tiny-bert-mlm logits at bert_positions
  bert_hidden        F32 [T, 48]  tiny-bert last_hidden_state, sequences packed back to back
  bert_pooled        F32 [S, 48]  tiny-bert pooler_output (tanh(dense([CLS])))
  roberta_input_ids, roberta_lengths, roberta_positions, roberta_mlm_logits [S, 2, 500]
Every value comes from running each sequence alone; a right-padded batch with an attention
mask is checked against it (max difference < 1e-5).

Tests/Fixtures/minilm-golden.safetensors (needs the all-minilm-l6-v2 asset: `zotune fetch
all-minilm-l6-v2`, or --minilm PATH): the 8 SENTENCES below tokenized by MiniLM's tokenizer
([CLS] … [SEP]), metadata "sentences" = their JSON list:
  input_ids          I64 [8, Lmax] padded with -1      lengths  I64 [8]
  last_hidden_state  F32 [T, 384] packed                pooled   F32 [8, 384] (BERT pooler)
Same single-vs-batched check.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_tiny_encoders.py
"""
import argparse
import json
import os
import shutil
import sys

import torch

SCRIPT_VERSION = "1"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "Fixtures")
HOME = os.environ.get("ZOTUNE_HOME", os.path.expanduser("~/.cache/zotune"))
LENGTHS = [19, 1, 2, 6, 12]
SENTENCES = [
    "The movie was great.",
    "A dull, lifeless film that never finds its footing.",
    "hello",
    "It's a WONDERFUL performance -- funny, moving and smart!",
    "Nothing about this story makes sense, and the actors seem to know it.",
    "Ok.",
    "The quick brown fox jumps over the lazy dog near the riverbank at dawn, "
    "while the old farmer watches quietly from his porch.",
    "I can't recommend it enough: 10/10.",
]

COMMON = dict(
    hidden_size=48,
    num_hidden_layers=2,
    num_attention_heads=3,
    intermediate_size=128,
    hidden_act="gelu",
    layer_norm_eps=1e-12,
    initializer_range=0.2,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
)
BERT = dict(vocab_size=700, max_position_embeddings=40, type_vocab_size=2, pad_token_id=0)
BERT_SPECIAL = dict(cls=2, sep=3, mask=4, pad=0, first_plain=5)
ROBERTA = dict(vocab_size=500, max_position_embeddings=42, type_vocab_size=1, pad_token_id=1,
               bos_token_id=0, eos_token_id=2)
ROBERTA_SPECIAL = dict(cls=0, sep=2, mask=4, pad=1, first_plain=5)


def perturb_norms_and_biases(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name or "layer_norm.weight" in name:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))


def build(cls, config):
    torch.manual_seed(0)
    model = cls(config).to(torch.float32)
    perturb_norms_and_biases(model)
    return model.eval()


def save(model, folder, tokenizer):
    out_dir = os.path.join(FIX, folder)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    for extra in ["generation_config.json"]:
        if os.path.exists(os.path.join(out_dir, extra)):
            os.remove(os.path.join(out_dir, extra))
    shutil.copyfile(os.path.join(FIX, "tokenizer", tokenizer, "tokenizer.json"),
                    os.path.join(out_dir, "tokenizer.json"))
    return out_dir


def sequences(vocab, special, generator):
    """Random ids framed as [CLS] … [SEP] (when long enough), one replaced by the mask."""
    rows, positions = [], []
    for n in LENGTHS:
        ids = torch.randint(special["first_plain"], vocab, (n,), generator=generator)
        if n >= 3:
            ids[0], ids[-1] = special["cls"], special["sep"]
        mask_at = n // 2
        ids[mask_at] = special["mask"]
        rows.append(ids)
        positions.append([mask_at, 0])
    padded = torch.full((len(rows), max(LENGTHS)), -1, dtype=torch.int64)
    for i, ids in enumerate(rows):
        padded[i, :len(ids)] = ids
    return rows, padded, torch.tensor(positions, dtype=torch.int64)


def padded_batch(rows, pad):
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.int64)
    mask = torch.zeros((len(rows), width), dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r
        mask[i, :len(r)] = 1
    return ids, mask


def mlm_logits(model, rows, positions, pad):
    """Logits at `positions` of each row, alone; checked against a padded batch."""
    out = []
    with torch.inference_mode():
        for r, p in zip(rows, positions):
            logits = model(input_ids=r[None]).logits[0]
            out.append(logits[p])
        ids, mask = padded_batch(rows, pad)
        batched = model(input_ids=ids, attention_mask=mask).logits
        for i, (r, p) in enumerate(zip(rows, positions)):
            d = float((batched[i, p] - out[i]).abs().max())
            assert d < 1e-5, f"batched vs single: {d}"
    return torch.stack(out)


def hidden_and_pooled(model, rows, pad):
    hidden, pooled = [], []
    with torch.inference_mode():
        for r in rows:
            o = model(input_ids=r[None])
            hidden.append(o.last_hidden_state[0])
            pooled.append(o.pooler_output[0])
        ids, mask = padded_batch(rows, pad)
        b = model(input_ids=ids, attention_mask=mask)
        for i, r in enumerate(rows):
            d = max(float((b.last_hidden_state[i, :len(r)] - hidden[i]).abs().max()),
                    float((b.pooler_output[i] - pooled[i]).abs().max()))
            assert d < 1e-5, f"batched vs single: {d}"
    return torch.cat(hidden), torch.stack(pooled)


def reload_check(cls, folder, built, rows):
    reloaded = cls.from_pretrained(folder, dtype=torch.float32).eval()
    with torch.inference_mode():
        for r in rows:
            a, b = built(input_ids=r[None]), reloaded(input_ids=r[None])
            a = a.logits if hasattr(a, "logits") else a.last_hidden_state
            b = b.logits if hasattr(b, "logits") else b.last_hidden_state
            assert float((a - b).abs().max()) < 1e-5, f"{folder}: reloaded model differs"
    return reloaded


def fixture(cls, config, folder, tokenizer, rows):
    """Builds, saves and reloads one checkpoint folder; returns the reloaded model."""
    model = build(cls, config)
    return reload_check(cls, save(model, folder, tokenizer), model, rows)


def golden_sequences(golden, key, vocab, special, generator):
    rows, padded, positions = sequences(vocab, special, generator)
    golden.update({f"{key}_input_ids": padded, f"{key}_lengths": torch.tensor(LENGTHS), f"{key}_positions": positions})
    return rows, positions


def tiny(golden):
    from transformers import BertConfig, BertForMaskedLM, BertModel, RobertaConfig, RobertaForMaskedLM

    g = torch.Generator().manual_seed(1)
    rows, positions = golden_sequences(golden, "bert", BERT["vocab_size"], BERT_SPECIAL, g)
    mlm = fixture(BertForMaskedLM, BertConfig(**COMMON, **BERT), "tiny-bert-mlm", "tiny-wordpiece", rows)
    golden["bert_mlm_logits"] = mlm_logits(mlm, rows, positions, BERT_SPECIAL["pad"])
    base = fixture(BertModel, BertConfig(**COMMON, **BERT), "tiny-bert", "tiny-wordpiece", rows)
    golden["bert_hidden"], golden["bert_pooled"] = hidden_and_pooled(base, rows, BERT_SPECIAL["pad"])

    rows, positions = golden_sequences(golden, "roberta", ROBERTA["vocab_size"], ROBERTA_SPECIAL, g)
    roberta = fixture(RobertaForMaskedLM, RobertaConfig(**COMMON, **ROBERTA), "tiny-roberta-mlm", "tiny-roberta", rows)
    golden["roberta_mlm_logits"] = mlm_logits(roberta, rows, positions, ROBERTA_SPECIAL["pad"])


def minilm(path):
    from tokenizers import Tokenizer
    from transformers import BertModel

    tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    tokenizer.no_padding()  # MiniLM's file pads every encoding to 128
    rows = [torch.tensor(tokenizer.encode(s).ids, dtype=torch.int64) for s in SENTENCES]
    model = BertModel.from_pretrained(path, dtype=torch.float32).eval()
    hidden, pooled = hidden_and_pooled(model, rows, 0)
    ids = torch.full((len(rows), max(len(r) for r in rows)), -1, dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r
    return dict(input_ids=ids, lengths=torch.tensor([len(r) for r in rows]),
                last_hidden_state=hidden, pooled=pooled)


def main():
    from safetensors.torch import save_file
    import transformers

    parser = argparse.ArgumentParser()
    parser.add_argument("--minilm", default=os.path.join(HOME, "models", "all-MiniLM-L6-v2"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    metadata = {"generator": "scripts/reference/make_tiny_encoders.py", "script_version": SCRIPT_VERSION,
                "torch": torch.__version__, "transformers": transformers.__version__}

    golden = {}
    tiny(golden)
    out = os.path.join(FIX, "tiny-encoders-golden.safetensors")
    save_file({k: v.contiguous() for k, v in golden.items()}, out, metadata=metadata)
    written = [os.path.join(FIX, d) for d in ["tiny-bert-mlm", "tiny-bert", "tiny-roberta-mlm"]] + [out]

    if os.path.isdir(args.minilm):
        out = os.path.join(FIX, "minilm-golden.safetensors")
        save_file({k: v.contiguous() for k, v in minilm(args.minilm).items()}, out,
                  metadata={**metadata, "sentences": json.dumps(SENTENCES)})
        written.append(out)
    else:
        print(f"note: {args.minilm} missing; minilm-golden.safetensors not written "
              f"(run `zotune fetch all-minilm-l6-v2` first)", file=sys.stderr)

    for d in written:
        files = [os.path.join(d, n) for n in sorted(os.listdir(d))] if os.path.isdir(d) else [d]
        for f in files:
            print(f"wrote {os.path.relpath(f, REPO)}: {os.path.getsize(f)} bytes")


if __name__ == "__main__":
    main()
