#!/usr/bin/env python3
"""Golden ids for how transformers sets a byte-level tokenizer's prefix space from a folder's
tokenizer_config.json (Tests/Fixtures/tokenizer/prefix-space-golden.json).

transformers' GPT-2 and RoBERTa tokenizer classes rebuild a plain ByteLevel pre-tokenizer with their
own add_prefix_space (tokenizer_config.json's value, else False), whatever tokenizer.json says;
PreTrainedTokenizerFast keeps tokenizer.json's. The tiny RoBERTa fixture's tokenizer.json says true.

    ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_prefix_space_golden.py
"""
import json
import os
import shutil
import tempfile

from transformers import AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "tiny-roberta-mlm")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "prefix-space-golden.json")
TEXTS = ["The capital", " leading space", "x<mask>y"]
CONFIGS = {
    "no tokenizer_config.json": None,
    "RobertaTokenizer": {"tokenizer_class": "RobertaTokenizer"},
    "RobertaTokenizer, add_prefix_space true": {"tokenizer_class": "RobertaTokenizer", "add_prefix_space": True},
    "GPT2Tokenizer": {"tokenizer_class": "GPT2Tokenizer"},
    "PreTrainedTokenizerFast": {"tokenizer_class": "PreTrainedTokenizerFast"},
}


def main():
    cases = []
    for name, config in CONFIGS.items():
        with tempfile.TemporaryDirectory() as folder:
            for file in ("tokenizer.json", "config.json"):
                shutil.copy(os.path.join(FIXTURE, file), folder)
            if config is not None:
                with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
                    json.dump(config, f)
            tokenizer = AutoTokenizer.from_pretrained(folder)
            cases.append({"name": name, "tokenizer_config": config,
                          "ids": [tokenizer(text)["input_ids"] for text in TEXTS]})
    with open(OUT, "w") as f:
        json.dump({"fixture": "tiny-roberta-mlm", "texts": TEXTS, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
