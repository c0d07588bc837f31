#!/usr/bin/env python3
"""Writes the bad-input corpus, Tests/Fixtures/bad-inputs: crafted variants of the tiny fixtures that a
loader must refuse in one sentence without taking memory for the sizes they claim. Standard library
only; re-running gives the same bytes. The files are committed; run this after changing a case.

    python3 scripts/reference/make_bad_inputs.py

Each case in cases.json names a base fixture and how it is damaged:
- `files`: files of the case's folder that replace the base folder's (a crafted config.json, tokenizer.json);
- `ggufMetadata`: integers the test overwrites in place in a copy of the base GGUF file (GGUF files
  are not committed: `scripts/test-fixtures` writes the bases);
- `nanInTensor`: a tensor of the base model.safetensors whose first element the test sets to NaN.
`command` is run (`zotune inspect` or `forward`) and `error` must appear in its one-line stderr
(Tests/ZOTuneCLITests/BadInputTests.swift).
"""
import collections
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures")
OUT = os.path.join(ROOT, "bad-inputs")
ACCEPTS = "ZOTune accepts for it"


def load(path):
    with open(os.path.join(ROOT, path)) as f:
        return json.load(f, object_pairs_hook=collections.OrderedDict)


def write(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def case(name, why, base, command, error, **damage):
    return collections.OrderedDict(name=name, why=why, base=base, **damage, command=command, error=error)


def config_case(name, why, base, changes, error, command="inspect"):
    config = load(f"{base}/config.json")
    config.update(changes)
    write(os.path.join(OUT, name, "config.json"), config)
    return case(name, why, base, command, error, files=["config.json"])


def gguf_case(name, why, base, key, value, error, command="inspect"):
    return case(name, why, base, command, error, ggufMetadata={key: value})


def main():
    cases = [
        config_case("llama-layers-million", "a layer count far beyond any model (was: exit 134, failed to allocate)",
                    "tiny-llama", {"num_hidden_layers": 10**6}, f"num_hidden_layers is 1000000, more than the 1024 {ACCEPTS}"),
        config_case("llama-layers-1000", "a plausible layer count the weights do not hold",
                    "tiny-llama", {"num_hidden_layers": 1000}, "num_hidden_layers declares 1000 layers but"),
        config_case("llama-vocab-2-40", "a vocabulary of 2^40 (was: exit 134)",
                    "tiny-llama", {"vocab_size": 2**40}, f"vocab_size is 1099511627776, more than the 4194304 {ACCEPTS}"),
        config_case("llama-vocab-mismatch", "a vocabulary the embedding disagrees with", "tiny-llama", {"vocab_size": 300},
                    "weight model.embed_tokens.weight has shape [512, 64] but the configuration needs [300, 64]"),
        config_case("llama-hidden-string", "a number written as a string (was: reported as missing)",
                    "tiny-llama", {"hidden_size": "64"}, 'hidden_size must be an integer, found the string "64"'),
        config_case("llama-hidden-fraction", "a fractional size (was: rounded)",
                    "tiny-llama", {"hidden_size": 64.5}, "hidden_size must be an integer, found the number 64.5"),
        config_case("llama-rms-eps-string", "a string for a float (was: the default taken)",
                    "tiny-llama", {"rms_norm_eps": "tiny"}, 'rms_norm_eps must be a number, found the string "tiny"'),
        config_case("llama-tie-string", "a string for a flag", "tiny-llama", {"tie_word_embeddings": "yes"},
                    'tie_word_embeddings must be true or false, found the string "yes"'),
        config_case("opt-hidden-negative", "a negative size", "tiny-opt", {"hidden_size": -64},
                    "hidden_size must be positive, got -64"),
        config_case("opt-positions-billion", "a context far beyond any model", "tiny-opt",
                    {"max_position_embeddings": 10**9}, f"max_position_embeddings is 1000000000, more than the 16777216 {ACCEPTS}"),
        config_case("gpt2-heads-not-dividing", "heads that do not divide the hidden size", "tiny-gpt2", {"n_head": 5},
                    "the hidden size 48 is not a multiple of the head count 5"),
        config_case("gpt2-layers-zero", "no layers", "tiny-gpt2", {"n_layer": 0}, "n_layer must be positive, got 0"),
        config_case("bert-intermediate-mismatch", "a tensor whose shape disagrees with the configuration", "tiny-bert",
                    {"intermediate_size": 100}, "intermediate.dense.weight has shape [128, 48] but the configuration needs [100, 48]"),
        config_case("bert-labels-billion", "a new classifier of a billion labels", "tiny-bert", {"num_labels": 10**9},
                    f"num_labels is 1000000000, more than the 16384 {ACCEPTS}"),
    ]
    tokenizer = load("tiny-llama/tokenizer.json")
    tokenizer["model"]["vocab"] = {}
    tokenizer["model"]["merges"] = []
    tokenizer["added_tokens"] = []
    write(os.path.join(OUT, "empty-vocabulary", "tokenizer.json"), tokenizer)
    cases += [
        case("empty-vocabulary", "a tokenizer.json whose model.vocab is {} (was: every text encoded to [])", "tiny-llama",
             "forward", "invalid tokenizer vocabulary: it is empty, so every text would encode to no tokens",
             files=["tokenizer.json"]),
        case("nan-weight", "a NaN in a weight (was: all-NaN logits, exit 0)", "tiny-llama", "forward",
             "weight model.layers.1.mlp.up_proj.weight in", nanInTensor="model.layers.1.mlp.up_proj.weight"),
        gguf_case("gguf-block-count-1000", "1000 layers in GGUF metadata (was: ~14 GB allocated, then a missing tensor)",
                  "formats/tiny-qwen2.gguf", "qwen2.block_count", 1000, "metadata qwen2.block_count declares 1000 layers but",
                  command="forward"),
        gguf_case("gguf-block-count-2000", "2000 layers in GGUF metadata (was: exit 134)", "formats/tiny-qwen2.gguf",
                  "qwen2.block_count", 2000, f"metadata qwen2.block_count is 2000, more than the 1024 {ACCEPTS}"),
        gguf_case("gguf-head-count-zero", "no heads (the head width is hidden / heads)", "formats/tiny-qwen2.gguf",
                  "qwen2.attention.head_count", 0, "metadata qwen2.attention.head_count must be positive, got 0"),
        gguf_case("gguf-embedding-negative", "a negative size (an int32 where the converter writes a uint32)",
                  "formats/tiny-qwen2.gguf", "qwen2.embedding_length", -64,
                  "metadata qwen2.embedding_length must be positive, got -64"),
        gguf_case("gguf-embedding-mismatch", "a hidden size the tensors disagree with", "formats/tiny-qwen2.gguf",
                  "qwen2.embedding_length", 128, "token_embd.weight has shape [528, 64] but the configuration needs [528, 128]"),
        gguf_case("gguf-context-huge", "the largest uint32 as a context", "formats/tiny-gpt2.gguf", "gpt2.context_length",
                  2**32 - 1, f"metadata gpt2.context_length is 4294967295, more than the 16777216 {ACCEPTS}"),
    ]
    write(os.path.join(OUT, "cases.json"), cases)


if __name__ == "__main__":
    main()
