#!/usr/bin/env python3
"""Write the SentencePiece-BPE (LLaMA-1/2, TinyLlama, Mistral style) tokenizer fixtures.

A tiny SentencePiece BPE model is trained on the committed corpora with LLaMA's trainer settings
(byte fallback, split digits, whitespace-only pieces, identity normalization, dummy prefix), then
written the two ways such models ship:

  Tests/Fixtures/tokenizer/tiny-spm/tokenizer.model        the SentencePiece model (the source of both files)
  Tests/Fixtures/tokenizer/tiny-spm/tokenizer.json         HF fast tokenizer as transformers 4.x's LlamaConverter
                                                           wrote it for legacy LlamaTokenizerFast (TinyLlama's,
                                                           Llama-2's and Mistral-7B's files): BPE(byte_fallback,
                                                           fuse_unk) with merges from the piece scores, normalizer
                                                           Sequence[Prepend("▁"), Replace(" ", "▁")], no
                                                           pre-tokenizer, decoder Sequence[Replace("▁", " "),
                                                           ByteFallback, Fuse, Strip(" ", 1, 0)], post-processor
                                                           TemplateProcessing("<s> $A"), <unk> <s> </s> special.
  Tests/Fixtures/tokenizer/tiny-spm/tokenizer_config.json  the fields of TinyLlama's file that conversion reads.
  Tests/Fixtures/tokenizer/tiny-spm.gguf                   a GGUF holding only tokenizer metadata, written as
                                                           llama.cpp's convert_hf_to_gguf.py `_set_vocab_sentencepiece`
                                                           does (tokens, scores, token types from the SentencePiece
                                                           model, overridden by tokenizer_config.json's
                                                           added_tokens_decoder; gguf.SpecialVocab for bos/eos/unk ids
                                                           and add_bos/add_eos). It writes no add_space_prefix (so
                                                           llama.cpp's default, true, applies) and no tensors.

Goldens (HF `tokenizers` on tokenizer.json; ids include the BOS the post-processor adds, as the model sees it):
  tiny-spm-golden.json            digests of ids + decode + decode(skip_special) for every line of corpus.jsonl
                                  then corpus-bert.jsonl, and every 50th line in full (same format as the
                                  WordPiece/RoBERTa goldens; `make_wordpiece_and_roberta_fixtures.py` documents it).
  tiny-spm-decode-golden.jsonl    {"ids", "text"}: HF decode of slices of encodings, random ids, every single id.
  tiny-spm-variants-golden.json   variants of tokenizer.json as patches with {"text", "ids", "decoded"} cases:
                                  the non-legacy Metaspace pre-tokenizer (prepend_scheme "first", what
                                  transformers >= 4.41 writes for legacy=False), Metaspace "always" with split and
                                  the Metaspace decoder, no prefix space, no byte fallback, no BOS, BOS + EOS.

Checks before writing: for every corpus line without special-token text, HF ids == [1] + SentencePiece ids
(the converted file reproduces the original model).

Deterministic (SentencePiece trains with one thread): re-running reproduces the committed files.
Needs `sentencepiece` and `protobuf` (in requirements.txt).
"""
import copy
import json
import os
import random
import sys
import tempfile

import gguf
import numpy as np
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2
from tokenizers import AddedToken, Tokenizer, processors
from transformers.convert_slow_tokenizer import LlamaConverter, SentencePieceExtractor
from transformers.tokenization_utils_base import generate_merges

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenizer"))
from make_golden import FIX, dumps, write_lines, write_variants  # noqa: E402
from make_wordpiece_and_roberta_fixtures import decode_rows, read_lines, write_golden  # noqa: E402

NAME = "tiny-spm"
FOLDER = os.path.join(FIX, NAME)
VOCAB_SIZE = 1000
SPECIALS = ["<unk>", "<s>", "</s>"]


def train(corpus, prefix):
    """LLaMA's trainer_spec (model_type BPE, byte_fallback, split_digits, ...) on the corpora, at a tiny size.
    character_coverage 0.98 leaves the rarer characters to byte fallback."""
    text = prefix + ".txt"
    with open(text, "w", encoding="utf-8") as f:
        for line in corpus:
            for part in line.split("\n"):  # SentencePiece reads one sentence per line
                if part.strip():
                    f.write(part + "\n")
    spm.SentencePieceTrainer.train(
        input=text, model_prefix=prefix, model_type="bpe", vocab_size=VOCAB_SIZE, character_coverage=0.98,
        byte_fallback=True, split_digits=True, allow_whitespace_only_pieces=True, remove_extra_whitespaces=False,
        normalization_rule_name="identity", add_dummy_prefix=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        num_threads=1, input_sentence_size=0, shuffle_input_sentence=False, max_sentence_length=16384, minloglevel=2)
    return prefix + ".model"


