#!/usr/bin/env python3
"""Checks a llama.cpp LoRA adapter ZOTune wrote (`zotune export RUN --format gguf-lora`) in llama.cpp itself.

    check_llamacpp_lora.py BASE.gguf ADAPTER.gguf [--texts FILE] [--zotune PATH] [--min-cosine 0.97]

llama.cpp is llama-cpp-python's build of it (PyPI source distribution; install it in its own venv,
outside CI: `python3 -m venv ~/.cache/zotune/llamacpp-venv && ~/.cache/zotune/llamacpp-venv/bin/pip
install llama-cpp-python==0.3.36 numpy`, ≈ 10 minutes of compiling on 2 cores). Run this script
with that venv's python.

llama.cpp multiplies quantized weights with Q8-quantized activations, so its base logits differ from
ZOTune's (= transformers') by up to ~1 on SmolLM2-135M Q4_1; raw logits cannot be compared. What is
compared is what the adapter CHANGES: for each text, Δ = logits(base + adapter) − logits(base) at
the last position, in llama.cpp and in ZOTune, on the same token ids (`zotune tokenize`). Reported:
the cosine between the two Δ vectors over the vocabulary, max |Δ_llama.cpp − Δ_ZOTune| relative to
max |Δ_ZOTune|, and whether the adapter moves the argmax the same way. llama.cpp's own arithmetic moves
its logits by ~0.5–1, and that noise does not cancel in Δ: an adapter whose effect is of that size
(a short run's) compares poorly however it is written. Check with one whose effect is several logits
(a longer run, or its lora_b scaled up): on SmolLM2-135M, a 20-step MeZO-LoRA adapter with B × 20 gave
cosines 0.979–0.9995 over the default texts. A wrong tensor name, shape,
scale (α/r) or q/k row order shows as a cosine far below 1 or as llama.cpp refusing the file.
With --zotune-adapter (the same adapter as a PEFT folder, in Hugging Face row order), ZOTune's side does
not read the GGUF at all, so the row order the exporter wrote for llama's q/k is checked against
llama.cpp's own use of it. Exits 1 when any text's cosine is below --min-cosine, 2 on a usage or
loading error.
"""
import argparse
import sys

import numpy as np

from llamacpp_logits import last_logits
from zotune_cli import ids_and_logits, zotune_binary

DEFAULT_TEXTS = [
    "The capital of France is",
    "Review: a gripping, beautifully shot film. Sentiment:",
    "the movie was dull and far too long . It was",
    "ZOTune fine-tunes language models with forward passes only.",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("adapter")
    parser.add_argument("--texts")
    parser.add_argument("--zotune")
    parser.add_argument("--min-cosine", type=float, default=0.97)
    parser.add_argument("--zotune-adapter", help="what ZOTune applies instead of ADAPTER (e.g. the run's PEFT folder, "
                        "so that llama.cpp's reading of the GGUF is checked against the adapter as trained)")
    args = parser.parse_args()
    texts = DEFAULT_TEXTS
    if args.texts:
        with open(args.texts) as f:
            texts = [line.rstrip("\n") for line in f if line.strip()]
    binary = zotune_binary(args.zotune, "check_llamacpp_lora.py")

    ids, ours = ids_and_logits(binary, args.base, texts,
                               {"adapted": ["--adapter", args.zotune_adapter or args.adapter], "base": []})

    theirs = {"base": last_logits(args.base, ids), "adapted": last_logits(args.base, ids, lora_path=args.adapter)}
    worst = 1.0
    for i, text in enumerate(texts):
        ours_change = ours["adapted"][i] - ours["base"][i]
        their_change = theirs["adapted"][i] - theirs["base"][i]
        cosine = float(np.dot(ours_change, their_change) / (np.linalg.norm(ours_change) * np.linalg.norm(their_change)))
        relative = float(np.abs(ours_change - their_change).max() / np.abs(ours_change).max())
        base_gap = float(np.abs(ours["base"][i] - theirs["base"][i]).max())
        same_argmax = ours["adapted"][i].argmax() == theirs["adapted"][i].argmax()
        worst = min(worst, cosine)
        print(f"text {i} ({len(ids[i])} tokens): adapter moves ZOTune's logits by up to {np.abs(ours_change).max():.3g}; "
              f"cosine(Δ ZOTune, Δ llama.cpp) {cosine:.4f}, max |Δ − Δ| / max |Δ| {relative:.3f}; "
              f"base logits differ by up to {base_gap:.3g}; adapted argmax {'agrees' if same_argmax else 'differs'}")
    print(f"lowest cosine {worst:.4f} (required ≥ {args.min_cosine})")
    sys.exit(0 if worst >= args.min_cosine else 1)


if __name__ == "__main__":
    main()
