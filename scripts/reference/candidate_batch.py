"""The batch and objective the PyTorch reference scripts share with `zotune-bench`: a JSON list of
{"prompt": str, "label": int} prompts, tokenized with no special tokens, right-padded, scored at each
prompt's last real position by candidate cross-entropy over the single-token candidates
" terrible" / " great" (rt-sentiment's), mean over the batch — ZOTune's `candidate-ce` objective."""
import json
import os
import sys

import torch
import torch.nn.functional as F

ZOTUNE_HOME = os.environ.get("ZOTUNE_HOME", os.path.expanduser("~/.cache/zotune"))
DEFAULT_GGUF = os.path.join(ZOTUNE_HOME, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
CANDIDATES = [" terrible", " great"]


def load_model(gguf):
    """transformers' fp32 model and tokenizer from a GGUF (dequantized)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    d, name = os.path.split(os.path.abspath(gguf))
    tok = AutoTokenizer.from_pretrained(d, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=name, dtype=torch.float32).eval()
    return tok, model


class CandidateBatch:
    def __init__(self, tok, prompts_file):
        with open(prompts_file) as f:
            examples = json.load(f)
        if not examples or not all(isinstance(e.get("prompt"), str) and isinstance(e.get("label"), int) for e in examples):
            sys.exit(f"{prompts_file}: expected a non-empty JSON list of {{\"prompt\": str, \"label\": int}}")
        self.candidate_ids = []
        for text in CANDIDATES:
            ids = tok(text, add_special_tokens=False).input_ids
            if len(ids) != 1:
                sys.exit(f"candidate {text!r} is {len(ids)} tokens; these scripts handle single-token candidates")
            self.candidate_ids.append(ids[0])
        self.labels = torch.tensor([e["label"] for e in examples], dtype=torch.int64)
        if self.labels.min() < 0 or self.labels.max() >= len(CANDIDATES):
            sys.exit("labels must index the candidates " + str(CANDIDATES))
        # Right-padded; the last real position of each prompt predicts the candidate token.
        encoded = [tok(e["prompt"], add_special_tokens=False).input_ids for e in examples]
        self.lengths = torch.tensor([len(ids) for ids in encoded], dtype=torch.int64)
        self.width = int(self.lengths.max())
        pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        self.input_ids = torch.full((len(encoded), self.width), pad, dtype=torch.int64)
        self.attention_mask = torch.zeros((len(encoded), self.width), dtype=torch.int64)
        for i, ids in enumerate(encoded):
            self.input_ids[i, : len(ids)] = torch.tensor(ids, dtype=torch.int64)
            self.attention_mask[i, : len(ids)] = 1
        self.rows = torch.arange(len(encoded))
        self.candidates = torch.tensor(self.candidate_ids, dtype=torch.int64)
        self.size = len(encoded)

    def loss(self, model, offset=0):
        """The objective as a tensor (differentiable unless called under inference_mode); `offset`
        moves the scored positions (PEFT's virtual tokens come first)."""
        logits = model(input_ids=self.input_ids, attention_mask=self.attention_mask).logits  # [B, T, V]
        last = logits[self.rows, self.lengths - 1 + offset]                                 # [B, V]
        log_probs = F.log_softmax(last, dim=-1)[:, self.candidates]                         # [B, C]
        return F.cross_entropy(log_probs, self.labels)
