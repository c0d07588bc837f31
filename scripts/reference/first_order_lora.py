#!/usr/bin/env python3
"""First-order LoRA in PyTorch + PEFT (AdamW, backprop) on a ZOTune task's exact splits: the honest
reference point for the adapter study (docs/RESULTS.md, "Adapters"), so users see when ZO is the
right choice.

The examples come from `zotune examples` (the same train/dev/test samples, prompts and candidates
as `zotune train` with the same task options). The model is the base ZOTune trains (a GGUF file is
dequantized to fp32 by transformers), wrapped by PEFT's LoraConfig(r 8, lora_alpha 16, q_proj and
v_proj, dropout 0: MeZO's LoRA setting, as in the ZO runs). The objective is ZOTune's candidate
cross-entropy: each candidate's summed log-probability after the prompt, softmax over candidates,
cross-entropy against the label. Training: AdamW (weight decay 0), batch 16 drawn by the seed from the
1000 training examples, dev accuracy every --eval-every steps; the test split is scored once, with the
LoRA weights of the best dev evaluation.

Printed (and written as JSON with --output): per evaluation the step, dev accuracy and training
seconds so far (evaluation time excluded); the first step and training seconds at which dev accuracy
reached --target (e.g. MeZO's final dev accuracy); best dev, test at the best dev point; peak RSS of
training and evaluation (reset after loading; the loading peak is reported beside it).

Run (one thread, as the ZO study's runs):
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/first_order_lora.py --lr 3e-4 --seed 0 \
      --target 0.698 --threads 1 --output fo-lora.json
"""
import argparse
import json
import os
import random
import subprocess
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

from zotune_cli import zotune_binary

DEFAULT_MODEL = os.path.expanduser("~/.cache/zotune/models/SmolLM2-135M-Instruct.Q4_1.gguf")


def load_examples(binary, task_arguments):
    output = subprocess.run([binary, "examples"] + task_arguments, check=True, capture_output=True, text=True).stdout
    splits = {"train": [], "dev": [], "test": []}
    for line in output.splitlines():
        example = json.loads(line)
        splits[example["split"]].append(example)
    return splits


class Scorer:
    """Candidate log-probabilities after each prompt, as ZOTune scores them: the prompt tokenized with
    no special tokens, each candidate as the tokens it adds after the prompt."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def encode(self, example):
        prompt = self.tokenizer(example["prompt"], add_special_tokens=False)["input_ids"]
        candidates = []
        for candidate in example["candidates"]:
            joined = self.tokenizer(example["prompt"] + candidate, add_special_tokens=False)["input_ids"]
            assert joined[:len(prompt)] == prompt, "a candidate changed the prompt's tokens"
            candidates.append(joined[len(prompt):])
        return prompt, candidates

    def candidate_scores(self, model, examples):
        """[batch, candidates] summed log-probabilities. Single-token candidates are read at the
        prompt's last position (one row per example); longer ones get a row per candidate."""
        encoded = [self.encode(example) for example in examples]
        if all(len(c) == 1 for _, candidates in encoded for c in candidates):
            return self.single_token_scores(model, encoded)
        rows = [(prompt, candidate) for prompt, candidates in encoded for candidate in candidates]
        log_probs = self.log_probs(model, [prompt + candidate for prompt, candidate in rows])
        scores = []
        for r, (prompt, candidate) in enumerate(rows):
            positions = torch.arange(len(prompt) - 1, len(prompt) - 1 + len(candidate))
            scores.append(log_probs[r, positions, torch.tensor(candidate)].sum())
        return torch.stack(scores).view(len(examples), len(rows) // len(examples))

    def single_token_scores(self, model, encoded):
        """Prompts left-padded (positions still count from 0 at each first real token), so that the
        LM head runs at the last position only, as ZOTune computes only the scored rows."""
        prompts = [prompt for prompt, _ in encoded]
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for r, prompt in enumerate(prompts):
            ids[r, width - len(prompt):] = torch.tensor(prompt)
            mask[r, width - len(prompt):] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=1).logits[:, -1]
        candidates = torch.tensor([[c[0] for c in candidates] for _, candidates in encoded])
        return torch.log_softmax(logits.float(), dim=-1).gather(1, candidates)

    @property
    def pad_id(self):
        return self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0

    def log_probs(self, model, sequences):
        """Log-softmax over the vocabulary at every position of right-padded `sequences`."""
        width = max(len(s) for s in sequences)
        ids = torch.full((len(sequences), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(sequences), width), dtype=torch.long)
        for r, sequence in enumerate(sequences):
            ids[r, :len(sequence)] = torch.tensor(sequence)
            mask[r, :len(sequence)] = 1
        return torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float(), dim=-1)


