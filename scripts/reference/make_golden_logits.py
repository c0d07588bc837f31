#!/usr/bin/env python3
"""Golden last-position logits for SmolLM2-135M-Instruct (GGUF, dequantized to fp32).

Loads the default GGUF with transformers (fp32, Q/K un-permuted by transformers'
GGUF loader), tokenizes every line of Tests/Fixtures/prompts.txt (after unescaping
\\n, \\t, \\\\) with the tokenizer transformers builds from the same GGUF, with NO
special tokens added, and runs:

  (a) every prompt alone (batch 1, no mask), and
  (b) all prompts in one batch, RIGHT-padded, with an attention mask,

gathering the logits at each prompt's last real position; asserts (a) and (b) agree.
Also produces 8 greedy tokens per prompt (full recompute each step, no KV cache,
no stop on EOS).

Writes Tests/Fixtures/smollm2-golden-logits.safetensors:
  input_ids    I64 [P, Lmax]  prompt ids, padded with -1
  lengths      I64 [P]
  index        I64 [K]        kept vocabulary ids: 0, 64, ..., 49088 (K = 768)
  logits       F32 [P, K]     last-position logits at `index` (from run (a))
  top_ids      I64 [P, 16]    top-16 ids over the full vocabulary (descending)
  top_logits   F32 [P, 16]
  logsumexp    F32 [P]        over the full vocabulary (computed in float64)
  sum_sq       F32 [P]        sum of squared logits over the full vocabulary (float64)
  greedy       I64 [P, 8]     8 greedy new tokens
  greedy_margin F32 [P, 8]    top1 - top2 logit at each greedy step (small = fragile)
and a small JSON sidecar Tests/Fixtures/smollm2-golden-logits.json.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_golden_logits.py
"""
import argparse
import hashlib
import json
import os
import sys
import time

import torch

