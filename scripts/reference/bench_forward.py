#!/usr/bin/env python3
"""PyTorch fp32 eager forward benchmark on the default GGUF (dequantized), as a baseline
for ZOTune's own forward pass.

Input: batch x seq token ids drawn with torch.Generator seeded 0, no padding, no mask.
For each variant, under torch.inference_mode() with torch.set_num_threads(--threads):
2 warm-up runs, then --repeats timed runs (time.perf_counter around the forward call).

  full_logits  model(input_ids)                     -> logits [B, T, V]
  last_logits  model(input_ids, logits_to_keep=1)   -> logits [B, 1, V]

Prints one JSON line per variant on stdout; torch's build/parallel config on stderr.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/bench_forward.py \
        [--batch 16] [--seq 64] [--threads 2] [--repeats 5] [--gguf PATH]
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
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--variants", default="full_logits,last_logits")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    info = torch.__config__.parallel_info().strip().splitlines()
    print("\n".join(info[:8]), file=sys.stderr)
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '<unset>')}", file=sys.stderr)

    from transformers import AutoModelForCausalLM
    import transformers

    d, name = os.path.split(os.path.abspath(args.gguf))
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, dtype=torch.float32).eval()
    print(f"loaded {name} in {time.perf_counter() - t0:.1f}s; attn_implementation="
          f"{model.config._attn_implementation}", file=sys.stderr)

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (args.batch, args.seq), generator=g, dtype=torch.int64)
    tokens = args.batch * args.seq

    calls = {
        "full_logits": lambda: model(ids),
        "last_logits": lambda: model(ids, logits_to_keep=1),
    }
    for variant in args.variants.split(","):
        fn = calls[variant]
        times = []
        with torch.inference_mode():
            for _ in range(args.warmup):
                out = fn()
                del out
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                out = fn()
                times.append(time.perf_counter() - t0)
                shape = list(out.logits.shape)
                del out
        med = statistics.median(times)
        print(json.dumps({
            "variant": variant,
            "batch": args.batch, "seq": args.seq, "tokens": tokens,
            "threads": args.threads, "torch_threads": torch.get_num_threads(),
            "warmup": args.warmup, "repeats": args.repeats,
            "min_s": round(min(times), 5), "median_s": round(med, 5), "max_s": round(max(times), 5),
            "tokens_per_s_median": round(tokens / med, 1), "tokens_per_s_best": round(tokens / min(times), 1),
            "logits_shape": shape,
            "torch": torch.__version__, "transformers": transformers.__version__,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        }), flush=True)


if __name__ == "__main__":
    main()
