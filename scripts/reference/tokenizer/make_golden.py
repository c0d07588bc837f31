#!/usr/bin/env python3
"""Write the HF `tokenizers` reference fixtures for the Swift ZOTokenizers tests.

Inputs:
  Tests/Fixtures/tokenizer/corpus.jsonl                 (make_corpus.py)
  ~/.cache/zotune/reference/smollm2-tokenizer.json      (make_smollm2_tokenizer_json.py)

Outputs (all under Tests/Fixtures/tokenizer/):
  smollm2-golden.jsonl         {"text", "ids"[, "decoded"]} per corpus line, SmolLM2 tokenizer.
                               "decoded" is present only when HF's decode(ids) differs from text
                               (SmolLM2's vocab lacks some byte tokens, e.g. 0x04; HF drops them).
  smollm2-decode-golden.jsonl  {"ids", "text"}: HF decode(ids, skip_special_tokens=False) of
                               partial / random id sequences (invalid UTF-8 -> U+FFFD).
  tiny-bpe/tokenizer.json      a byte-level BPE trained here on the corpus (model vocab 512).
  tiny-golden.jsonl            {"text", "ids"} per corpus line, tiny tokenizer.
  tiny-decode-golden.jsonl     {"ids", "text"} as above, tiny tokenizer (every single id too).
  tiny-variants-golden.json    variants of the tiny tokenizer.json (patches: set a JSON path to a
                               value) with {"text", "ids"} cases, covering options the base
                               fixtures do not (NFC, add_prefix_space, Split, added-token flags,
                               TemplateProcessing, ignore_merges, "a b" merges, ...).

Everything is deterministic: re-running produces identical files.
"""
import copy
import json
import os
import random
import sys

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
SMOLLM2_JSON = os.path.expanduser("~/.cache/zotune/reference/smollm2-tokenizer.json")
GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = LLAMA3_PATTERN.replace(r"\p{N}{1,3}", r"\p{N}")


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_lines(name, rows):
    path = os.path.join(FIX, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(dumps(row) + "\n")
    print(f"wrote {path} ({len(rows)} lines, {os.path.getsize(path)} bytes)", file=sys.stderr)


def golden_rows(tok, corpus):
    rows = []
    for text in corpus:
        ids = tok.encode(text).ids
        row = {"text": text, "ids": ids}
        decoded = tok.decode(ids, skip_special_tokens=False)
        if decoded != text:
            row["decoded"] = decoded
        rows.append(row)
    return rows


def decode_rows(tok, corpus, rng, count, all_single_ids):
    rows = []
    n = tok.get_vocab_size(with_added_tokens=True)
    if all_single_ids:
        for i in range(n):
            rows.append([i])
    encs = [tok.encode(t).ids for t in corpus]
    encs = [e for e in encs if len(e) >= 2]
    for _ in range(count):
        kind = rng.randint(0, 2)
        if kind == 0:  # a slice of a real encoding: cuts UTF-8 sequences at the edges
            e = rng.choice(encs)
            a = rng.randint(0, len(e) - 1)
            b = rng.randint(a + 1, len(e))
            rows.append(e[a:b])
        elif kind == 1:  # random ids
            rows.append([rng.randrange(n) for _ in range(rng.randint(1, 12))])
        else:  # two slices glued together
            e1, e2 = rng.choice(encs), rng.choice(encs)
            rows.append(e1[: rng.randint(1, len(e1))] + e2[rng.randint(0, len(e2) - 1):])
    return [{"ids": ids, "text": tok.decode(ids, skip_special_tokens=False)} for ids in rows]


def train_tiny(corpus):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer)
    assert tok.get_vocab_size(with_added_tokens=False) == 512
    assert tok.token_to_id("<|endoftext|>") == 0
    # One non-special added token (HF defaults for add_tokens). Its lstrip/rstrip/single_word
    # behaviour is covered by the variants, since stripping makes decode(encode(s)) != s.
    tok.add_tokens([AddedToken("<tool>", single_word=False, lstrip=False, rstrip=False, normalized=True, special=False)])
    assert tok.token_to_id("<tool>") == 512
    return tok