def reset_peak_rss():
    """Linux: start VmHWM (peak RSS) afresh, so the training peak excludes loading (transformers'
    GGUF dequantization holds copies that training never needs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def accuracy(model, scorer, examples, batch_size=16):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(examples), batch_size):
            batch = examples[start:start + batch_size]
            predictions = scorer.candidate_scores(model, batch).argmax(dim=1)
            correct += sum(int(p) == e["label"] for p, e in zip(predictions.tolist(), batch))
    return correct / len(examples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--zotune")
    parser.add_argument("--task", default="rt-sentiment")
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=189, help="optimizer steps (189 = 3 epochs of 1000 at batch 16)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--eval-every", type=int, default=21)
    parser.add_argument("--target", type=float, help="dev accuracy to time (e.g. MeZO's final dev accuracy)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    splits = load_examples(zotune_binary(args.zotune, "first_order_lora.py"), ["--task", args.task])
    source = {"pretrained_model_name_or_path": args.model}
    if args.model.endswith(".gguf"):
        source = {"pretrained_model_name_or_path": os.path.dirname(args.model), "gguf_file": os.path.basename(args.model)}
    tokenizer = AutoTokenizer.from_pretrained(**source)
    base = AutoModelForCausalLM.from_pretrained(**source, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "v_proj"],
                                            task_type="CAUSAL_LM"))
    scorer = Scorer(tokenizer)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.0)

    loading_peak = peak_rss_mib()
    peak_reset = reset_peak_rss()
    order = random.Random(args.seed)
    train = splits["train"]
    evaluations = []
    dev = accuracy(model, scorer, splits["dev"])
    evaluations.append({"step": 0, "dev_accuracy": dev, "training_seconds": 0.0})
    print(f"step 0: dev accuracy {dev:.4f}", flush=True)
    best = (dev, 0, {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k})
    reached = None
    training_seconds = 0.0
    for step in range(1, args.steps + 1):
        model.train()
        started = time.perf_counter()
        batch = order.sample(train, args.batch_size)
        scores = scorer.candidate_scores(model, batch)
        loss = torch.nn.functional.cross_entropy(scores, torch.tensor([e["label"] for e in batch]))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        training_seconds += time.perf_counter() - started
        if step % args.eval_every == 0 or step == args.steps:
            dev = accuracy(model, scorer, splits["dev"])
            evaluations.append({"step": step, "loss": loss.item(), "dev_accuracy": dev, "training_seconds": training_seconds})
            print(f"step {step}: loss {loss.item():.4f}, dev accuracy {dev:.4f}, {training_seconds:.0f} s training", flush=True)
            if dev > best[0]:
                best = (dev, step, {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k})
            if reached is None and args.target is not None and dev >= args.target:
                reached = {"step": step, "training_seconds": training_seconds}
    model.load_state_dict(best[2], strict=False)
    test = accuracy(model, scorer, splits["test"])
    peak = peak_rss_mib()
    summary = {
        "lr": args.lr, "seed": args.seed, "steps": args.steps, "batch_size": args.batch_size, "threads": args.threads,
        "trainable_parameters": sum(p.numel() for p in trainable), "best_dev_accuracy": best[0], "best_step": best[1],
        "test_accuracy_at_best_dev": test, "target": args.target, "reached_target": reached,
        "training_seconds": training_seconds, "seconds_per_step": training_seconds / args.steps,
        "peak_rss_mib": peak, "peak_rss_covers": "training and evaluation" if peak_reset else "the whole process",
        "loading_peak_rss_mib": loading_peak, "evaluations": evaluations,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "evaluations"}))
    if args.output:
        with open(args.output, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
