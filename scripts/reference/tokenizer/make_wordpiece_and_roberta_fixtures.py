#!/usr/bin/env python3
"""Write the HF `tokenizers` reference fixtures for the WordPiece (BERT), RoBERTa and GPT-2 routes.

Inputs:
  Tests/Fixtures/tokenizer/corpus.jsonl, corpus-bert.jsonl      (make_corpus.py)
  the all-MiniLM-L6-v2 tokenizer.json: `--minilm PATH`, or by default the asset cache
  ($ZOTUNE_HOME or ~/.cache/zotune)/models/all-MiniLM-L6-v2/tokenizer.json (`zotune fetch all-minilm-l6-v2`)

Outputs (under Tests/Fixtures/tokenizer/):
  tiny-wordpiece/tokenizer.json        WordPiece trained here on the corpora: BertNormalizer (lowercase,
                                       strip_accents null = follow lowercase), BertPreTokenizer,
                                       BertProcessing, WordPiece decoder.
  tiny-wordpiece-cased/tokenizer.json  the same with lowercase and strip_accents false and a
                                       TemplateProcessing post-processor.
  tiny-roberta/tokenizer.json          byte-level BPE, ByteLevel(add_prefix_space=true), RobertaProcessing,
                                       <mask> with lstrip (as RoBERTa has it).
  tiny-gpt2/tokenizer.json             byte-level BPE, ByteLevel(add_prefix_space=false), no post-processor.
  <name>-golden.json                  HF's results on every corpus line (corpus.jsonl, then corpus-bert.jsonl):
                                       "digests"[i] = the first 8 hex digits of the sha256 of
                                       ids + U+0001 + decoded + U+0001 + decoded_skip (UTF-8), where ids =
                                       encode(text).ids joined by ",", decoded = decode(ids,
                                       skip_special_tokens=False), decoded_skip = decode(ids, True);
                                       "samples" = the same in full for every 50th line.
                                       Digests keep the five goldens small (full rows would be over 2 MB);
                                       `--show NAME LINE` prints HF's full result for one line.
                                       Names: tiny-wordpiece, tiny-wordpiece-cased, tiny-roberta, tiny-gpt2, minilm.
  <name>-decode-golden.jsonl           {"ids", "text"}: HF decode(ids, skip_special_tokens=False) of slices of
                                       encodings and random ids.
  wordpiece-variants-golden.json       variants of tiny-wordpiece (patches: set a JSON path to a value) with
                                       {"text", "ids", "decoded"} cases.

MiniLM's tokenizer.json carries truncation (128) and fixed padding (128); its goldens are made with
both switched off, which is what transformers' tokenizer(text) returns and what ZOTune implements.

Deterministic: re-running produces identical files.
"""
import hashlib
import json
import os
import random
import sys

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from make_golden import FIX, dumps, write_lines, write_variants

CACHE = os.environ.get("ZOTUNE_HOME") or os.path.expanduser("~/.cache/zotune")
MINILM_JSON = os.path.join(CACHE, "models", "all-MiniLM-L6-v2", "tokenizer.json")
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def read_lines(name):
    return [json.loads(line) for line in open(os.path.join(FIX, name), encoding="utf-8")]


SAMPLE_EVERY = 50


def result(tok, text):
    ids = tok.encode(text).ids
    return {"ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False),
            "decoded_skip": tok.decode(ids, skip_special_tokens=True)}


def digest(r):
    joined = ",".join(map(str, r["ids"])) + "\x01" + r["decoded"] + "\x01" + r["decoded_skip"]
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:8]


def write_golden(name, tok, corpus):
    results = [result(tok, text) for text in corpus]
    samples = [dict(line=i, **r) for i, r in enumerate(results) if i % SAMPLE_EVERY == 0]
    path = os.path.join(FIX, f"{name}-golden.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"corpora":["corpus.jsonl","corpus-bert.jsonl"],\n"digests":[\n')
        f.write(",\n".join(dumps(digest(r)) for r in results))
        f.write('],\n"samples":[\n' + ",\n".join(dumps(s) for s in samples) + "]}\n")
    print(f"wrote {path} ({len(results)} digests, {os.path.getsize(path)} bytes)", file=sys.stderr)


def decode_rows(tok, corpus, rng, count):
    n = tok.get_vocab_size(with_added_tokens=True)
    encodings = [e for e in (tok.encode(t).ids for t in corpus) if len(e) >= 3]
    rows = []
    for _ in range(count):
        if rng.random() < 0.5:  # a slice of a real encoding: may start with a "##" piece
            e = rng.choice(encodings)
            a = rng.randint(0, len(e) - 2)
            rows.append(e[a:rng.randint(a + 1, len(e))])
        else:
            rows.append([rng.randrange(n) for _ in range(rng.randint(1, 10))])
    return [{"ids": ids, "text": tok.decode(ids, skip_special_tokens=False)} for ids in rows]


def save(tok, name):
    os.makedirs(os.path.join(FIX, name), exist_ok=True)
    path = os.path.join(FIX, name, "tokenizer.json")
    tok.save(path, pretty=False)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)
    return Tokenizer.from_file(path)  # goldens come from the file as saved


