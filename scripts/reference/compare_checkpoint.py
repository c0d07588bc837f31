#!/usr/bin/env python3
"""Checks `zotune` against transformers on any checkpoint: token ids and last-position outputs.

    compare_checkpoint.py MODEL [--texts FILE] [--zotune PATH] [--tolerance 1e-3] [--threads 2]

MODEL is a Hugging Face folder or a .gguf file. For each text (the built-in DEFAULT_TEXTS, or FILE:
one text per line with the CLI's escapes \\n, \\t, \\\\):

1. ids: `zotune tokenize --model MODEL --text-file F` against transformers'
   `AutoTokenizer.from_pretrained(folder)` (for a GGUF: `from_pretrained(dir, gguf_file=name)`)
   `tokenizer(text)["input_ids"]`, special tokens added, as the CLI documents; compared line by line.
2. outputs: `zotune forward --model MODEL --text-file F --output X.safetensors` (tensor `logits`
   [texts, width], the output at each text's last token, each text its own sequence) against
   transformers in fp32 with eager attention, each text run alone on transformers' own ids. What is
   compared depends on the head `zotune forward` reads (Sources/ZOModels/Families/EncoderLoading.swift):
   - decoders (llama, qwen2, opt, gpt2, ...): next-token logits, `AutoModelForCausalLM`;
   - encoders with a masked-LM head (`cls.predictions.*`, `lm_head.dense.*`): the MLM logits at the last
     token ([SEP] / </s>), `AutoModelForMaskedLM`;
   - encoders with a stored `classifier.weight` and BERT's pooler: class logits,
     `AutoModelForSequenceClassification` (other poolings of a stored classifier are reported as not
     compared);
   - encoders without a head (all-MiniLM-L6-v2, a bare BertModel): zotune gives them a NEW classifier,
     seeded but random, whose logits mean nothing to transformers. The script instead compares what
     that classifier reads: it runs zotune on a temporary copy of the folder (files symlinked) with one
     extra weight file holding an identity `classifier.weight` [hidden, hidden] and a zero bias, so
     `zotune forward` writes the pooled vector itself; the reference pools `BertModel`'s
     last_hidden_state the same way (sentence-transformers' Pooling module: mean or [CLS]; else the
     pooler's tanh(dense([CLS])); else [CLS]);
   - GGUF decoders with `rope_freqs.weight` (Llama 3.1/3.2): transformers' GGUF loader ignores that
     tensor, so the reference divides its rotary frequencies by it, as llama.cpp does;
   - GGUF encoders (`bert`): no head in the file and no folder to add one to: ids only (transformers
     5.23 cannot load a `bert` GGUF at all, so in practice nothing is compared and the script says so).
   Lines whose ids differ are not compared by value (the two sides ran different inputs); lines that
   are empty or longer than the model's context are left out of `zotune forward` (it refuses the
   whole file for one of them) and reported.
3. prints, per text, the token count, whether the ids match, max |delta| and whether the argmax agrees,
   then the overall max; exits 1 if any ids differ or the max exceeds --tolerance, 2 on a usage or
   loading error (zotune or transformers failing to open the model is reported, not hidden).

The zotune binary: --zotune, else $ZOTUNE, else `zotune` on PATH, else the repository's
.build/release/zotune or .build/debug/zotune.

Run with the reference venv:
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/compare_checkpoint.py MODEL
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden_logits import unescape  # noqa: E402  (the CLI's escape convention, one definition)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENCODER_TYPES = {"bert", "roberta"}
# Varied on purpose: unicode in several scripts, digits, a long line (positions), a leading space,
# newlines and tabs, code, special-token text, a one-character text.
LONG_LINE = " ".join(
    f"Sentence {i}: the quick brown fox jumps over the lazy dog while {i * 7} clocks tick." for i in range(1, 21))
DEFAULT_TEXTS = [
    "The capital of France is",
    " A leading space, and two trailing  ",
    "Digits 0123456789, pi 3.14159, 2024-06-01, 1,234,567.89 and 42%",
    "Unicode: café naïve Ünïcödé — “quotes” … 日本語のテキスト 中文 한국어 🙂👍🏽",
    "Line one\nLine two\n\nLine four after a blank line",
    "Tabs\tand  double  spaces\t\tthen the end",
    "def add(a, b):\n    return a + b  # a comment\\n",
    "UPPER lower MiXeD CaSe, punctuation!?;: (round) [square] {curly} <angle> @#$^&*_=+|~`",
    "Ελληνικά, русский текст, العربية, עברית, हिन्दी",
    "Special-looking text: <s> </s> [CLS] [SEP] <|endoftext|> <mask> <unk>",
    "x",
    LONG_LINE,
]


def escape(text):
    """The inverse of `unescape`: one line of the CLI's text file."""
    if "\r" in text:
        raise ValueError(f"{text!r}: a carriage return cannot be written in the CLI's text format")
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [unescape(line[:-1] if line.endswith("\r") else line) for line in lines]


