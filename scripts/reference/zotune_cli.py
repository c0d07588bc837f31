"""What the reference scripts share about running the zotune CLI: finding the binary, writing a text
file in its escapes, and reading the logits `zotune forward` writes."""
import json
import os
import shutil
import sys

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def zotune_binary(explicit, script):
    """--zotune, else $ZOTUNE, else `zotune` on PATH, else the repository's release or debug build."""
    for candidate in [explicit, os.environ.get("ZOTUNE"), shutil.which("zotune"),
                      os.path.join(REPO, ".build/release/zotune"), os.path.join(REPO, ".build/debug/zotune")]:
        if candidate and os.path.exists(candidate):
            return candidate
    sys.exit(f"{script}: no zotune binary (pass --zotune or build with swift build -c release)")


def write_texts(path, texts):
    """One text per line, with the CLI's escapes (\\n, \\t, \\\\)."""
    with open(path, "w") as f:
        for text in texts:
            f.write(text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\n")


def ids_and_logits(binary, model, texts, runs):
    """ZOTune's token ids of `texts` on `model` (`zotune tokenize`) and, for each entry of `runs`
    ({label: extra `zotune forward` arguments}), the last-position logits `zotune forward` writes."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        text_file = os.path.join(folder, "texts.txt")
        write_texts(text_file, texts)
        ids = [json.loads(line) for line in subprocess.run(
            [binary, "tokenize", "--model", model, "--text-file", text_file],
            check=True, capture_output=True, text=True).stdout.splitlines() if line.strip()]
        logits = {}
        for label, extra in runs.items():
            path = os.path.join(folder, f"{label}.safetensors")
            subprocess.run([binary, "forward", "--model", model, "--text-file", text_file, "--output", path] + extra,
                           check=True, capture_output=True)
            logits[label] = read_logits(path)
    return ids, logits


CHECK_TEXTS = [
    "The capital of France is",
    "Review: a gripping, beautifully shot film. Sentiment:",
    "def add(a, b):\n    return",
    "ZOTune fine-tunes language models with forward passes only.",
]


def check_arguments(doc, *positional, tolerances=None):
    """The arguments of a logit check against ZOTune: BASE, the script's own positionals, --texts,
    --zotune and --tolerance (default 1e-4), plus the script's own float options (`tolerances`:
    {"--name": default})."""
    import argparse
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    for name in ("base",) + positional:
        parser.add_argument(name)
    parser.add_argument("--texts")
    parser.add_argument("--zotune")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    for flag, default in (tolerances or {}).items():
        parser.add_argument(flag, type=float, default=default)
    return parser.parse_args()


def read_texts(path):
    """The texts of --texts FILE (one per line, the CLI's escapes), or CHECK_TEXTS without one."""
    if not path:
        return CHECK_TEXTS
    with open(path) as f:
        return [line.rstrip("\n").replace("\\n", "\n").replace("\\t", "\t") for line in f if line.strip()]


def load_causal_lm(base):
    """transformers' tokenizer and fp32 eager-attention model of BASE: a Hugging Face folder, or a
    .gguf file (which transformers dequantizes)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    source = {"pretrained_model_name_or_path": base}
    if base.endswith(".gguf"):
        source = {"pretrained_model_name_or_path": os.path.dirname(os.path.abspath(base)),
                  "gguf_file": os.path.basename(base)}
    tokenizer = AutoTokenizer.from_pretrained(**source)
    model = AutoModelForCausalLM.from_pretrained(**source, dtype=torch.float32, attn_implementation="eager").eval()
    return tokenizer, model


def read_logits(path):
    """The `logits` tensor of a safetensors file written by `zotune forward` (F32 [texts, vocab])."""
    with open(path, "rb") as f:
        header_size = int.from_bytes(f.read(8), "little")
        info = json.loads(f.read(header_size))["logits"]
        start, end = info["data_offsets"]
        f.seek(8 + header_size + start)
        return np.frombuffer(f.read(end - start), dtype=np.float32).reshape(info["shape"])
