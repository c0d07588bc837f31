#!/usr/bin/env python3
"""Checks `--base-precision bf16` against transformers: ZOTune's last-position logits with the base
held in bfloat16 against transformers (fp32 forward, eager attention) on the same weights rounded to
bfloat16 — every 2-D weight (embeddings, projections, head) `.to(torch.bfloat16).float()`, norms and
biases left fp32, as ZOTune holds them — and, for scale, against plain fp32 transformers and against
transformers run wholly in bfloat16 (`model.to(torch.bfloat16)`, what PyTorch users run).

ZOTune runs twice: with fp32 products (`ZOTUNE_KERNELS=avx2`: each weight tile widened to fp32),
held to --tolerance, and with its default products, which on CPUs with AVX512-BF16 round the
activations to bf16 too (`vdpbf16ps`, fp32 accumulation), held to --packed-tolerance. Measured on
SmolLM2-135M (logits up to 20): 4e-5 with fp32 products; 0.2 with bf16 products — as much as rounding
the weights moves the fp32 logits, and half what running transformers wholly in bf16 moves them.

    check_bf16_base.py BASE [--texts FILE] [--zotune PATH] [--tolerance 1e-4] [--packed-tolerance 0.25]

BASE: a Hugging Face folder or a .gguf file (dequantized by transformers; the built-in smollm2-135m
is ~/.cache/zotune/models/SmolLM2-135M-Instruct.Q4_1.gguf). Exits 1 when ZOTune differs from the
rounded-weight reference by more than --tolerance.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/check_bf16_base.py BASE
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from zotune_cli import check_arguments, load_causal_lm, read_logits, read_texts, write_texts, zotune_binary

def main():
    args = check_arguments(__doc__, tolerances={"--packed-tolerance": 0.25})
    texts = read_texts(args.texts)

    tokenizer, model = load_causal_lm(args.base)

    def last_logits():
        with torch.no_grad():
            return np.stack([model(**tokenizer(t, return_tensors="pt")).logits[0, -1].float().numpy() for t in texts])

    fp32 = last_logits()
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() == 2:
                parameter.copy_(parameter.to(torch.bfloat16).float())
    rounded = last_logits()
    model.to(torch.bfloat16)
    whole_bf16 = last_logits()

    binary = zotune_binary(args.zotune, "check_bf16_base.py")

    def zotune_logits(environment):
        with tempfile.TemporaryDirectory() as folder:
            text_file, output = os.path.join(folder, "texts.txt"), os.path.join(folder, "logits.safetensors")
            write_texts(text_file, texts)
            subprocess.run([binary, "forward", "--model", args.base, "--base-precision", "bf16", "--text-file", text_file,
                            "--output", output], check=True, env={**os.environ, **environment})
            return read_logits(output)

    passed = True
    for label, environment, tolerance in [("fp32 products", {"ZOTUNE_KERNELS": "avx2"}, args.tolerance),
                                          ("default products", {}, args.packed_tolerance)]:
        ours = zotune_logits(environment)
        worst = 0.0
        for i in range(len(texts)):
            difference = float(np.abs(ours[i] - rounded[i]).max())
            worst = max(worst, difference)
            print(f"{label}, text {i}: max |Δlogit| vs transformers on the rounded weights {difference:.3g}; "
                  f"the rounding itself moves fp32 logits by up to {float(np.abs(rounded[i] - fp32[i]).max()):.3g}, "
                  f"transformers wholly in bf16 by {float(np.abs(whole_bf16[i] - rounded[i]).max()):.3g}; "
                  f"argmax {'agrees' if ours[i].argmax() == rounded[i].argmax() else 'DIFFERS'} (fp32: "
                  f"{'same' if ours[i].argmax() == fp32[i].argmax() else 'differs'})")
        print(f"{label}: max |Δlogit| ZOTune bf16 base vs transformers on the bf16-rounded weights: {worst:.3g} "
              f"(tolerance {tolerance}; logits up to {float(np.abs(rounded).max()):.3g})")
        passed = passed and worst <= tolerance
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