def added(id_, content, special=False, normalized=None, lstrip=False, rstrip=False, single_word=False):
    if normalized is None:
        normalized = not special
    return {"id": id_, "content": content, "single_word": single_word, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": normalized, "special": special}


SPLIT_EXTRAS = ["I'LL 'S 'Re 'vE '\u017f 'x", "\n\n  a", "  \n \n x", "\r\n\r\n", "a \n", "12345678", " !!\n\n\nb",
                "\t\ta", "x\u00a0\u00a0y", "hello world's 123,456.7", "!abc ?def", "\u00bd\u2167 \u0663\u0664\u0665\u0666",
                "e\u0301t\u00e9", "<|im_start|>user\nHi 2024!<|im_end|>"]


def set_path(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def variants(base_doc, corpus):
    base_added = base_doc["added_tokens"]
    specials = {t["content"]: t for t in base_added}
    merges_as_strings = [" ".join(m) for m in base_doc["model"]["merges"]]
    flag_tokens = [
        added(0, "<|endoftext|>", special=True),
        added(1, "<|im_start|>", special=True, rstrip=True),
        added(2, "<|im_end|>", special=True, lstrip=True),
        added(512, "<tool>", normalized=False),
        added(513, "word", single_word=True),
        added(514, "ab", normalized=True),
        added(515, " sp ", normalized=False, lstrip=True, rstrip=True),
        added(600, "gap", normalized=False),          # HF ignores the JSON id: this becomes 516
        added(3, "zz", special=True, single_word=True),  # HF re-assigns: 517 (zz is not in the model vocab)
        added(700, "er", normalized=False),           # already a model token: keeps the model id
    ]
    template = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": "<|im_end|>", "type_id": 0}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {
            "<|im_start|>": {"id": "<|im_start|>", "ids": [1], "tokens": ["<|im_start|>"]},
            "<|im_end|>": {"id": "<|im_end|>", "ids": [2], "tokens": ["<|im_end|>"]},
        },
    }
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}

    def split_then(pattern):
        return {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
            dict(byte_level, use_regex=False)]}
    with_tool = [t for t in corpus if "<tool>" in t]
    strip_tokens = base_added[:3] + [added(512, "<tool>", lstrip=True, rstrip=True)]
    return [
        ("added_strip", [(["added_tokens"], strip_tokens)], with_tool),
        ("nfc", [(["normalizer"], {"type": "NFC"}),
                 (["added_tokens"], base_added + [added(513, "é", normalized=True), added(514, "Å", normalized=False)])],
         ["café", "cafe\u0301", "A\u030a", "Å", "Ångström", "A\u030angstrom", "e\u0301e\u0301", "x<tool>e\u0301",
          # Hangul LV+T composition, a V outside the composable range, canonical reordering + composition
          # (Foundation's NFC on Linux gets all three wrong)
          "\u1100\u1161\u11a8", "\uac00\u11a8", "\u1100\u1176", "a\u0f73\u0301", "\u1112\u1161\u11ab\uae00"]),
        ("prefix_space", [(["pre_tokenizer", "pretokenizers", 1, "add_prefix_space"], True)],
         ["", " ", "hello", " hello", "a1b", "<|im_start|>user\nhi<|im_end|>", "x <tool> y"]),
        ("digits_contiguous", [(["pre_tokenizer", "pretokenizers", 0, "individual_digits"], False)],
         ["12345", "a 123 b", "x1y22z333", "٣٤ 12"]),
        ("byte_level_only", [(["pre_tokenizer"], byte_level)], ["12345", " 123 4567", "a1b"]),
        ("byte_level_no_regex", [(["pre_tokenizer"], dict(byte_level, use_regex=False))],
         ["hello world", " a  b ", "1 2 3"]),
        ("split_then_byte_level", [(["pre_tokenizer"], {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": GPT2_PATTERN}, "behavior": "Isolated", "invert": False},
            dict(byte_level, use_regex=False)]})], ["hello world", "I'm 12 years", "  x  "]),
        # Llama 3 style (Split + ByteLevel without regex, ignore_merges) and Qwen2 style (+ NFC).
        ("split_llama3", [(["pre_tokenizer"], split_then(LLAMA3_PATTERN)), (["model", "ignore_merges"], True)],
         SPLIT_EXTRAS),
        ("split_qwen2", [(["pre_tokenizer"], split_then(QWEN2_PATTERN)), (["normalizer"], {"type": "NFC"})],
         SPLIT_EXTRAS),
        ("added_flags", [(["added_tokens"], flag_tokens)],
         ["word", "a word b", "words", "sword", "word's", "(word)", "word1", "1word", "a  <|im_end|>  b",
          "<|im_start|>   x", "a <|im_start|> <|im_end|> b", "ab cab abc", "x sp y", "x  sp  y", " sp ", "gap er zz",
          "zz zzz azz zz.", "a\u00a0<|im_end|>", "<tool> <tool>", "sp word sp"]),
        ("template", [(["post_processor"], template)], ["", "hello", "<|im_start|>", "a b c"]),
        ("template_in_sequence", [(["post_processor"], {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}, template]})],
         ["hello", ""]),
        ("ignore_merges", [(["model", "ignore_merges"], True)], []),
        ("merges_as_strings", [(["model", "merges"], merges_as_strings)], []),
        ("no_post_processor_no_normalizer_keys", [(["post_processor"], None), (["normalizer"], None)], ["hello"]),
    ]


