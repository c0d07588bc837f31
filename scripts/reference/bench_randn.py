#!/usr/bin/env python3
"""PyTorch baseline for `zotune-bench --gaussian`: Gaussian generation speed on this machine.

Measures, over a float32 buffer of --count elements (default: SmolLM2-135M's 134,515,008
parameters) with --threads intra-op threads:
  randn    torch.randn(count, out=buffer)                      -> normals per second
  perturb  w.add_(torch.randn(count), alpha=eps), MeZO's sweep -> parameters updated per second
One JSON line on stdout with min/median/max seconds of each over --repeats runs after a warm-up.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/bench_randn.py [--count N]
"""
import argparse
import json
import statistics
import time

import torch


def timed(body, repeats):
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return {"min_s": min(times), "median_s": statistics.median(times), "max_s": max(times)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=134_515_008)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    buffer = torch.empty(args.count, dtype=torch.float32)
    weights = torch.zeros(args.count, dtype=torch.float32)
    randn = timed(lambda: torch.randn(args.count, out=buffer), args.repeats)
    perturb = timed(lambda: weights.add_(torch.randn(args.count), alpha=1e-3), args.repeats)
    print(json.dumps({"variant": "gaussian", "count": args.count, "threads": args.threads, "torch": torch.__version__,
                      "randn": randn, "perturb": perturb}))


if __name__ == "__main__":
    main()
