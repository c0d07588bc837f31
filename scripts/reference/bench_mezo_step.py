#!/usr/bin/env python3
"""PyTorch fp32 eager benchmark of one MeZO step (Malladi et al. 2023, official implementation's
update rule) on the default GGUF (dequantized), as the baseline for `zotune-bench --training-step`.

The step, as in MeZO's trainer (zo_step + zo_update), over every parameter of
model.named_parameters() (the tied embedding / LM head counted once):

  seed = fresh per step
  sweep 1: torch.manual_seed(seed); for each p: z = torch.normal(0, 1, p.shape); p.data = p.data + eps*z
  L+ = loss()
  sweep 2: torch.manual_seed(seed); for each p: z = torch.normal(...);           p.data = p.data - 2*eps*z
  L- = loss()
  g = (L+ - L-) / (2*eps)
  sweep 3: torch.manual_seed(seed); for each p: z = torch.normal(...);           p.data = p.data + eps*z
  sweep 4: torch.manual_seed(seed); for each p: z = torch.normal(...);
           p.data = p.data - lr*(g*z + wd*p.data)   (wd skipped on names containing bias / layer_norm / layernorm,
           MeZO's rule; default wd 0)

loss(): candidate cross-entropy from full logits: model(ids, attention_mask) under
torch.inference_mode() -> logits [B, T, V]; at each prompt's last real position, log-softmax over
the vocabulary, take the candidates' log-probs (single tokens " terrible" / " great"), cross-entropy
against the label, mean over the batch. Prompts are right-padded (the attention mask makes the
padding invisible to real positions).

Prompts come from --prompts FILE: a JSON list of {"prompt": str, "label": int} (zotune-bench
--training-step writes it), tokenized with no special tokens (as ZOTune does).

Timing: 1 warm-up step, then --repeats timed steps (time.perf_counter around the whole step, with
each sweep and forward also timed for a breakdown). One JSON line on stdout: min/median/max seconds
per step, median sweep and forward seconds, the loss at the unperturbed weights (computed once before
the warm-up, to cross-check ZOTune's objective on the same batch), token counts and peak RSS.

With --prompt: PEFT prompt tuning (PromptTuningConfig, 10 virtual tokens); the step perturbs only the
prompt embeddings, and the scored positions move by the 10 virtual tokens PEFT puts first.

With --prefix: PEFT prefix tuning (PrefixTuningConfig, 5 rows per layer, no projection: MeZO's
setting); the step perturbs only the prefix keys and values, which PEFT passes as past keys and values.

With --lora: the model is wrapped by PEFT (LoraConfig r 8, lora_alpha 16, target_modules q_proj and
v_proj, dropout 0: MeZO's LoRA setting) and the step perturbs and updates only the LoRA parameters
(A and B), as MeZO's trainer does when only they require gradients.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/bench_mezo_step.py \
        --prompts FILE [--threads 2] [--repeats 5] [--gguf PATH] [--lora]
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

from candidate_batch import DEFAULT_GGUF, CandidateBatch, load_model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", required=True, help='JSON list of {"prompt": str, "label": int}')
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--eps", type=float, default=1e-3)
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0, help="seed of the per-step direction seeds")
    ap.add_argument("--lora", action="store_true", help="MeZO on PEFT LoRA parameters (r 8, alpha 16, q_proj/v_proj)")
    ap.add_argument("--prompt", action="store_true", help="MeZO on PEFT prompt tuning (10 virtual tokens)")
    ap.add_argument("--prefix", action="store_true", help="MeZO on PEFT prefix tuning (5 rows per layer, no projection)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    info = torch.__config__.parallel_info().strip().splitlines()
    print("\n".join(info[:8]), file=sys.stderr)

    import transformers

    t0 = time.perf_counter()
    tok, model = load_model(args.gguf)
    print(f"loaded {os.path.basename(args.gguf)} in {time.perf_counter() - t0:.1f}s; attn_implementation="
          f"{model.config._attn_implementation}", file=sys.stderr)
    batch = CandidateBatch(tok, args.prompts)

    def loss():
        with torch.inference_mode():
            return batch.loss(model, offset).item()

    if args.lora:
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0,
                                                 target_modules=["q_proj", "v_proj"])).eval()
    if args.prompt:
        from peft import PromptTuningConfig, get_peft_model
        model = get_peft_model(model, PromptTuningConfig(num_virtual_tokens=10, task_type="CAUSAL_LM")).eval()
    if args.prefix:
        from peft import PrefixTuningConfig, get_peft_model
        model = get_peft_model(model, PrefixTuningConfig(num_virtual_tokens=5, task_type="CAUSAL_LM")).eval()
    # PEFT puts the virtual tokens first: every real position moves by their number.
    offset = 10 if args.prompt else 0
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    parameter_count = sum(p.numel() for _, p in params)

    def perturb(seed, scale):
        torch.manual_seed(seed)
        for _, p in params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.data.device, dtype=p.data.dtype)
            p.data = p.data + scale * z * args.eps

    def update(seed, g, lr):
        torch.manual_seed(seed)
        for n, p in params:
            z = torch.normal(mean=0, std=1, size=p.data.size(), device=p.data.device, dtype=p.data.dtype)
            if "bias" not in n and "layer_norm" not in n and "layernorm" not in n:
                p.data = p.data - lr * (g * z + args.weight_decay * p.data)
            else:
                p.data = p.data - lr * (g * z)

    seeds = torch.Generator().manual_seed(args.seed)

    def step():
        """One MeZO step; returns (sweep seconds [4], forward seconds [2], L+, L-)."""
        seed = int(torch.randint(0, 1_000_000_000, (1,), generator=seeds))
        sweeps, forwards = [], []
        with torch.no_grad():
            t = time.perf_counter(); perturb(seed, 1); sweeps.append(time.perf_counter() - t)
            t = time.perf_counter(); plus = loss(); forwards.append(time.perf_counter() - t)
            t = time.perf_counter(); perturb(seed, -2); sweeps.append(time.perf_counter() - t)
            t = time.perf_counter(); minus = loss(); forwards.append(time.perf_counter() - t)
            g = (plus - minus) / (2 * args.eps)
            t = time.perf_counter(); perturb(seed, 1); sweeps.append(time.perf_counter() - t)
            t = time.perf_counter(); update(seed, g, args.lr); sweeps.append(time.perf_counter() - t)
        return sweeps, forwards, plus, minus

    loss0 = loss()
    for _ in range(args.warmup):
        step()
    times, sweep_times, forward_times = [], [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        sweeps, forwards, _, _ = step()
        times.append(time.perf_counter() - t)
        sweep_times += sweeps
        forward_times += forwards

    print(json.dumps({
        "variant": "mezo_step", "lora": args.lora, "prompt": args.prompt, "prefix": args.prefix,
        "batch": batch.size, "prompt_tokens": int(batch.lengths.sum()), "padded_tokens": batch.size * batch.width,
        "candidate_ids": batch.candidate_ids, "parameters": parameter_count,
        "threads": args.threads, "torch_threads": torch.get_num_threads(),
        "warmup": args.warmup, "repeats": args.repeats, "eps": args.eps, "lr": args.lr,
        "min_s": round(min(times), 5), "median_s": round(statistics.median(times), 5), "max_s": round(max(times), 5),
        "sweep_median_s": round(statistics.median(sweep_times), 5),
        "forward_median_s": round(statistics.median(forward_times), 5),
        "loss0": loss0,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "torch": torch.__version__, "transformers": transformers.__version__,
    }), flush=True)


if __name__ == "__main__":
    main()
