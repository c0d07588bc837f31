#!/usr/bin/env python3
"""PEFT LoRA adapters on the tiny fixtures, and the logits PEFT + transformers give with them.

For each fixture F in FIXTURES (HF folders under Tests/Fixtures/), builds the transformers model
(fp32), wraps it with peft.get_peft_model(LoraConfig(r=4, lora_alpha=8, PEFT's default target
modules for the family, lora_dropout=0)), sets every lora_B to 0.05 * N(0, 1) after
torch.manual_seed(0) (PEFT starts it at 0, where a first step moves only B), then trains it for three
AdamW steps (lr 1e-2) on the language-model loss of SEQUENCES, so A and B are both trained, and writes:

  Tests/Fixtures/peft/F/                 save_pretrained: adapter_config.json + adapter_model.safetensors
  Tests/Fixtures/peft-golden.safetensors F.input_ids I64 [S, Lmax] (padded with -1), F.lengths I64 [S],
                                         F.logits F32 [sum(lengths), V]: the PeftModel's logits at every
                                         position of every sequence, each sequence run alone

And prompt tuning for the decoders P in PROMPT_FIXTURES: PromptTuningConfig(num_virtual_tokens=3,
RANDOM init) trained the same way (three AdamW steps, lr 1e-1), written to
Tests/Fixtures/peft/P-prompt/ with P-prompt.logits: the logits at the real positions only (PEFT's
output also holds the 3 virtual positions, which are dropped).

And prefix tuning for the decoders X in PREFIX_FIXTURES: PrefixTuningConfig(num_virtual_tokens=3, no
projection: the rows are the keys and values themselves, as MeZO tunes them) trained the same way
(lr 1e-1), written to Tests/Fixtures/peft/X-prefix/ with X-prefix.logits (PEFT passes the prefix as
past keys and values, so its output holds the real positions only; those take positions 3, 4, …).

The Swift tests (LoRAAdapterTests, PromptAdapterTests, PrefixAdapterTests) apply each folder with `AdapterFile.apply`
and compare within 1e-4: an adapter trained by PEFT works in ZOTune. check_peft_export.py checks the
other direction.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_peft_golden.py
"""
import os
import shutil

import torch
from peft import LoraConfig, PrefixTuningConfig, PromptTuningConfig, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoModelForMaskedLM

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "Fixtures")
FIXTURES = {
    # fixture: (auto class, task type)
    "tiny-llama": (AutoModelForCausalLM, "CAUSAL_LM"),
    "tiny-qwen2": (AutoModelForCausalLM, "CAUSAL_LM"),
    "tiny-opt": (AutoModelForCausalLM, "CAUSAL_LM"),
    "tiny-gpt2": (AutoModelForCausalLM, "CAUSAL_LM"),
    "tiny-bert-mlm": (AutoModelForMaskedLM, None),
}
SEQUENCES = [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]]
PROMPT_FIXTURES = ["tiny-llama", "tiny-opt", "tiny-gpt2"]
PREFIX_FIXTURES = ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-gpt2"]


def train_three_steps(model, lr):
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    for _ in range(3):
        for sequence in SEQUENCES:
            ids = torch.tensor([sequence])
            model(input_ids=ids, labels=ids).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()


def golden_entries(key, logits):
    width = max(len(s) for s in SEQUENCES)
    return {
        f"{key}.input_ids": torch.tensor([s + [-1] * (width - len(s)) for s in SEQUENCES], dtype=torch.int64),
        f"{key}.lengths": torch.tensor([len(s) for s in SEQUENCES], dtype=torch.int64),
        f"{key}.logits": torch.cat(logits).contiguous(),
    }


def main():
    os.chdir(REPO)  # base_model_name_or_path is then the repository-relative fixture path
    golden = {}
    out_root = os.path.join(FIX, "peft")
    shutil.rmtree(out_root, ignore_errors=True)
    for name, (auto, task_type) in FIXTURES.items():
        base = auto.from_pretrained(os.path.join("Tests", "Fixtures", name), dtype=torch.float32).eval()
        config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type=task_type)
        torch.manual_seed(0)  # A's initialisation
        model = get_peft_model(base, config).eval()
        with torch.no_grad():
            for module_name, parameter in model.named_parameters():
                if "lora_B" in module_name:
                    parameter.copy_(0.05 * torch.randn_like(parameter))
        train_three_steps(model, 1e-2)
        model.save_pretrained(os.path.join(out_root, name))
        os.remove(os.path.join(out_root, name, "README.md"))  # PEFT's model-card template
        logits = []
        with torch.no_grad():
            for sequence in SEQUENCES:
                ids = torch.tensor([sequence])
                logits.append(model(input_ids=ids).logits[0].float())
        golden.update(golden_entries(name, logits))
        print(f"{name}: {sum(p.numel() for n, p in model.named_parameters() if 'lora_' in n)} LoRA parameters, "
              f"target_modules {sorted(config.target_modules)}")
    # Prompt tuning's output also holds its 3 virtual positions (dropped); a prefix is passed as past
    # keys and values, so its output holds the real positions only.
    prompt_learning = [
        ("prompt", PROMPT_FIXTURES, lambda: PromptTuningConfig(num_virtual_tokens=3, task_type="CAUSAL_LM"), 3),
        ("prefix", PREFIX_FIXTURES, lambda: PrefixTuningConfig(num_virtual_tokens=3, task_type="CAUSAL_LM"), 0),
    ]
    for scheme, fixtures, make_config, first_real in prompt_learning:
        for name in fixtures:
            base = AutoModelForCausalLM.from_pretrained(os.path.join("Tests", "Fixtures", name), dtype=torch.float32).eval()
            torch.manual_seed(0)
            model = get_peft_model(base, make_config()).eval()
            train_three_steps(model, 1e-1)
            folder = os.path.join(out_root, f"{name}-{scheme}")
            model.save_pretrained(folder)
            os.remove(os.path.join(folder, "README.md"))
            with torch.no_grad():
                logits = [model(input_ids=torch.tensor([s])).logits[0, first_real:].float() for s in SEQUENCES]
            golden.update(golden_entries(f"{name}-{scheme}", logits))
            print(f"{name}: {scheme} tuning, 3 virtual tokens")
    save_file(golden, os.path.join(FIX, "peft-golden.safetensors"))


if __name__ == "__main__":
    main()
