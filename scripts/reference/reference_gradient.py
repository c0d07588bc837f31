#!/usr/bin/env python3
"""The true gradient of the benchmark batch's loss, by PyTorch backprop, for `zotune-bench
--gradient-alignment`: the cosine between each ZO method's step and this gradient is the cheapest
honest explanation of which method converges faster (issue #18).

The model is the GGUF dequantized to fp32 by transformers (the weights ZOTune loads); the loss is
candidate_batch.CandidateBatch.loss (ZOTune's candidate-ce on the same prompts). Writes the gradient
of every parameter under its Hugging Face name (the tied embedding / LM head once, as
`model.embed_tokens.weight`) to --output as fp32 safetensors, and one JSON line on stdout: the loss,
the gradient's norm and the parameter count.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/reference_gradient.py \
        --prompts FILE --output G.safetensors [--gguf PATH] [--threads 2]
"""
import argparse
import json

import torch
from safetensors.torch import save_file

from candidate_batch import DEFAULT_GGUF, CandidateBatch, load_model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", required=True, help='JSON list of {"prompt": str, "label": int}')
    ap.add_argument("--output", required=True)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    tok, model = load_model(args.gguf)
    batch = CandidateBatch(tok, args.prompts)
    model.zero_grad()
    loss = batch.loss(model)
    loss.backward()
    gradients = {name: p.grad.detach().contiguous() for name, p in model.named_parameters() if p.grad is not None}
    save_file(gradients, args.output)
    norm = torch.sqrt(sum((g.double() ** 2).sum() for g in gradients.values())).item()
    print(json.dumps({"variant": "reference_gradient", "loss": loss.item(), "gradient_norm": norm,
                      "parameters": sum(g.numel() for g in gradients.values()), "tensors": len(gradients)}), flush=True)


if __name__ == "__main__":
    main()
