#!/usr/bin/env python3
"""Checks an adapter ZOTune wrote (LoRA, prompt or prefix tuning; `zotune export RUN --format peft`, or RUN/adapter) against PEFT.

    check_peft_export.py BASE ADAPTER [--texts FILE] [--zotune PATH] [--tolerance 1e-4]

BASE is the base model: a Hugging Face folder or a .gguf file (transformers dequantizes it to fp32;
the built-in smollm2-135m is ~/.cache/zotune/models/SmolLM2-135M-Instruct.Q4_1.gguf), ADAPTER the
PEFT folder. The script

1. loads the base with transformers in fp32 (eager attention) and the adapter with
   `PeftModel.from_pretrained`, failing if PEFT or transformers warn about missing or unexpected
   keys (a silently ignored tensor would make the comparison meaningless);
2. runs `zotune forward --model BASE --adapter ADAPTER --text-file F --output X` (last-position logits
   of each text) and compares them with the PeftModel's, each text run alone on transformers' ids;
3. also compares what the adapter changes (logits with it minus without it, in both), so a
   mismatch in the base is told apart from one in the adapter;
4. prints max |Δ| per text and overall; exits 1 above --tolerance, 2 on a usage or loading error.

Run with the reference venv:
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/check_peft_export.py BASE ADAPTER
"""
import logging
import os
import subprocess
import sys
import tempfile
import warnings

import torch
from safetensors.torch import load_file

from zotune_cli import check_arguments, load_causal_lm, read_texts, write_texts, zotune_binary

def zotune_logits(binary, base, adapter, texts, folder):
    text_file = os.path.join(folder, "texts.txt")
    write_texts(text_file, texts)
    outputs = {}
    for label, extra in [("adapted", ["--adapter", adapter]), ("base", [])]:
        path = os.path.join(folder, f"{label}.safetensors")
        subprocess.run([binary, "forward", "--model", base, "--text-file", text_file, "--output", path] + extra,
                       check=True)
        outputs[label] = load_file(path)["logits"]
    return outputs


def main():
    args = check_arguments(__doc__, "adapter")
    texts = read_texts(args.texts)

    from peft import PeftModel
    tokenizer, base = load_causal_lm(args.base)
    with torch.no_grad():
        base_logits = [base(**tokenizer(t, return_tensors="pt")).logits[0, -1].clone() for t in texts]

    # PEFT reports missing / unexpected adapter keys as a warning; make any warning visible and fatal.
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = PeftModel.from_pretrained(base, args.adapter).eval()
    messages = [str(w.message) for w in caught] + records
    key_warnings = [m for m in messages if "missing" in m.lower() or "unexpected" in m.lower()]
    if key_warnings:
        print("PEFT warned about keys:\n  " + "\n  ".join(key_warnings))
        sys.exit(1)
    with torch.no_grad():
        peft_logits = [model(**tokenizer(t, return_tensors="pt")).logits[0, -1] for t in texts]

    with tempfile.TemporaryDirectory() as folder:
        ours = zotune_logits(zotune_binary(args.zotune, "check_peft_export.py"), args.base, args.adapter, texts, folder)

    worst = worst_change = 0.0
    for i, text in enumerate(texts):
        difference = (ours["adapted"][i] - peft_logits[i]).abs().max().item()
        change_ours = ours["adapted"][i] - ours["base"][i]
        change_peft = peft_logits[i] - base_logits[i]
        change_difference = (change_ours - change_peft).abs().max().item()
        worst, worst_change = max(worst, difference), max(worst_change, change_difference)
        print(f"text {i}: max |Δlogit| {difference:.3g}, max |Δ(change)| {change_difference:.3g}, "
              f"adapter moved logits by up to {change_peft.abs().max().item():.3g}, "
              f"argmax {'agrees' if ours['adapted'][i].argmax() == peft_logits[i].argmax() else 'DIFFERS'}")
    print(f"max |Δlogit| ZOTune vs PEFT: {worst:.3g} (tolerance {args.tolerance}); "
          f"of the adapter's change: {worst_change:.3g}; no key warnings from PEFT")
    sys.exit(0 if worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()
