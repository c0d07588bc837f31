#!/usr/bin/env python3
"""Writes the seeds of the GGUFTokenizer fuzz target (Fuzz/Corpus/GGUFTokenizer): metadata-only GGUF
files, a few KB each, with a tiny tokenizer of each kind ZOTune reads (gpt2, llama, bert). Same bytes
on every run; only the standard library."""
import os
import struct


def string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def value(v):
    """(GGUF type, payload) of a Python value: str, bool, int (uint32), float (float32), or a list."""
    if isinstance(v, str):
        return 8, string(v)
    if isinstance(v, bool):
        return 7, struct.pack("<B", v)
    if isinstance(v, int):
        return 4, struct.pack("<I", v)
    if isinstance(v, float):
        return 6, struct.pack("<f", v)
    element = value(v[0])[0]
    return 9, struct.pack("<IQ", element, len(v)) + b"".join(value(x)[1] for x in v)


def gguf(metadata):
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata))
    for key, v in metadata.items():
        kind, payload = value(v)
        out += string(key) + struct.pack("<I", kind) + payload
    return out + b"\0" * (-len(out) % 32)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for _, c in sorted(zip(bs, cs))]


byte_tokens = bytes_to_unicode()
merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a"]
gpt2_tokens = ["<|endoftext|>"] + byte_tokens + ["Ġt", "he", "Ġthe", "in", "Ġa"]
seeds = {
    "gpt2": {
        "general.architecture": "gpt2",
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": "gpt-2",
        "tokenizer.ggml.tokens": gpt2_tokens,
        "tokenizer.ggml.token_type": [3] + [1] * (len(gpt2_tokens) - 1),
        "tokenizer.ggml.merges": merges,
        "tokenizer.ggml.bos_token_id": 0,
        "tokenizer.ggml.eos_token_id": 0,
    },
    "llama": {
        "general.architecture": "llama",
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.tokens": ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
        + ["▁", "▁t", "he", "▁the", "▁a", "in", "e", "h", "t", "a", "i", "n"],
        "tokenizer.ggml.scores": [0.0] * 259 + [-float(i) for i in range(12)],
        "tokenizer.ggml.token_type": [2, 3, 3] + [6] * 256 + [1] * 12,
        "tokenizer.ggml.bos_token_id": 1,
        "tokenizer.ggml.eos_token_id": 2,
        "tokenizer.ggml.unknown_token_id": 0,
        "tokenizer.ggml.add_bos_token": True,
    },
    "bert": {
        "general.architecture": "bert",
        "tokenizer.ggml.model": "bert",
        "tokenizer.ggml.tokens": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["the", "##s", "##ing", "hello", "world", "!", ",", "."],
        "tokenizer.ggml.token_type": [3] * 5 + [1] * 34,
        "tokenizer.ggml.padding_token_id": 0,
        "tokenizer.ggml.unknown_token_id": 1,
        "tokenizer.ggml.cls_token_id": 2,
        "tokenizer.ggml.seperator_token_id": 3,
        "tokenizer.ggml.mask_token_id": 4,
    },
}
folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus", "GGUFTokenizer")
os.makedirs(folder, exist_ok=True)
for name, metadata in seeds.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(gguf(metadata))
