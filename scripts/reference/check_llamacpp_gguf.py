#!/usr/bin/env python3
"""Checks a whole-model GGUF ZOTune wrote (`zotune export RUN --format gguf`) in llama.cpp itself.

    check_llamacpp_gguf.py MODEL.gguf [--texts FILE] [--zotune PATH] [--max-relative 0.01]

llama.cpp (llama-cpp-python; see check_llamacpp_lora.py for its venv) loads the file and runs each
text (ZOTune's token ids, `zotune tokenize`); its last-position logits are compared with `zotune
forward --base-precision f32` on the same file: max |Δ| relative to the largest |logit|, the cosine
over the vocabulary, and the argmax. Export as F32 for a tight comparison (`--gguf-type f32`): llama.cpp
multiplies F16/BF16/Q8_0 matrices with activations converted to that type, which moves its logits by
about that type's rounding. A wrong tensor name, shape, row order (llama's permuted q/k, GPT-2's
transposed Conv1D weights) or metadata shows as llama.cpp refusing the file or as a cosine far from 1.
Exits 1 when a text's relative difference exceeds --max-relative, 2 on a usage or loading error.
"""
import argparse
import sys

import numpy as np

from llamacpp_logits import last_logits
from zotune_cli import ids_and_logits, zotune_binary

DEFAULT_TEXTS = ["The capital of France is", "a good film", "the worst film I have seen in years . It was"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--texts")
    parser.add_argument("--zotune")
    parser.add_argument("--max-relative", type=float, default=0.01)
    args = parser.parse_args()
    texts = DEFAULT_TEXTS
    if args.texts:
        with open(args.texts) as f:
            texts = [line.rstrip("\n") for line in f if line.strip()]
    binary = zotune_binary(args.zotune, "check_llamacpp_gguf.py")
    ids, logits = ids_and_logits(binary, args.model, texts, {"ours": ["--base-precision", "f32"]})
    ours = logits["ours"]
    theirs = last_logits(args.model, ids)
    worst = 0.0
    for i, text in enumerate(texts):
        scale = float(np.abs(ours[i]).max())
        relative = float(np.abs(ours[i] - theirs[i]).max()) / scale
        cosine = float(np.dot(ours[i], theirs[i]) / (np.linalg.norm(ours[i]) * np.linalg.norm(theirs[i])))
        worst = max(worst, relative)
        print(f"text {i} ({len(ids[i])} tokens): max |ZOTune − llama.cpp| / max |logit| {relative:.2e} "
              f"(largest |logit| {scale:.3g}), cosine {cosine:.6f}, argmax "
              f"{'agrees' if ours[i].argmax() == theirs[i].argmax() else 'differs'}")
    print(f"largest relative difference {worst:.2e} (allowed ≤ {args.max_relative})")
    sys.exit(0 if worst <= args.max_relative else 1)


if __name__ == "__main__":
    main()
