#!/usr/bin/env python3
"""PyTorch fp32 eager benchmark of multiple-choice scoring, as MeZO's code scores answers of several
tokens: every (prompt, answer) pair is its own right-padded sequence `prompt + answer`, one forward
over the batch, and an answer's score is the mean log-probability of its tokens. The baseline for
`zotune-bench --scoring`, which runs each prompt once with its answers as continuations.

Input (--ids FILE, written by zotune-bench --scoring): a JSON list of
{"prompt": [ids], "candidates": [[ids], ...]}: token ids, so both sides score the same sequences.

Timing: --warmup untimed passes, then --repeats timed ones (time.perf_counter around the forward
and the scoring). One JSON line on stdout: min/median/max seconds, token counts, and every score
(to check ZOTune's against).

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/bench_scoring.py \
        --ids FILE [--gguf PATH] [--threads 2] [--repeats 5]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

ZOTUNE_HOME = os.environ.get("ZOTUNE_HOME", os.path.expanduser("~/.cache/zotune"))
DEFAULT_GGUF = os.path.join(ZOTUNE_HOME, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ids", required=True, help='JSON list of {"prompt": [ids], "candidates": [[ids], ...]}')
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from transformers import AutoModelForCausalLM
    import transformers

    with open(args.ids) as f:
        examples = json.load(f)
    if not examples or not all(e.get("prompt") and e.get("candidates") for e in examples):
        sys.exit(f"{args.ids}: expected a non-empty JSON list of {{\"prompt\": [ids], \"candidates\": [[ids], ...]}}")
    d, name = os.path.split(os.path.abspath(args.gguf))
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, dtype=torch.float32).eval()

    # One right-padded row per (example, answer); the attention mask hides the padding.
    pairs = [(e["prompt"], c) for e in examples for c in e["candidates"]]
    width = max(len(p) + len(c) for p, c in pairs)
    input_ids = torch.zeros((len(pairs), width), dtype=torch.int64)
    attention_mask = torch.zeros((len(pairs), width), dtype=torch.int64)
    for i, (p, c) in enumerate(pairs):
        input_ids[i, : len(p) + len(c)] = torch.tensor(p + c)
        attention_mask[i, : len(p) + len(c)] = 1

    def scores():
        with torch.inference_mode():
            log_probs = F.log_softmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, dim=-1)
            flat = []
            for i, (p, c) in enumerate(pairs):
                positions = torch.arange(len(p) - 1, len(p) - 1 + len(c))
                flat.append(log_probs[i, positions, torch.tensor(c)].mean().item())
        result, k = [], 0
        for e in examples:
            result.append(flat[k : k + len(e["candidates"])])
            k += len(e["candidates"])
        return result

    for _ in range(args.warmup):
        scores()
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        values = scores()
        times.append(time.perf_counter() - t)
    print(json.dumps({
        "variant": "scoring_one_sequence_per_answer",
        "examples": len(examples), "sequences": len(pairs),
        "tokens": sum(len(p) + len(c) for p, c in pairs), "padded_tokens": len(pairs) * width,
        "threads": args.threads, "repeats": args.repeats,
        "min_s": round(min(times), 5), "median_s": round(statistics.median(times), 5), "max_s": round(max(times), 5),
        "scores": values,
        "torch": torch.__version__, "transformers": transformers.__version__,
    }), flush=True)


if __name__ == "__main__":
    main()