class _SlowLlamaStandIn:
    """What LlamaConverter reads from a slow LlamaTokenizer (transformers 5 has none): the model file and the
    legacy flags of TinyLlama-era tokenizers."""
    legacy = True
    add_prefix_space = True

    def __init__(self, model_file):
        self.vocab_file = model_file
        self.sp = spm.SentencePieceProcessor(model_file=model_file)

    def convert_ids_to_tokens(self, index):
        return self.sp.id_to_piece(index)


class _ScoreOrderedExtractor(SentencePieceExtractor):
    """transformers 4.x's `SentencePieceExtractor.extract(vocab_scores)`: the vocabulary and the merges ordered
    by the merged piece's score (transformers 5 changed this method's signature and LlamaConverter fails on it)."""
    def extract(self, vocab_scores=None):
        vocab = {piece.piece: i for i, piece in enumerate(self.proto.pieces)}
        return vocab, generate_merges(vocab, vocab_scores)


class LegacyLlamaConverter(LlamaConverter):
    SpmExtractor = _ScoreOrderedExtractor


def convert(model_file):
    tok = LegacyLlamaConverter(_SlowLlamaStandIn(model_file)).converted()
    # LlamaTokenizerFast registers its bos/eos/unk as special, non-normalized added tokens ...
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in SPECIALS])
    # ... and `update_post_processor` writes the template (add_bos_token=True, add_eos_token=False).
    tok.post_processor = processors.TemplateProcessing(
        single="<s>:0 $A:0", pair="<s>:0 $A:0 <s>:1 $B:1", special_tokens=[("<s>", 1)])
    return tok


def write_tokenizer_config(path):
    """The fields of TinyLlama-1.1B-Chat's tokenizer_config.json that gguf conversion reads."""
    config = {
        "add_bos_token": True, "add_eos_token": False,
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": True} for i, t in enumerate(SPECIALS)},
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": None,
        "clean_up_tokenization_spaces": False, "legacy": True, "model_max_length": 2048,
        "tokenizer_class": "LlamaTokenizer",
    }
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")


# llama.cpp gguf-py's SentencePieceTokenTypes (= gguf.TokenType values)
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


def does_token_look_special(token):
    """convert_hf_to_gguf.py `ModelBase.does_token_look_special`."""
    seems_special = token in ("<pad>", "<mask>", "<2mass>", "[@BOS@]")
    seems_special = seems_special or (token.startswith("<|") and token.endswith("|>"))
    seems_special = seems_special or (token.startswith("<｜") and token.endswith("｜>"))
    seems_special = seems_special or (token.startswith("<start_of_") and token.endswith(">"))
    return seems_special