def write_variants(name, base_doc, variant_list, sample, case):
    """Writes `name`: for each (variant name, patches, texts), the patches and `case(tok, text)` for the
    texts and `sample`, where tok is `base_doc` patched."""
    out = []
    for variant, patches, extra in variant_list:
        doc = copy.deepcopy(base_doc)
        for path, value in patches:
            set_path(doc, path, value)
        tok = Tokenizer.from_str(json.dumps(doc))
        out.append({"name": variant, "patches": [{"path": p, "value": v} for p, v in patches],
                    "vocab_size": tok.get_vocab_size(with_added_tokens=True),
                    "cases": [case(tok, text) for text in extra + sample]})
    path = os.path.join(FIX, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("[\n" + ",\n".join(dumps(v) for v in out) + "\n]\n")
    print(f"wrote {path} ({len(out)} variants, {os.path.getsize(path)} bytes)", file=sys.stderr)


def main():
    corpus = [json.loads(line) for line in open(os.path.join(FIX, "corpus.jsonl"), encoding="utf-8")]
    rng = random.Random(7)

    # --- SmolLM2 (reconstructed tokenizer.json) ---
    smol = Tokenizer.from_file(SMOLLM2_JSON)
    assert smol.encode("The capital of France is").ids == [504, 3575, 282, 4649, 314]
    write_lines("smollm2-golden.jsonl", golden_rows(smol, corpus))
    write_lines("smollm2-decode-golden.jsonl", decode_rows(smol, corpus, rng, 300, all_single_ids=False))

    # --- tiny trained BPE ---
    tiny = train_tiny(corpus)
    os.makedirs(os.path.join(FIX, "tiny-bpe"), exist_ok=True)
    tiny_path = os.path.join(FIX, "tiny-bpe", "tokenizer.json")
    tiny.save(tiny_path, pretty=False)
    print(f"wrote {tiny_path} ({os.path.getsize(tiny_path)} bytes)", file=sys.stderr)
    tiny = Tokenizer.from_file(tiny_path)  # goldens come from the file as saved
    write_lines("tiny-golden.jsonl", golden_rows(tiny, corpus))
    write_lines("tiny-decode-golden.jsonl", decode_rows(tiny, corpus, rng, 300, all_single_ids=True))

    # --- variants of the tiny tokenizer ---
    base_doc = json.load(open(tiny_path, encoding="utf-8"))
    sample = corpus[:20] + rng.sample(corpus[20:], 20)
    write_variants("tiny-variants-golden.json", base_doc, variants(base_doc, corpus), sample,
                   lambda tok, text: {"text": text, "ids": tok.encode(text).ids})

if __name__ == "__main__":
    main()