def find_zotune(explicit):
    candidates = [explicit, os.environ.get("ZOTUNE"), shutil.which("zotune"),
                  os.path.join(REPO, ".build", "release", "zotune"), os.path.join(REPO, ".build", "debug", "zotune")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("no zotune binary: pass --zotune PATH or set $ZOTUNE")


def run_zotune(zotune, *arguments):
    """stdout of a zotune command; exits 2 with its stderr when it fails."""
    started = time.time()
    process = subprocess.run([zotune, *arguments], capture_output=True, text=True)
    if process.returncode != 0:
        print(f"FAILED: zotune {' '.join(arguments)} exited {process.returncode}:\n{process.stderr.strip()}")
        sys.exit(2)
    return process.stdout, time.time() - started


# ------------------------------------------------------------------------------------------- model

class Checkpoint:
    """Where transformers finds the model, and which head zotune reads."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.is_gguf = self.path.endswith(".gguf")
        if self.is_gguf:
            self.folder, self.gguf_file = os.path.dirname(self.path), os.path.basename(self.path)
            self.load_args = {"gguf_file": self.gguf_file}
            import gguf
            reader = gguf.GGUFReader(self.path)
            self.model_type = str(reader.get_field("general.architecture").contents())
            context = reader.get_field(f"{self.model_type}.context_length")
            # transformers maps gpt2.context_length to the obsolete n_ctx and leaves n_positions at 1024.
            if self.model_type == "gpt2" and context is not None:
                self.load_args["n_positions"] = int(context.contents())
            self.tensor_names = {t.name for t in reader.tensors}
        else:
            self.folder, self.load_args = self.path, {}
            with open(os.path.join(self.path, "config.json"), encoding="utf-8") as f:
                self.model_type = json.load(f)["model_type"]
            self.tensor_names = folder_tensor_names(self.path)
        self.is_encoder = self.model_type in ENCODER_TYPES

    def head(self):
        """(kind, note): kind in causal, mlm, classifier, pooled, none."""
        if not self.is_encoder:
            return "causal", "next-token logits (AutoModelForCausalLM)"
        if self.is_gguf:
            return "none", ("a GGUF encoder has no head, so zotune forward gives a new random classifier's "
                            "logits: outputs NOT compared, ids only")
        names = self.tensor_names
        if any(n.startswith(("cls.predictions.transform.", "lm_head.dense.")) for n in names):
            return "mlm", "masked-LM logits at the last token (AutoModelForMaskedLM)"
        pooling = sentence_transformers_pooling(self.folder)
        if "classifier.weight" in names:
            if pooling is None and any(n.endswith("pooler.dense.weight") for n in names):
                return "classifier", "class logits over the pooler (AutoModelForSequenceClassification)"
            return "none", ("a stored classifier over a pooling transformers' SequenceClassification does not "
                            "use: outputs NOT compared, ids only")
        return "pooled", ("no head: zotune would add a new random classifier, so its pooled vector "
                          f"({self.pooling()}) is compared through an identity classifier on a symlinked copy")

    def pooling(self):
        """What zotune's classifier reads (EncoderPooling): sentence-transformers first, else the pooler."""
        declared = sentence_transformers_pooling(self.folder)
        if declared:
            return declared
        return "pooler" if any(n.endswith("pooler.dense.weight") for n in self.tensor_names) else "cls"


def weight_files(folder):
    names = sorted(os.listdir(folder))
    safetensors = [n for n in names if n.endswith(".safetensors")]
    return safetensors or [n for n in names if n.startswith("pytorch_model") and n.endswith(".bin")]


def folder_tensor_names(folder):
    from safetensors import safe_open
    names = set()
    for name in weight_files(folder):
        path = os.path.join(folder, name)
        if name.endswith(".safetensors"):
            with safe_open(path, "pt") as f:
                names |= set(f.keys())
        else:
            names |= set(torch.load(path, map_location="cpu", weights_only=True, mmap=True).keys())
    return names


def sentence_transformers_pooling(folder):
    """'mean' or 'cls' from the Pooling module modules.json names (or 1_Pooling/), else None."""
    pooling_folder = None
    modules = os.path.join(folder, "modules.json")
    if os.path.isfile(modules):
        for module in json.load(open(modules, encoding="utf-8")):
            if module.get("type") == "sentence_transformers.models.Pooling":
                pooling_folder = module.get("path", "")
    elif os.path.isfile(os.path.join(folder, "1_Pooling", "config.json")):
        pooling_folder = "1_Pooling"
    if pooling_folder is None:
        return None
    config = json.load(open(os.path.join(folder, pooling_folder, "config.json"), encoding="utf-8"))
    modes = sorted(k for k, v in config.items() if k.startswith("pooling_mode_") and v is True)
    return {("pooling_mode_mean_tokens",): "mean", ("pooling_mode_cls_token",): "cls"}.get(tuple(modes), "+".join(modes))


def probe_folder(checkpoint):
    """A temporary copy of the folder (symlinks) plus an identity classifier, so that zotune's class
    logits ARE the pooled vector. Weights in the folder's own format (zotune reads only one)."""
    from safetensors.torch import save_file
    import transformers
    hidden = transformers.AutoConfig.from_pretrained(checkpoint.folder).hidden_size
    probe = tempfile.mkdtemp(prefix="zotune-probe-")
    for name in os.listdir(checkpoint.folder):
        os.symlink(os.path.join(checkpoint.folder, name), os.path.join(probe, name))
    tensors = {"classifier.weight": torch.eye(hidden), "classifier.bias": torch.zeros(hidden)}
    if weight_files(checkpoint.folder)[0].endswith(".safetensors"):
        save_file(tensors, os.path.join(probe, "zz-identity-classifier.safetensors"))
    else:
        torch.save(tensors, os.path.join(probe, "pytorch_model-zz-identity-classifier.bin"))
    return probe


def apply_gguf_rope_factors(checkpoint, model):
    """A GGUF's `rope_freqs.weight` (Llama 3.1/3.2's rope scaling, as llama.cpp stores it) divides the
    rotary frequencies. transformers 5.23's GGUF loader drops that tensor and runs plain RoPE, which
    is not the model; the reference applies the divisors itself, as llama.cpp does."""
    if not checkpoint.is_gguf or "rope_freqs.weight" not in checkpoint.tensor_names:
        return
    import gguf
    reader = gguf.GGUFReader(checkpoint.path)
    tensor = next(t for t in reader.tensors if t.name == "rope_freqs.weight")
    factors = torch.tensor(tensor.data.astype("float32").reshape(-1))
    rotary = model.model.rotary_emb
    rotary.inv_freq = rotary.inv_freq / factors
    if hasattr(rotary, "original_inv_freq"):
        rotary.original_inv_freq = rotary.inv_freq
    print(f"note: applied the file's rope_freqs.weight ({len(factors)} divisors) to transformers' rotary "
          "frequencies, which its GGUF loader ignores")


def reference_outputs(checkpoint, kind, sequences):
    """transformers' fp32 eager outputs at each sequence's last token, each run alone."""
    import transformers
    auto = {"causal": transformers.AutoModelForCausalLM, "mlm": transformers.AutoModelForMaskedLM,
            "classifier": transformers.AutoModelForSequenceClassification, "pooled": transformers.AutoModel}[kind]
    model = auto.from_pretrained(checkpoint.folder, dtype=torch.float32, attn_implementation="eager",
                                 **checkpoint.load_args).eval()
    apply_gguf_rope_factors(checkpoint, model)
    rows = []
    with torch.inference_mode():
        for ids in sequences:
            output = model(torch.tensor([ids]))
            if kind in ("causal", "mlm"):
                rows.append(output.logits[0, -1])
            elif kind == "classifier":
                rows.append(output.logits[0])
            else:
                pooling = checkpoint.pooling()
                hidden = output.last_hidden_state[0]
                rows.append({"mean": lambda: hidden.mean(0), "cls": lambda: hidden[0],
                             "pooler": lambda: output.pooler_output[0]}[pooling]())
    return torch.stack(rows).numpy().astype(np.float32)


# -------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a Hugging Face folder or a .gguf file")
    parser.add_argument("--texts", help="one text per line, with \\n, \\t, \\\\ escapes (default: built-in set)")
    parser.add_argument("--zotune", help="the zotune binary")
    parser.add_argument("--tolerance", type=float, default=1e-3, help="max |delta| allowed (default 1e-3)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import transformers
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    zotune = find_zotune(args.zotune)
    checkpoint = Checkpoint(args.model)
    texts = read_texts(args.texts) if args.texts else DEFAULT_TEXTS
    work = tempfile.mkdtemp(prefix="zotune-compare-")
    try:
        return compare(checkpoint, texts, zotune, args.tolerance, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_texts(path, texts):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(escape(t) + "\n" for t in texts))


def context_length(checkpoint):
    """Longest sequence the model takes (RoBERTa's positions start after the padding id)."""
    import transformers
    config = transformers.AutoConfig.from_pretrained(checkpoint.folder, **checkpoint.load_args)
    limit = getattr(config, "n_positions", None) or config.max_position_embeddings
    if checkpoint.model_type == "roberta":
        limit -= config.pad_token_id + 1
    return limit


def compare(checkpoint, texts, zotune, tolerance, work):
    import transformers
    text_file = os.path.join(work, "texts.txt")
    write_texts(text_file, texts)
    print(f"model: {checkpoint.path} ({checkpoint.model_type}{', GGUF' if checkpoint.is_gguf else ''})")
    print(f"zotune: {zotune}; transformers {transformers.__version__}, torch {torch.__version__}")

    stdout, zotune_tokenize_seconds = run_zotune(zotune, "tokenize", "--model", checkpoint.path, "--text-file", text_file)
    zotune_ids = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint.folder, **{
            k: v for k, v in checkpoint.load_args.items() if k == "gguf_file"})
    except Exception as error:  # noqa: BLE001 - whatever transformers raises, nothing can be compared
        print(f"FAILED: transformers cannot load the tokenizer, so nothing can be compared: {error}")
        return 2
    reference_ids = [tokenizer(t)["input_ids"] for t in texts]
    if len(zotune_ids) != len(texts):
        print(f"FAILED: zotune tokenize printed {len(zotune_ids)} lines for {len(texts)} texts")
        return 1
    same_ids = [a == b for a, b in zip(zotune_ids, reference_ids)]

    kind, note = checkpoint.head()
    print(f"compared: token ids; {note}")
    differences = [None] * len(texts)
    argmax_agrees = [None] * len(texts)
    timing = f"zotune tokenize {zotune_tokenize_seconds:.1f} s"
    shape_error = None
    if kind != "none":
        # zotune forward refuses the whole file for one empty or over-long line: run only the others.
        limit = context_length(checkpoint)
        # Where the ids differ the outputs are not compared; the reference runs zotune's ids there,
        # since transformers' own may not even fit its model (its GGUF tokenizer can add tokens
        # beyond the embedding table, e.g. <|endoftext|> for a llama-bpe vocabulary).
        run_ids = [r if same else z for r, z, same in zip(reference_ids, zotune_ids, same_ids)]
        run = [i for i, ids in enumerate(run_ids) if 0 < len(ids) <= limit]
        for i in sorted(set(range(len(texts))) - set(run)):
            print(f"text {i} ({len(run_ids[i])} tokens) is empty or longer than the model's context "
                  f"({limit}): outputs not compared")
        forward_file = os.path.join(work, "forward.txt")
        write_texts(forward_file, [texts[i] for i in run])
        model_path = probe_folder(checkpoint) if kind == "pooled" else checkpoint.path
        try:
            output = os.path.join(work, "zotune.safetensors")
            _, zotune_forward_seconds = run_zotune(
                zotune, "forward", "--model", model_path, "--text-file", forward_file, "--output", output)
        finally:
            if model_path != checkpoint.path:
                shutil.rmtree(model_path)
        from safetensors.numpy import load_file
        ours = load_file(output)["logits"]
        started = time.time()
        try:
            reference = reference_outputs(checkpoint, kind, [run_ids[i] for i in run])
        except Exception as error:  # noqa: BLE001
            print(f"FAILED: transformers cannot run the model: {error}")
            return 2
        timing += f", zotune forward {zotune_forward_seconds:.1f} s, transformers {time.time() - started:.1f} s"
        # The scale of what is compared: a 1e-3 tolerance means little on outputs of size 1e-2.
        print(f"reference outputs [{reference.shape[0]}, {reference.shape[1]}]: max |x| {np.abs(reference).max():.3g}, "
              f"rms {np.sqrt(np.mean(reference.astype(np.float64) ** 2)):.3g}")
        if ours.shape != reference.shape:
            shape_error = f"zotune's output is {list(ours.shape)}, transformers' {list(reference.shape)}"
            print(f"FAILED: {shape_error}")
        for row, i in enumerate(run):
            if same_ids[i] and not shape_error:
                differences[i] = float(np.abs(ours[row] - reference[row]).max())
                argmax_agrees[i] = bool(np.argmax(ours[row]) == np.argmax(reference[row]))

    print(f"{'#':>3} {'tokens':>6} {'ids':>5} {'max|Δ|':>10} {'argmax':>6}  text")
    for i, text in enumerate(texts):
        ids_column = "same" if same_ids[i] else "DIFF"
        delta = "-" if differences[i] is None else f"{differences[i]:.3e}"
        argmax = "-" if argmax_agrees[i] is None else ("same" if argmax_agrees[i] else "DIFF")
        preview = escape(text)
        preview = preview if len(preview) <= 48 else preview[:45] + "..."
        print(f"{i:>3} {len(reference_ids[i]):>6} {ids_column:>5} {delta:>10} {argmax:>6}  {preview}")
    for i in (i for i, same in enumerate(same_ids) if not same):
        first = next((j for j, (a, b) in enumerate(zip(zotune_ids[i], reference_ids[i])) if a != b),
                     min(len(zotune_ids[i]), len(reference_ids[i])))
        print(f"ids differ on text {i} from token {first}: zotune {zotune_ids[i][first:first + 8]} "
              f"(of {len(zotune_ids[i])}), transformers {reference_ids[i][first:first + 8]} (of {len(reference_ids[i])})")
    compared = [d for d in differences if d is not None]
    overall = max(compared) if compared else None
    id_mismatches = same_ids.count(False)
    failed = id_mismatches > 0 or shape_error is not None or (overall is not None and overall > tolerance)
    print(f"summary: {len(texts)} texts, id mismatches {id_mismatches}, "
          + (f"max |Δ| {overall:.3e} over {len(compared)} texts (tolerance {tolerance:g}), "
             f"argmax disagreements {argmax_agrees.count(False)}" if overall is not None
             else f"outputs not compared ({shape_error or 'see above'})")
          + f"; {timing}")
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