def sentencepiece_vocab(folder):
    """convert_hf_to_gguf.py `_create_vocab_sentencepiece` (no config.json, so vocab_size = the model's)."""
    sp = spm.SentencePieceProcessor(model_file=os.path.join(folder, "tokenizer.model"))
    vocab_size = sp.vocab_size()
    tokens = [f"[PAD{i}]".encode("utf-8") for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    toktypes = [UNUSED] * vocab_size
    for token_id in range(sp.vocab_size()):
        toktype = NORMAL
        if sp.IsUnknown(token_id):
            toktype = UNKNOWN
        elif sp.IsControl(token_id):
            toktype = CONTROL
        elif sp.IsUnused(token_id):
            toktype = UNUSED
        elif sp.IsByte(token_id):
            toktype = BYTE
        tokens[token_id] = sp.IdToPiece(token_id).encode("utf-8")
        scores[token_id] = sp.GetScore(token_id)
        toktypes[token_id] = toktype
    with open(os.path.join(folder, "tokenizer_config.json"), encoding="utf-8") as f:
        added_tokens_decoder = json.load(f).get("added_tokens_decoder", {})
    for token_id, token_data in added_tokens_decoder.items():
        token_id, token = int(token_id), token_data["content"]
        if token_data.get("special") or does_token_look_special(token):
            toktypes[token_id] = CONTROL
        else:
            token = token.replace("\u2581", " ")
            toktypes[token_id] = USER_DEFINED
        scores[token_id] = -1000.0
        tokens[token_id] = token.encode("utf-8")
    return tokens, scores, toktypes


def write_gguf(folder, path):
    tokens, scores, toktypes = sentencepiece_vocab(folder)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny-spm tokenizer")
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(toktypes)
    special_vocab = gguf.SpecialVocab(folder, n_vocab=len(tokens))
    special_vocab.add_to_gguf(writer, quiet=True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {path} ({os.path.getsize(path)} bytes; {special_vocab})", file=sys.stderr)
    return toktypes


def check_against_sentencepiece(tok, model_file, corpus):
    sp = spm.SentencePieceProcessor(model_file=model_file)
    checked = 0
    for text in corpus:
        if any(s in text for s in SPECIALS):
            continue  # SentencePiece itself does not cut out special-token text
        want = [1] + sp.encode(text)
        got = tok.encode(text).ids
        assert got == want, f"HF {got} != SentencePiece {want} for {text!r}"
        checked += 1
    print(f"HF tokenizer.json == SentencePiece on {checked} lines", file=sys.stderr)


METASPACE_DECODER = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
EDGE_TEXTS = [
    "", " ", "  ", "hi", " hi", "  hi", "hi ", "hi  there", "\thi", "\nhi", "a\nb", "▁", "▁hi", " ▁ ",
    "<s>", "<s>hi", "<s> hi", "hi<s>", "hi</s>there", "hi</s> there", "</s></s>", "<s><s>x", "<unk>", "x<unk>y",
    "<s", "s>", "</", "日本語", " ☃ snow", "🎉🎉 party", "é", "e\u0301", "Ω≈ç√", "\x00\x01", "\u200b", "ÿ",
    "12345 + 67", "don't stop", "Hello, world!", "ab  cd   ef",
]


def variants():
    return [
        ("metaspace_first", [(["normalizer"], None), (["pre_tokenizer"], {
            "type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False})]),
        ("metaspace_always_split", [(["normalizer"], None), (["pre_tokenizer"], {
            "type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}),
            (["decoder"], METASPACE_DECODER)]),
        ("metaspace_never", [(["normalizer"], None), (["pre_tokenizer"], {
            "type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": False}),
            (["decoder"], dict(METASPACE_DECODER, prepend_scheme="never"))]),
        ("no_prefix_space", [(["normalizer"], {"type": "Sequence", "normalizers": [
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}),
            (["decoder", "decoders"], [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                       {"type": "ByteFallback"}, {"type": "Fuse"}])]),
        ("no_byte_fallback", [(["model", "byte_fallback"], False)]),
        ("no_byte_fallback_no_fuse", [(["model", "byte_fallback"], False), (["model", "fuse_unk"], False)]),
        ("no_bos", [(["post_processor"], None)]),
        ("bos_eos", [(["post_processor"], {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]},
                               "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}})]),
        ("strip_two_both_sides", [(["decoder", "decoders", 3], {"type": "Strip", "content": " ", "start": 2, "stop": 2})]),
    ]


def variant_case(tok, text):
    ids = tok.encode(text).ids
    return {"text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)}


def main():
    corpus = read_lines("corpus.jsonl") + read_lines("corpus-bert.jsonl")
    os.makedirs(FOLDER, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        trained = train(corpus, os.path.join(tmp, "spm"))
        proto = sentencepiece_model_pb2.ModelProto()
        with open(trained, "rb") as f:
            proto.ParseFromString(f.read())
    # The trainer records its (temporary) paths; fixed names keep the file reproducible.
    proto.trainer_spec.input[:] = ["corpus.jsonl+corpus-bert.jsonl"]
    proto.trainer_spec.model_prefix = "tokenizer"
    with open(os.path.join(FOLDER, "tokenizer.model"), "wb") as f:
        f.write(proto.SerializeToString(deterministic=True))
    model_file = os.path.join(FOLDER, "tokenizer.model")
    json_path = os.path.join(FOLDER, "tokenizer.json")
    convert(model_file).save(json_path, pretty=False)
    print(f"wrote {json_path} ({os.path.getsize(json_path)} bytes)", file=sys.stderr)
    write_tokenizer_config(os.path.join(FOLDER, "tokenizer_config.json"))
    tok = Tokenizer.from_file(json_path)  # goldens come from the file as saved
    check_against_sentencepiece(tok, model_file, corpus)

    toktypes = write_gguf(FOLDER, os.path.join(FIX, f"{NAME}.gguf"))
    assert toktypes[:3] == [CONTROL, CONTROL, CONTROL] and toktypes[3:259] == [BYTE] * 256

    write_golden(NAME, tok, corpus)
    rng = random.Random(5)
    rows = decode_rows(tok, corpus, rng, 150)
    rows += [{"ids": [i], "text": tok.decode([i], skip_special_tokens=False)} for i in range(tok.get_vocab_size())]
    write_lines(f"{NAME}-decode-golden.jsonl", rows)

    base = json.load(open(json_path, encoding="utf-8"))
    sample = rng.sample(corpus, 12)
    write_variants(f"{NAME}-variants-golden.json", base,
                   [(name, patches, EDGE_TEXTS) for name, patches in variants()] + [("base", [], EDGE_TEXTS)],
                   sample, variant_case)


if __name__ == "__main__":
    main()
