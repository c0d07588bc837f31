#!/usr/bin/env python3
"""Peak memory of one backprop fine-tuning step in PyTorch (fp32, AdamW), the baseline for ZO's
memory argument: a zeroth-order step needs the weights and one forward's activations; a backprop
step adds gradients, two Adam moments and the activations kept for the backward pass.

Same model (the default GGUF, dequantized to fp32 by transformers), same batch as
`zotune-bench --training-step` (--prompts FILE: JSON list of {"prompt": str, "label": int}),
candidate cross-entropy at each prompt's last position. Runs --steps AdamW steps (the moments are
allocated in the first). One JSON line: parameter count, RSS after loading, peak RSS over the steps.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/bench_adam_memory.py --prompts FILE
"""
import argparse
import json
import os
import resource

import torch
import torch.nn.functional as F

ZOTUNE_HOME = os.environ.get("ZOTUNE_HOME", os.path.expanduser("~/.cache/zotune"))
DEFAULT_GGUF = os.path.join(ZOTUNE_HOME, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
CANDIDATES = [" terrible", " great"]


def peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", required=True)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with open(args.prompts) as f:
        examples = json.load(f)
    d, name = os.path.split(os.path.abspath(args.gguf))
    tok = AutoTokenizer.from_pretrained(d, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, dtype=torch.float32)
    model.train()
    parameter_count = sum(p.numel() for p in model.parameters())
    after_load = current_rss()

    candidates = torch.tensor([tok(c, add_special_tokens=False).input_ids[0] for c in CANDIDATES])
    encoded = [tok(e["prompt"], add_special_tokens=False).input_ids for e in examples]
    lengths = torch.tensor([len(ids) for ids in encoded])
    input_ids = torch.zeros((len(encoded), int(lengths.max())), dtype=torch.int64)
    attention_mask = torch.zeros_like(input_ids)
    for i, ids in enumerate(encoded):
        input_ids[i, :len(ids)] = torch.tensor(ids)
        attention_mask[i, :len(ids)] = 1
    labels = torch.tensor([e["label"] for e in examples])
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    for _ in range(args.steps):
        logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
        last = logits[torch.arange(len(encoded)), lengths - 1]
        loss = F.cross_entropy(F.log_softmax(last, dim=-1)[:, candidates], labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    print(json.dumps({"variant": "adam_step", "parameter_count": parameter_count, "rss_after_load_bytes": after_load,
                      "peak_rss_bytes": peak_rss(), "batch": len(encoded), "prompt_tokens": int(lengths.sum()),
                      "steps": args.steps, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