SCRIPT_VERSION = "1"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ZOTUNE_HOME = os.environ.get("ZOTUNE_HOME", os.path.expanduser("~/.cache/zotune"))
DEFAULT_GGUF = os.path.join(ZOTUNE_HOME, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")

# Known fp32 reference values (no BOS) used as a sanity check.
CHECK_PROMPT = "The capital of France is"
CHECK_IDS = [504, 3575, 282, 4649, 314]
CHECK_ARGMAX = 7042
CHECK_MAX_LOGIT = 17.37126
CHECK_FIRST4 = [1.61365, -11.87187, -7.94445, -9.34693]


def unescape(line: str) -> str:
    """The CLI's prompt escape convention: \\n newline, \\t tab, \\\\ backslash; nothing else."""
    out = []
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\":
            if i + 1 >= len(line):
                raise ValueError(f"dangling backslash in {line!r}")
            n = line[i + 1]
            if n == "n":
                out.append("\n")
            elif n == "t":
                out.append("\t")
            elif n == "\\":
                out.append("\\")
            else:
                raise ValueError(f"unknown escape \\{n} in {line!r}")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_prompts(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    for k, l in enumerate(lines):
        if l == "":
            raise ValueError(f"{path}:{k + 1}: empty prompt line")
        if l.endswith("\r"):
            raise ValueError(f"{path}:{k + 1}: CR line ending")
    return [unescape(l) for l in lines]


def load(gguf_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    d, name = os.path.split(os.path.abspath(gguf_path))
    tok = AutoTokenizer.from_pretrained(d, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, dtype=torch.float32)
    model.eval()
    return tok, model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--prompts", default=os.path.join(REPO, "Tests", "Fixtures", "prompts.txt"))
    ap.add_argument("--out", default=os.path.join(REPO, "Tests", "Fixtures", "smollm2-golden-logits.safetensors"))
    ap.add_argument("--stride", type=int, default=64, help="keep every Nth vocabulary id")
    ap.add_argument("--topk", type=int, default=16)
    ap.add_argument("--greedy", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tol", type=float, default=1e-4, help="max |single - batched| logit difference")
    args = ap.parse_args()

    import transformers
    from safetensors.torch import save_file

    torch.set_num_threads(args.threads)
    t0 = time.time()
    tok, model = load(args.gguf)
    print(f"loaded {args.gguf} in {time.time() - t0:.1f}s; tokenizer {type(tok).__name__}", file=sys.stderr)
    vocab = model.config.vocab_size

    def encode(text):
        return tok(text, add_special_tokens=False).input_ids

    # --- sanity check against the known reference values ---------------------------
    ids = encode(CHECK_PROMPT)
    assert ids == CHECK_IDS, f"tokenizer mismatch: {ids} != {CHECK_IDS}"
    assert tok(CHECK_PROMPT).input_ids == CHECK_IDS, "default tokenizer call adds special tokens (BOS?)"
    with torch.inference_mode():
        lg = model(torch.tensor([ids])).logits[0, -1]
    assert int(lg.argmax()) == CHECK_ARGMAX, int(lg.argmax())
    assert abs(float(lg.max()) - CHECK_MAX_LOGIT) < 1e-3, float(lg.max())
    for got, want in zip(lg[:4].tolist(), CHECK_FIRST4):
        assert abs(got - want) < 1e-3, (lg[:4].tolist(), CHECK_FIRST4)
    print(f"check OK: ids {ids} argmax {int(lg.argmax())} max {float(lg.max()):.5f} "
          f"logits[0:4] {[round(x, 5) for x in lg[:4].tolist()]}", file=sys.stderr)

    # --- tokenize ------------------------------------------------------------------
    prompts = read_prompts(args.prompts)
    assert CHECK_PROMPT in prompts
    enc = [encode(p) for p in prompts]
    for p, e in zip(prompts, enc):
        assert len(e) > 0, f"empty tokenization for {p!r}"
    P = len(enc)
    lengths = torch.tensor([len(e) for e in enc], dtype=torch.int64)
    Lmax = int(lengths.max())
    input_ids = torch.full((P, Lmax), -1, dtype=torch.int64)
    for i, e in enumerate(enc):
        input_ids[i, : len(e)] = torch.tensor(e, dtype=torch.int64)
    print(f"{P} prompts, lengths {int(lengths.min())}..{Lmax}, total {int(lengths.sum())} tokens", file=sys.stderr)

    # --- (a) single ----------------------------------------------------------------
    t0 = time.time()
    single = torch.empty((P, vocab), dtype=torch.float32)
    with torch.inference_mode():
        for i, e in enumerate(enc):
            single[i] = model(torch.tensor([e])).logits[0, -1]
    print(f"(a) single runs: {time.time() - t0:.1f}s", file=sys.stderr)

    # --- (b) batched, right padding + attention mask --------------------------------
    t0 = time.time()
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    batch_ids = torch.where(input_ids < 0, torch.full_like(input_ids, pad_id), input_ids)
    mask = (input_ids >= 0).to(torch.int64)
    with torch.inference_mode():
        out = model(input_ids=batch_ids, attention_mask=mask).logits  # [P, Lmax, V]
        batched = out[torch.arange(P), lengths - 1].clone()
        del out
    print(f"(b) batched run: {time.time() - t0:.1f}s", file=sys.stderr)
    diff = (single - batched).abs()
    max_diff = float(diff.max())
    worst = int(diff.max(dim=1).values.argmax())
    print(f"max |single - batched| = {max_diff:.3e} (prompt {worst}, len {int(lengths[worst])})", file=sys.stderr)
    assert max_diff <= args.tol, f"single vs batched differ by {max_diff} > {args.tol}"
    assert torch.equal(single.argmax(1), batched.argmax(1))

    # --- greedy (full recompute, no cache, no EOS stop) -----------------------------
    t0 = time.time()
    greedy = torch.empty((P, args.greedy), dtype=torch.int64)
    margin = torch.empty((P, args.greedy), dtype=torch.float32)
    with torch.inference_mode():
        for i, e in enumerate(enc):
            seq = list(e)
            for s in range(args.greedy):
                lg = single[i] if s == 0 else model(torch.tensor([seq])).logits[0, -1]
                top2 = torch.topk(lg, 2)
                nxt = int(top2.indices[0])
                greedy[i, s] = nxt
                margin[i, s] = float(top2.values[0] - top2.values[1])
                seq.append(nxt)
    print(f"greedy: {time.time() - t0:.1f}s; min margin {float(margin.min()):.4f}", file=sys.stderr)

    # --- summaries --------------------------------------------------------------------
    index = torch.arange(0, vocab, args.stride, dtype=torch.int64)
    s64 = single.to(torch.float64)
    top = torch.topk(single, args.topk, dim=1)
    tensors = {
        "input_ids": input_ids,
        "lengths": lengths,
        "index": index,
        "logits": single[:, index].contiguous(),
        "top_ids": top.indices.to(torch.int64).contiguous(),
        "top_logits": top.values.contiguous(),
        "logsumexp": torch.logsumexp(s64, dim=1).to(torch.float32),
        "sum_sq": (s64 * s64).sum(dim=1).to(torch.float32),
        "greedy": greedy,
        "greedy_margin": margin,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    save_file(tensors, args.out, metadata={"generator": "scripts/reference/make_golden_logits.py",
                                           "script_version": SCRIPT_VERSION})

    # Re-read and verify the file round-trips.
    from safetensors.torch import load_file
    back = load_file(args.out)
    for k, v in tensors.items():
        assert torch.equal(back[k], v), k

    ci = prompts.index(CHECK_PROMPT)
    gguf_size = os.path.getsize(args.gguf)
    with open(args.gguf, "rb") as f:
        head_sha = hashlib.sha256(f.read(1 << 20)).hexdigest()
    sidecar = {
        "script": "scripts/reference/make_golden_logits.py",
        "script_version": SCRIPT_VERSION,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "model_file": os.path.basename(args.gguf),
        "model_file_bytes": gguf_size,
        "model_file_sha256_first_MiB": head_sha,
        "prompts_file": "Tests/Fixtures/prompts.txt",
        "prompt_count": P,
        "max_length": Lmax,
        "index_stride": args.stride,
        "special_tokens_added": False,
        "padding": "right, pad id %d, attention mask; input_ids padded with -1 in the fixture" % pad_id,
        "max_abs_diff_single_vs_batched": max_diff,
        "greedy": "full recompute per step, argmax, no EOS stop",
        "check": {"prompt": CHECK_PROMPT, "row": ci, "ids": enc[ci],
                  "argmax": int(single[ci].argmax()), "max_logit": float(single[ci].max()),
                  "logits_0_4": single[ci, :4].tolist()},
    }
    side = os.path.splitext(args.out)[0] + ".json"
    with open(side, "w") as f:
        json.dump(sidecar, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}: {os.path.getsize(args.out)} bytes")
    print(f"wrote {side}: {os.path.getsize(side)} bytes")


if __name__ == "__main__":
    main()
