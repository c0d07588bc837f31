#!/usr/bin/env python3
"""transformers greedy `generate` on the default GGUF (dequantized, fp32), as the baseline for
ZOTune's cached greedy decoding (`zotune-bench --generate`).

Input: --prompts FILE, a JSON list of equal-length token-id lists (one batch, no padding needed).
Under torch.inference_mode() with torch.set_num_threads(--threads): one warm-up, then --repeats timed
calls of model.generate(ids, do_sample=False, max_new_tokens=N, min_new_tokens=N, use_cache=True)
with no end-of-sequence token (every row generates exactly N tokens, as ZOTune's bench does).

Prints one JSON line: the median seconds, new tokens per second, and the generated ids (to check
that both sides decoded the same continuations).

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/bench_generate.py \
        --prompts prompts.json [--new-tokens 32] [--threads 2] [--repeats 3] [--gguf PATH]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

ZOTUNE_HOME = os.environ.get("ZOTUNE_HOME", os.path.expanduser("~/.cache/zotune"))
DEFAULT_GGUF = os.path.join(ZOTUNE_HOME, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--prompts", required=True)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM, GenerationConfig

    d, name = os.path.split(os.path.abspath(args.gguf))
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, dtype=torch.float32).eval()
    with open(args.prompts) as f:
        prompts = json.load(f)
    if len({len(p) for p in prompts}) != 1:
        sys.exit("bench_generate.py: the prompts must have one length (no padding)")
    ids = torch.tensor(prompts, dtype=torch.int64)
    config = GenerationConfig(do_sample=False, max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                              use_cache=True, eos_token_id=None, pad_token_id=0)

    def generate():
        return model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config)

    times = []
    with torch.inference_mode():
        out = generate()
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            out = generate()
            times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    new = out[:, ids.shape[1]:].tolist()
    print(json.dumps({
        "variant": "generate", "batch": len(prompts), "prompt_tokens": ids.shape[1], "new_tokens": args.new_tokens,
        "threads": args.threads, "median_s": median, "min_s": min(times),
        "tokens_per_s": len(prompts) * args.new_tokens / median, "generated": new,
        "transformers": __import__("transformers").__version__, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
