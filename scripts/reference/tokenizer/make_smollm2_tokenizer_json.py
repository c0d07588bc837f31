#!/usr/bin/env python3
"""Rebuild SmolLM2's HuggingFace tokenizer.json from the model GGUF's tokenizer.ggml.* metadata.

The reference goldens must come from HF `tokenizers`, but the project only has the GGUF. The GGUF
carries everything the HF file does for this model: the byte-level vocab (token id = index), the
merges in rank order, and the token types (3 = control -> special added token). The pre-tokenizer
is the one SmolLM2 ships (`tokenizer.ggml.pre` = "smollm"): Sequence[Digits(individual_digits),
ByteLevel(add_prefix_space=false, use_regex=true)].

Output goes to a cache location (about 2 MB), never into the repository:
    ~/.cache/zotune/reference/smollm2-tokenizer.json
Optional: --dump-arrays PATH also writes the raw GGUF arrays (tokens, token_type, merges, pre) as
JSON, for exercising the Swift GGUF-route initializer outside the test suite.
"""
import argparse
import json
import os
import sys

import gguf
from tokenizers import Tokenizer

DEFAULT_GGUF = os.path.expanduser("~/.cache/zotune/models/SmolLM2-135M-Instruct.Q4_1.gguf")
DEFAULT_OUT = os.path.expanduser("~/.cache/zotune/reference/smollm2-tokenizer.json")


def read_array(reader, key):
    field = reader.fields[key]
    if field.types[1] == gguf.GGUFValueType.STRING:
        return [bytes(field.parts[i]).decode("utf-8") for i in field.data]
    return [int(field.parts[i][0]) for i in field.data]


def read_scalar(reader, key):
    field = reader.fields.get(key)
    if field is None:
        return None
    value = field.parts[field.data[0]]
    if field.types[0] == gguf.GGUFValueType.STRING:
        return bytes(value).decode("utf-8")
    return value.tolist()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--dump-arrays", default=None)
    args = ap.parse_args()

    reader = gguf.GGUFReader(args.gguf)
    model = read_scalar(reader, "tokenizer.ggml.model")
    pre = read_scalar(reader, "tokenizer.ggml.pre")
    assert model == "gpt2", model
    assert pre == "smollm", pre
    tokens = read_array(reader, "tokenizer.ggml.tokens")
    types = read_array(reader, "tokenizer.ggml.token_type")
    merges = read_array(reader, "tokenizer.ggml.merges")
    assert len(tokens) == len(types)

    added = []
    for i, (tok, ty) in enumerate(zip(tokens, types)):
        if ty in (3, 4):  # control / user-defined
            added.append({"id": i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": ty == 4, "special": ty == 3})
        else:
            assert ty == 1, (i, tok, ty)

    doc = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Digits", "individual_digits": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            ],
        },
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": {tok: i for i, tok in enumerate(tokens)},
            "merges": [m.split(" ") for m in merges],
        },
    }
    assert len(doc["model"]["vocab"]) == len(tokens), "duplicate token strings"
    for m in doc["model"]["merges"]:
        assert len(m) == 2, m

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)

    tok = Tokenizer.from_str(text)
    ids = tok.encode("The capital of France is").ids
    assert ids == [504, 3575, 282, 4649, 314], ids
    assert tok.decode(ids) == "The capital of France is"
    print(f"wrote {args.out} ({len(text.encode())} bytes, {len(tokens)} tokens, {len(merges)} merges,"
          f" {len(added)} added); sanity ids {ids}", file=sys.stderr)

    if args.dump_arrays:
        with open(args.dump_arrays, "w", encoding="utf-8") as f:
            json.dump({"tokens": tokens, "token_type": types, "merges": merges, "pre": pre,
                       "bos_token_id": read_scalar(reader, "tokenizer.ggml.bos_token_id"),
                       "eos_token_id": read_scalar(reader, "tokenizer.ggml.eos_token_id")}, f, ensure_ascii=False)
        print(f"wrote {args.dump_arrays}", file=sys.stderr)


if __name__ == "__main__":
    main()
