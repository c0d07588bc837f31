#!/usr/bin/env python3
"""Write "slow" tokenizer fixture folders (no tokenizer.json) and transformers' ids for them.

Many real checkpoints ship no tokenizer.json: facebook/opt-125m has vocab.json + merges.txt +
tokenizer_config.json + special_tokens_map.json, older GPT-2 / RoBERTa uploads likewise, BERT uploads
vocab.txt + tokenizer_config.json. transformers builds a fast tokenizer from those files; ZOTune's
`SlowTokenizerFiles` does the same, and these fixtures pin it to transformers id for id.

Inputs (all committed):
  Tests/Fixtures/tokenizer/corpus.jsonl, corpus-bert.jsonl            the corpus (make_corpus.py)
  Tests/Fixtures/tiny-opt, tiny-gpt2, tiny-roberta-mlm, tiny-bert      tokenizer.json of the tiny models
  Tests/Fixtures/tokenizer/tiny-wordpiece-cased/tokenizer.json
  optionally the all-MiniLM-L6-v2 asset ($ZOTUNE_HOME or ~/.cache/zotune/models/all-MiniLM-L6-v2): only
  checked (see below), nothing is written from it.

Outputs, under Tests/Fixtures/tokenizer/slow/:
  <name>/          the slow files only: vocab.json + merges.txt (byte-level BPE) or vocab.txt (WordPiece),
                   with tokenizer_config.json / special_tokens_map.json / added_tokens.json / config.json
                   as listed in FIXTURES. Vocabularies and merges come from the source tokenizer.json.
  <name>-golden.json
                   "digests"[i]: for line i of corpus.jsonl then corpus-bert.jsonl, the first 8 hex digits
                   of sha256(ids + U+0001 + decoded + U+0001 + decoded_skip) (the format of
                   tokenizer/make_wordpiece_and_roberta_fixtures.py), where ids = transformers'
                   `AutoTokenizer.from_pretrained(<name>)(text)["input_ids"]` (special tokens added, as the
                   model sees them), decoded = decode(ids), decoded_skip = decode(ids, skip_special_tokens=True);
                   "samples": the same in full for every 100th line;
                   "extra": full results for EXTRA_TEXTS (the special and added tokens of the fixtures);
                   "vocab_size": len(tokenizer) (model vocabulary plus added tokens);
                   "tokenizer_json": the tokenizer.json the folder was derived from (relative to
                   Tests/Fixtures), when the slow files describe the same tokenizer, and then
                   "differs_from_tokenizer_json": the corpus lines where `tokenizers`'
                   Tokenizer.from_file(that tokenizer.json) gives other ids than the slow folder (only
                   opt: real OPT files name </s> as unk_token, so "<unk>" is not a special token there).

`--show NAME LINE` prints transformers' full result for one corpus line of fixture NAME.

Checks made while writing (the script fails otherwise): transformers' decode equals the backend's
decode (no clean_up_tokenization_spaces), and when the MiniLM asset exists, its vocab.txt +
tokenizer_config.json + special_tokens_map.json without tokenizer.json give the same ids as its
tokenizer.json on every corpus line (the Swift test checks the same folder against minilm-golden.json).

Run from the repository root with the reference venv (transformers 5.23.0, tokenizers 0.23.3):
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_slow_tokenizer_fixtures.py
Deterministic: re-running produces identical files.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile

from tokenizers import Tokenizer
from transformers import AutoTokenizer

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
TOK = os.path.join(FIX, "tokenizer")
OUT = os.path.join(TOK, "slow")
CACHE = os.environ.get("ZOTUNE_HOME") or os.path.expanduser("~/.cache/zotune")
MINILM = os.path.join(CACHE, "models", "all-MiniLM-L6-v2")
SAMPLE_EVERY = 100

# Texts with the special and added tokens the fixtures declare (the corpus has the standard ones only).
EXTRA_TEXTS = [
    "<|endoftext|>Hello", "a <|eos|> b", "<image>x <image>", " <|tool|> done", "a <|x|>b a<|x|> b",
    "<|user|>hello<|pad|>", "</s>a</s>", "<s> x </s>", "a <mask> b", "x<mask>", "<unk> [UNK]",
    "[CLS] a [SEP] [PAD] [MASK]", "[NEW] thing [new] x [NÉW] y", "Hello WORLD Àé ÜBER naïve 日本語 x",
    "", " ", "café\tCrème\nBRÛLÉE",
]


def added(content, **flags):
    """An AddedToken as transformers 4 wrote it in tokenizer_config.json / special_tokens_map.json."""
    token = {"content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": True}
    token.update(flags)
    return dict(token, __type="AddedToken")


def decoder_entry(content, special=True, **flags):
    """An `added_tokens_decoder` entry as transformers >= 4.34 writes it."""
    entry = {"content": content, "lstrip": False, "normalized": not special, "rstrip": False,
             "single_word": False, "special": special}
    entry.update(flags)
    return entry


OPT_TOKEN = added("</s>")
FIXTURES = [
    # facebook/opt-125m's files (tokenizer_config.json and special_tokens_map.json as on the Hub), with
    # tiny-opt's vocabulary; no tokenizer_class, so config.json's model_type picks GPT2Tokenizer.
    dict(name="opt", source="tiny-opt/tokenizer.json", same_tokenizer=True,
         config={"model_type": "opt"},
         tokenizer_config={"errors": "replace", "unk_token": OPT_TOKEN, "bos_token": OPT_TOKEN,
                           "eos_token": OPT_TOKEN, "pad_token": added("<pad>"), "add_prefix_space": False,
                           "add_bos_token": True, "special_tokens_map_file": None,
                           "name_or_path": "patrickvonplaten/opt-30b"},
         special_tokens_map={"bos_token": OPT_TOKEN, "eos_token": OPT_TOKEN, "unk_token": OPT_TOKEN,
                             "pad_token": added("<pad>")}),
    # openai-community/gpt2 without its tokenizer.json; vocab.json with \\u escapes as GPT-2's.
    dict(name="gpt2", source="tiny-gpt2/tokenizer.json", same_tokenizer=True, ascii_vocab=True,
         config={"model_type": "gpt2"}, tokenizer_config={"model_max_length": 1024}),
    # A RoBERTa fine-tune saved by transformers 4.34+ (added_tokens_decoder, <mask> with lstrip), with the
    # prefix space tiny-roberta-mlm's tokenizer.json was trained with.
    dict(name="roberta", source="tiny-roberta-mlm/tokenizer.json", same_tokenizer=True,
         config={"model_type": "roberta"},
         tokenizer_config={
             "add_prefix_space": True, "errors": "replace", "trim_offsets": True, "model_max_length": 512,
             "tokenizer_class": "RobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
             "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
             "clean_up_tokenization_spaces": False,
             "added_tokens_decoder": {"0": decoder_entry("<s>"), "1": decoder_entry("<pad>"),
                                      "2": decoder_entry("</s>"), "3": decoder_entry("<unk>"),
                                      "4": decoder_entry("<mask>", lstrip=True)}}),
    # google-bert/bert-base-uncased without its tokenizer.json.
    dict(name="bert", source="tiny-bert/tokenizer.json", same_tokenizer=True,
         config={"model_type": "bert"}, tokenizer_config={"do_lower_case": True}),
    # A cased BERT chosen by tokenizer_class alone (no config.json).
    dict(name="bert-cased", source="tokenizer/tiny-wordpiece-cased/tokenizer.json", same_tokenizer=True,
         tokenizer_config={"do_lower_case": False, "tokenizer_class": "BertTokenizerFast"}),
    # Options the real files above do not use: prefix space, BOS and EOS added, special tokens that are not
    # in vocab.json (new ids, in transformers' order), additional_special_tokens (a string and an
    # AddedToken with lstrip), a model-specific *_token, and the legacy added_tokens.json.
    dict(name="gpt2-options", source="tiny-gpt2/tokenizer.json", same_tokenizer=False,
         tokenizer_config={"tokenizer_class": "GPT2TokenizerFast", "add_prefix_space": True,
                           "add_bos_token": True, "add_eos_token": True, "bos_token": "<|endoftext|>",
                           "eos_token": added("<|eos|>", normalized=False), "pad_token": "<|pad|>",
                           "image_token": "<image>",
                           "additional_special_tokens": ["<|tool|>", added("<|x|>", lstrip=True)]},
         added_tokens={"<|user|>": 504, "<|tool|>": 503}),
    # The legacy special_tokens_map.json route (no added_tokens_decoder): its entries override
    # tokenizer_config.json's; BartTokenizer is RobertaTokenizer in transformers 5; no prefix space.
    dict(name="roberta-legacy", source="tiny-roberta-mlm/tokenizer.json", same_tokenizer=False,
         tokenizer_config={"tokenizer_class": "BartTokenizer", "mask_token": "<mask>", "unk_token": "<unk>"},
         special_tokens_map={"bos_token": "<s>", "eos_token": "</s>", "unk_token": added("<unk>"),
                             "sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>",
                             "mask_token": added("<mask>", lstrip=True, normalized=False)}),
    # BertTokenizer's normalizer options, a non-special added token and CRLF line ends in vocab.txt;
    # model_type distilbert (DistilBertTokenizer).
    dict(name="bert-options", source="tiny-bert/tokenizer.json", same_tokenizer=False, crlf=True,
         config={"model_type": "distilbert"},
         tokenizer_config={"do_lower_case": False, "strip_accents": True, "tokenize_chinese_chars": False,
                           "added_tokens_decoder": {"700": decoder_entry("[NEW]", special=False)}}),
]


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def read_lines(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def write_json(path, obj, ensure_ascii=False):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=ensure_ascii, indent=2)
        f.write("\n")


def write_slow_files(spec, folder):
    """The slow files of `spec`, derived from its source tokenizer.json."""
    model = json.load(open(os.path.join(FIX, spec["source"]), encoding="utf-8"))["model"]
    if model["type"] == "BPE":
        with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8", newline="\n") as f:
            json.dump(model["vocab"], f, ensure_ascii=spec.get("ascii_vocab", False))
        with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
            f.write("#version: 0.2\n")
            for merge in model["merges"]:
                f.write((" ".join(merge) if isinstance(merge, list) else merge) + "\n")
    else:
        tokens = [token for token, _ in sorted(model["vocab"].items(), key=lambda item: item[1])]
        assert [model["vocab"][t] for t in tokens] == list(range(len(tokens)))
        line_end = "\r\n" if spec.get("crlf") else "\n"
        with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8", newline="") as f:
            f.write("".join(t + line_end for t in tokens))
    for key, name in [("config", "config.json"), ("tokenizer_config", "tokenizer_config.json"),
                      ("special_tokens_map", "special_tokens_map.json"), ("added_tokens", "added_tokens.json")]:
        if key in spec:
            write_json(os.path.join(folder, name), spec[key])


def result(tok, text):
    ids = tok(text)["input_ids"]
    decoded, decoded_skip = tok.decode(ids), tok.decode(ids, skip_special_tokens=True)
    backend = tok.backend_tokenizer
    assert decoded == backend.decode(ids, skip_special_tokens=False), (text, ids)
    assert decoded_skip == backend.decode(ids, skip_special_tokens=True), (text, ids)
    return {"ids": ids, "decoded": decoded, "decoded_skip": decoded_skip}


def digest(r):
    joined = ",".join(map(str, r["ids"])) + "\x01" + r["decoded"] + "\x01" + r["decoded_skip"]
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:8]


def write_golden(spec, tok, corpus):
    results = [result(tok, text) for text in corpus]
    golden = {
        "fixture": spec["name"],
        "corpora": ["corpus.jsonl", "corpus-bert.jsonl"],
        "vocab_size": len(tok),
        "tokenizer_class": type(tok).__name__,
    }
    if spec["same_tokenizer"]:
        fast = Tokenizer.from_file(os.path.join(FIX, spec["source"]))
        golden["tokenizer_json"] = spec["source"]
        golden["differs_from_tokenizer_json"] = [
            i for i, (text, r) in enumerate(zip(corpus, results)) if fast.encode(text).ids != r["ids"]]
    path = os.path.join(OUT, f"{spec['name']}-golden.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(dumps(golden)[:-1] + ',\n"digests":[\n')
        f.write(",\n".join(dumps(digest(r)) for r in results))
        samples = [dict(line=i, **r) for i, r in enumerate(results) if i % SAMPLE_EVERY == 0]
        f.write('],\n"samples":[\n' + ",\n".join(dumps(s) for s in samples))
        extra = [dict(text=text, **result(tok, text)) for text in EXTRA_TEXTS]
        f.write('],\n"extra":[\n' + ",\n".join(dumps(e) for e in extra) + "]}\n")
    differs = golden.get("differs_from_tokenizer_json")
    print(f"wrote {path} ({os.path.getsize(path)} bytes; {type(tok).__name__}, vocab {len(tok)}"
          + ("" if differs is None else f", {len(differs)} lines differ from {spec['source']}") + ")",
          file=sys.stderr)


def check_minilm(corpus):
    """MiniLM's real slow files (no tokenizer.json) must give its tokenizer.json's ids."""
    if not os.path.isdir(MINILM):
        print(f"skipped the MiniLM check: {MINILM} is missing", file=sys.stderr)
        return
    fast = Tokenizer.from_file(os.path.join(MINILM, "tokenizer.json"))
    fast.no_truncation()
    fast.no_padding()
    with tempfile.TemporaryDirectory() as folder:
        for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "config.json"]:
            shutil.copyfile(os.path.join(MINILM, name), os.path.join(folder, name))
        slow = AutoTokenizer.from_pretrained(folder)
        bad = [text for text in corpus if slow(text)["input_ids"] != fast.encode(text).ids]
    assert not bad, f"MiniLM slow files differ from its tokenizer.json on {len(bad)} lines, e.g. {bad[:3]}"
    print(f"MiniLM: slow files == tokenizer.json on all {len(corpus)} lines", file=sys.stderr)


def show(name, line, corpus):
    """Prints transformers' full result for one corpus line (to read next to a failing digest)."""
    name = name.removeprefix("slow/")
    r = result(AutoTokenizer.from_pretrained(os.path.join(OUT, name)), corpus[line])
    print(dumps(dict(text=corpus[line], digest=digest(r), **r)))


def main():
    corpus = read_lines(os.path.join(TOK, "corpus.jsonl")) + read_lines(os.path.join(TOK, "corpus-bert.jsonl"))
    if sys.argv[1:2] == ["--show"]:
        return show(sys.argv[2], int(sys.argv[3]), corpus)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for spec in FIXTURES:
        folder = os.path.join(OUT, spec["name"])
        os.makedirs(folder)
        write_slow_files(spec, folder)
        tok = AutoTokenizer.from_pretrained(folder)
        assert tok.is_fast and not os.path.exists(os.path.join(folder, "tokenizer.json"))
        write_golden(spec, tok, corpus)
    check_minilm(corpus)


if __name__ == "__main__":
    main()