def train_wordpiece(corpus, cased):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                strip_accents=False if cased else None, lowercase=not cased)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    trainer = trainers.WordPieceTrainer(vocab_size=700, special_tokens=BERT_SPECIALS, show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    # The trainer numbers the "##" alphabet in hash-map order, which changes from run to run; WordPiece
    # ids carry no meaning (no merges), so renumber: specials first, then the rest in code-point order.
    trained = tok.get_vocab(with_added_tokens=False)
    ordered = BERT_SPECIALS + sorted(t for t in trained if t not in BERT_SPECIALS)
    tok.model = models.WordPiece({t: i for i, t in enumerate(ordered)}, unk_token="[UNK]", max_input_chars_per_word=100)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    if cased:
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    else:
        tok.post_processor = processors.BertProcessing(("[SEP]", sep), ("[CLS]", cls))
    return tok


def train_byte_level(corpus, roberta):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=roberta, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    specials = ["<s>", "<pad>", "</s>", "<unk>", AddedToken("<mask>", lstrip=True, special=True)] if roberta \
        else ["<|endoftext|>"]
    trainer = trainers.BpeTrainer(vocab_size=500, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    if roberta:
        tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")),
                                                          ("<s>", tok.token_to_id("<s>")),
                                                          trim_offsets=True, add_prefix_space=True)
    return tok


def wordpiece_variants():
    bert = ["normalizer"]
    special = ["[CLS]", "x[SEP]y", "a [MASK] b"]
    accents = ["café", "cafe\u0301", "Ångström", "ÀÉÎÕÜ", "a\u0316\u0301", "İstanbul", "Crème BRÛLÉE", "日本語", "x\x00y\u200bz"]
    words = ["Hello, world!", "don't stop", "a-b_c", "\u00bfQu\u00e9?", "x\u3000y\u00a0z", "1,234.5", "e.g. U.S.A."]
    return [
        ("strip_accents_without_lowercase", [(bert + ["strip_accents"], True), (bert + ["lowercase"], False)], accents),
        ("no_strip_no_lowercase", [(bert + ["lowercase"], False)], accents),
        ("lowercase_keep_accents", [(bert + ["strip_accents"], False)], accents),
        ("no_chinese_split", [(bert + ["handle_chinese_chars"], False)], ["日本語のテキスト", "a中b", "\u4e00\u4e01 x"]),
        ("no_clean_text", [(bert + ["clean_text"], False)], ["a\x00b", "a\tb\nc", "x\u200by\ufffdz", "a\x85b"]),
        ("normalizer_sequence", [(bert, {"type": "Sequence", "normalizers": [
            {"type": "NFD"}, {"type": "Lowercase"}, {"type": "StripAccents"}]})], accents),
        ("normalizer_nfc_lowercase", [(bert, {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]})],
         accents),
        ("no_normalizer", [(bert, None)], accents + words),
        ("whitespace", [(["pre_tokenizer"], {"type": "Whitespace"})], words + accents),
        ("whitespace_split", [(["pre_tokenizer"], {"type": "WhitespaceSplit"})], words + accents),
        ("sequence_pre_tokenizer", [(["pre_tokenizer"], {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"}, {"type": "BertPreTokenizer"}]})], words),
        ("short_max_word", [(["model", "max_input_chars_per_word"], 6)], ["token tokens tokenizer", "abcdef abcdefg", "é" * 7]),
        ("no_post_processor", [(["post_processor"], None)], words + special),
        ("template_post_processor", [(["post_processor"], {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}})], words + special),
        ("decoder_without_cleanup", [(["decoder", "cleanup"], False)], words + ["it 's , ok . do not !", "n't 'm 've 're"]),
    ]


def load_minilm(path):
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


def show(name, line, minilm_path):
    """Prints HF's full result for one corpus line (to read next to a failing digest)."""
    corpus = read_lines("corpus.jsonl") + read_lines("corpus-bert.jsonl")
    path = minilm_path if name == "minilm" else os.path.join(FIX, name, "tokenizer.json")
    tok = load_minilm(path) if name == "minilm" else Tokenizer.from_file(path)
    r = result(tok, corpus[line])
    print(dumps(dict(text=corpus[line], digest=digest(r), **r)))


def variant_case(tok, text):
    ids = tok.encode(text).ids
    return {"text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)}


def main():
    args = sys.argv[1:]
    minilm_path = MINILM_JSON
    if args[:1] == ["--minilm"]:
        minilm_path, args = args[1], args[2:]
    if args[:1] == ["--show"]:
        return show(args[1], int(args[2]), minilm_path)
    corpus = read_lines("corpus.jsonl") + read_lines("corpus-bert.jsonl")
    rng = random.Random(11)
    tokenizers = {
        "tiny-wordpiece": train_wordpiece(corpus, cased=False),
        "tiny-wordpiece-cased": train_wordpiece(corpus, cased=True),
        "tiny-roberta": train_byte_level(corpus, roberta=True),
        "tiny-gpt2": train_byte_level(corpus, roberta=False),
    }
    for name, tok in tokenizers.items():
        tok = save(tok, name)
        write_golden(name, tok, corpus)
        write_lines(f"{name}-decode-golden.jsonl", decode_rows(tok, corpus, rng, 60))

    minilm = load_minilm(minilm_path)
    write_golden("minilm", minilm, corpus)
    write_lines("minilm-decode-golden.jsonl", decode_rows(minilm, corpus, rng, 60))

    base_doc = json.load(open(os.path.join(FIX, "tiny-wordpiece", "tokenizer.json"), encoding="utf-8"))
    sample = rng.sample(corpus, 12)
    write_variants("wordpiece-variants-golden.json", base_doc, wordpiece_variants(), sample, variant_case)

if __name__ == "__main__":
    main()
