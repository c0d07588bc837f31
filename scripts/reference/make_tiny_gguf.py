#!/usr/bin/env python3
"""Writes GGUF fixtures from the tiny HF fixtures, laid out as llama.cpp's convert_hf_to_gguf.py
writes each architecture, with the reference `gguf` writer, plus golden outputs for them.

Tests/Fixtures/formats/tiny-llama3-rope.gguf (`llama`, from tiny-llama3-rope/): q/k rows permuted
as the converter's LlamaModel does, untied output.weight, and the converter's rope_freqs.weight
for Llama 3.1's rope scaling (its golden logits are tiny-llama-golden.safetensors' logits_llama3).

Tests/Fixtures/formats/tiny-qwen2.gguf (`qwen2`, from tiny-qwen2/): llama.cpp tensor names
(blk.N.attn_q.weight, attn_q.bias, ...; q/k rows NOT permuted, unlike `llama`), `qwen2.*`
hyper-parameters, no output.weight (tied head), F32 tensors, the byte-level BPE vocabulary and
merges under tokenizer.ggml.* (pre-tokenizer "qwen2").

Tests/Fixtures/formats/tiny-gpt2.gguf (`gpt2`, from tiny-gpt2/), as the converter's GPT2Model:
- names from gguf's own TensorNameMap (token_embd, position_embd, blk.N.attn_norm, attn_qkv,
  attn_output, ffn_norm, ffn_up, ffn_down, output_norm); the Conv1D weights (c_attn, c_proj, c_fc)
  transposed to outputs x inputs; attn.bias / attn.masked_bias dropped;
- output.weight written as a copy of token_embd.weight (the converter's "GPT2 output is tied to
  wte" copy; newer converters omit it and llama.cpp then reads token_embd);
- gpt2.context_length (n_ctx; the fixture's config only has n_positions, equal in real GPT-2),
  embedding_length, feed_forward_length = 4 * n_embd, block_count, attention.head_count,
  attention.layer_norm_epsilon, general.file_type = ALL_F32;
- tokenizer as the converter's get_vocab_base + SpecialVocab(load_merges=True): tokens from
  transformers' AutoTokenizer (special added tokens CONTROL), pre "gpt-2", merges, bos/eos/unk ids;
- every tensor F32 except blk.1.ffn_down.weight, re-encoded Q8_0 (gguf.quants.quantize), as a
  quantized file holds it, so the loader's dequantize-then-transpose path is exercised.

Tests/Fixtures/formats/tiny-bert.gguf (`bert`, from tiny-bert/ wrapped as a sentence-transformers
model whose modules.json names a mean Pooling module), as the converter's BertModel:
- names from TensorNameMap (token_embd, token_types, position_embd, token_embd_norm, blk.N.attn_q/
  k/v, attn_output, attn_output_norm, ffn_up, ffn_down, layer_output_norm); pooler and
  embeddings.position_ids dropped; all F32;
- bert.context_length, embedding_length, feed_forward_length, block_count, attention.head_count,
  attention.layer_norm_epsilon, attention.causal = false, bert.pooling_type = 1 (MEAN, from the
  Pooling module's pooling_mode_mean_tokens), tokenizer.ggml.token_type_count;
- tokenizer.ggml.model "bert" with the phantom-space vocabulary: CONTROL tokens kept, "##x" -> "x",
  any other token t -> "\u2581" + t; pre "default" (the converter names it by hashing the
  tokenizer's output, which only knows released models; llama.cpp's WordPiece tokenizer ignores
  it); special ids from SpecialVocab.

Tests/Fixtures/formats/tiny-wordpiece-cased-vocab.gguf: a vocabulary-only `bert` file (like
llama.cpp's models/ggml-vocab-*.gguf) from the cased tokenizer fixture tokenizer/tiny-wordpiece-cased.

SpecialVocab reads tokenizer_config.json, which the tiny folders lack; the script converts a copy
of each folder with the tokenizer_config.json transformers' save_pretrained writes, as real model
folders carry it.

Tests/Fixtures/tiny-gguf-golden.safetensors:
  gpt2.input_ids  I64 [4, 11] random ids (seed 3, lengths 11, 1, 4, 7), padded with -1
  gpt2.lengths    I64 [4]
  gpt2.logits     F32 [23, 500] every position of every sequence, back to back, each run alone, from
                  transformers' GPT2LMHeadModel loaded FROM tiny-gpt2.gguf (gguf_file=...), i.e. with
                  transformers' own Q8_0 dequantization and transposition back to Conv1D layout
  gpt2.h1_mlp_c_proj  F32 [192, 48] that model's transformer.h.1.mlp.c_proj.weight (the Q8_0 tensor)
  bert.input_ids  I64 [4, 17] random ids (seed 4, lengths 17, 1, 3, 9) framed [CLS] ... [SEP] when
                  the length allows, padded with -1;  bert.lengths I64 [4]
  bert.mean_pooled  F32 [4, 48] sentence-transformers mean pooling of tiny-bert's BertModel
                  last_hidden_state: sum(h * mask) / sum(mask) over a right-padded batch
Each value is checked against a second computation (batched with an attention mask, or run alone).

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_tiny_gguf.py
"""
import json
import math
import os
import shutil
import tempfile

import gguf
import numpy as np
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
FORMATS = os.path.join(FIXTURES, "formats")
GOLDEN = os.path.join(FIXTURES, "tiny-gguf-golden.safetensors")
LAYER = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}
GPT2_QUANTIZED = "blk.1.ffn_down.weight"


def finish(writer, out):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


# ---------------------------------------------------------------------------------------- qwen2

def qwen2_gguf_name(name):
    if name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if name == "model.norm.weight":
        return "output_norm.weight"
    if name == "lm_head.weight":
        return "output.weight"
    parts = name.split(".", 3)  # model, layers, N, rest
    return f"blk.{parts[2]}.{LAYER[parts[3]]}"


def permuted(weights, heads):
    """convert_hf_to_gguf.py's LlamaModel.permute: q/k rows reordered for llama.cpp's interleaved RoPE."""
    return (weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def llama3_rope_factors(config):
    """convert_hf_to_gguf.py's rope_freqs for `"rope_type": "llama3"` (LlamaModel.generate_extra_tensors)."""
    rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
    if rope.get("rope_type") != "llama3":
        return None
    dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
    theta = rope.get("rope_theta", config.get("rope_theta", 10000.0))  # transformers 5 / hub files
    freqs = 1.0 / (theta ** (np.arange(0, dim, 2, dtype=np.float32) / dim))
    factor, low, high = rope["factor"], rope["low_freq_factor"], rope["high_freq_factor"]
    old_context_len = rope["original_max_position_embeddings"]
    factors = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < old_context_len / high:
            factors.append(1)
        elif wavelen > old_context_len / low:
            factors.append(factor)
        else:
            smooth = (old_context_len / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def add_plain_vocabulary(writer, tokenizer, pre):
    """Tokens by id (added tokens in place, gaps "[PAD<i>]") and merges; no token types."""
    vocab = tokenizer["model"]["vocab"]
    tokens = [None] * (max(vocab.values()) + 1)
    for token, index in vocab.items():
        tokens[index] = token
    for added in tokenizer.get("added_tokens", []):
        if added["id"] >= len(tokens):
            tokens += [None] * (added["id"] + 1 - len(tokens))
        tokens[added["id"]] = added["content"]
    tokens = [t if t is not None else f"[PAD{i}]" for i, t in enumerate(tokens)]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_merges(merges)


def add_converter_vocabulary(writer, source, pre, vocab_size):
    """The converter's vocabulary: get_vocab_base (token types) + SpecialVocab (merges, special ids)."""
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(source)
    tokens, types = vocab_base(tokenizer, vocab_size)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    folder = saved_copy(source, tokenizer)
    gguf.SpecialVocab(folder, load_merges=True).add_to_gguf(writer)
    shutil.rmtree(folder)


def add_llama_hyperparameters(writer, config):
    """The converter's `<arch>.*` keys of a LLaMA-layout config (llama, qwen2), from config.json as
    transformers 5 writes it (rope_parameters) or as hub files have it (top-level rope_theta)."""
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_rope_freq_base(config.get("rope_parameters", {}).get("rope_theta", config.get("rope_theta", 10000.0)))


def converter_layout(name, values, config, architecture):
    """A tensor as the converter stores it: `llama` permutes q/k rows for llama.cpp's RoPE."""
    if architecture == "llama" and name.endswith("self_attn.q_proj.weight"):
        return permuted(values, config["num_attention_heads"])
    if architecture == "llama" and name.endswith("self_attn.k_proj.weight"):
        return permuted(values, config["num_key_value_heads"])
    return values


def write_decoder(folder, architecture, pre, token_types=False):
    """A LLaMA-layout HF folder as the converter writes it: `qwen2` keeps q/k rows in HF order,
    `llama` permutes them; a llama3 rope scaling becomes the `rope_freqs.weight` tensor. With
    `token_types` the vocabulary is the converter's, so special tokens written in a text are
    recognised as transformers recognises them; without, tokens and merges only (tiny-qwen2.gguf,
    kept byte for byte as first written)."""
    source = os.path.join(FIXTURES, folder)
    out = os.path.join(FORMATS, f"{folder}.gguf")
    config = json.load(open(os.path.join(source, "config.json")))
    tensors = load_file(os.path.join(source, "model.safetensors"))
    writer = gguf.GGUFWriter(out, architecture)
    writer.add_name(folder)
    add_llama_hyperparameters(writer, config)
    if token_types:
        add_converter_vocabulary(writer, source, pre, config["vocab_size"])
    else:
        add_plain_vocabulary(writer, json.load(open(os.path.join(source, "tokenizer.json"))), pre)
    writer.add_vocab_size(config["vocab_size"])
    factors = llama3_rope_factors(config)
    if factors is not None:
        writer.add_tensor("rope_freqs.weight", factors)
    for name in sorted(tensors):
        if name == "lm_head.weight" and config.get("tie_word_embeddings", True):
            continue
        values = converter_layout(name, tensors[name].astype(np.float32), config, architecture)
        writer.add_tensor(qwen2_gguf_name(name), values)
    finish(writer, out)


def write_qwen2():
    write_decoder("tiny-qwen2", "qwen2", "qwen2")


def write_llama3_rope():
    """tiny-llama3-rope as a Llama 3.1-style GGUF: `llama`, permuted q/k, rope_freqs.weight."""
    write_decoder("tiny-llama3-rope", "llama", "llama-bpe", token_types=True)


# ------------------------------------------------------------------------- converter conventions

def vocab_base(tokenizer, vocab_size):
    """The converter's get_vocab_base: tokens by id (missing ids "[PAD<i>]", UNUSED), added tokens
    CONTROL when special (a non-normalized one spelled as it decodes), else USER_DEFINED, the rest
    NORMAL."""
    reverse = {i: t for t, i in tokenizer.vocab.items()}
    added = tokenizer.get_added_vocab()
    decoder = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in reverse:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
            continue
        token = reverse[i]
        if token in added:
            if not decoder[i].normalized:
                token = tokenizer.decode(tokenizer.encode(token, add_special_tokens=False))
            if decoder[i].special:
                types.append(gguf.TokenType.CONTROL)
            else:
                token = token.replace("\u2581", " ")
                types.append(gguf.TokenType.USER_DEFINED)
        else:
            types.append(gguf.TokenType.NORMAL)
        tokens.append(token)
    return tokens, types


def phantom_space(tokens, types):
    """The BertModel converter's WordPiece -> phantom-space vocabulary."""
    def convert(token, kind):
        if kind == gguf.TokenType.CONTROL:
            return token
        if token.startswith("##"):
            return token[2:]
        return "\u2581" + token
    return [convert(t, k) for t, k in zip(tokens, types)]


def saved_copy(source, tokenizer, extra_files=None):
    """A temporary copy of `source` with the tokenizer_config.json transformers' save_pretrained
    writes (what SpecialVocab reads), plus `extra_files` {relative path: JSON value}."""
    folder = tempfile.mkdtemp()
    for name in os.listdir(source):
        shutil.copy(os.path.join(source, name), folder)
    tokenizer.save_pretrained(folder)
    shutil.copy(os.path.join(source, "tokenizer.json"), folder)  # keep the fixture's own file
    for relative, value in (extra_files or {}).items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        json.dump(value, open(path, "w"))
    return folder


def pooling_type(folder):
    """The converter's _try_set_pooling_type: the sentence-transformers Pooling module named in
    modules.json, mean before cls before last token."""
    modules_path = os.path.join(folder, "modules.json")
    if not os.path.isfile(modules_path):
        return None
    for module in json.load(open(modules_path)):
        if module["type"] == "sentence_transformers.models.Pooling":
            pooling = json.load(open(os.path.join(folder, module["path"], "config.json")))
            if pooling["pooling_mode_mean_tokens"]:
                return gguf.PoolingType.MEAN
            if pooling["pooling_mode_cls_token"]:
                return gguf.PoolingType.CLS
            if pooling["pooling_mode_lasttoken"]:
                return gguf.PoolingType.LAST
            raise NotImplementedError("only MEAN, CLS and LAST pooling")
    return None


# ----------------------------------------------------------------------------------------- gpt2

def write_gpt2():
    source = os.path.join(FIXTURES, "tiny-gpt2")
    out = os.path.join(FORMATS, "tiny-gpt2.gguf")
    config = json.load(open(os.path.join(source, "config.json")))
    tensors = load_file(os.path.join(source, "model.safetensors"))
    writer = gguf.GGUFWriter(out, "gpt2")
    writer.add_name("tiny-gpt2")
    writer.add_block_count(config["n_layer"])
    writer.add_context_length(config.get("n_ctx", config["n_positions"]))
    writer.add_embedding_length(config["n_embd"])
    writer.add_feed_forward_length(4 * config["n_embd"])
    writer.add_head_count(config["n_head"])
    writer.add_layer_norm_eps(config["layer_norm_epsilon"])
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    add_converter_vocabulary(writer, source, "gpt-2", config["vocab_size"])

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GPT2, config["n_layer"])
    for name in sorted(tensors):
        if name.endswith((".attn.bias", ".attn.masked_bias")):
            continue
        data = tensors[name].astype(np.float32)
        if name.endswith((".c_attn.weight", ".c_proj.weight", ".c_fc.weight")):
            data = np.ascontiguousarray(data.T)
        new_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert new_name is not None, name
        if new_name == GPT2_QUANTIZED:
            writer.add_tensor(new_name, gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0),
                              raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(new_name, data)
        if new_name == "token_embd.weight":
            writer.add_tensor("output.weight", data)
    finish(writer, out)


# ----------------------------------------------------------------------------------------- bert

def add_bert_vocab(writer, tokenizer, vocab_size, folder):
    tokens, types = vocab_base(tokenizer, vocab_size)
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(phantom_space(tokens, types))
    writer.add_token_types(types)
    gguf.SpecialVocab(folder, n_vocab=len(tokens)).add_to_gguf(writer)


def write_bert():
    from transformers import AutoTokenizer
    source = os.path.join(FIXTURES, "tiny-bert")
    out = os.path.join(FORMATS, "tiny-bert.gguf")
    config = json.load(open(os.path.join(source, "config.json")))
    tensors = load_file(os.path.join(source, "model.safetensors"))
    tokenizer = AutoTokenizer.from_pretrained(source)
    folder = saved_copy(source, tokenizer, {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": config["hidden_size"], "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True,
        },
    })
    writer = gguf.GGUFWriter(out, "bert")
    writer.add_name("tiny-bert")
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config["layer_norm_eps"])
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_causal_attention(False)
    writer.add_pooling_type(pooling_type(folder))
    writer.add_token_type_count(config.get("type_vocab_size", 1))
    add_bert_vocab(writer, tokenizer, config["vocab_size"], folder)
    shutil.rmtree(folder)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, config["num_hidden_layers"])
    for name in sorted(tensors):
        if name in ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"):
            continue
        new_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert new_name is not None, name
        writer.add_tensor(new_name, tensors[name].astype(np.float32))
    finish(writer, out)


def write_cased_vocabulary():
    from transformers import BertTokenizerFast
    source = os.path.join(FIXTURES, "tokenizer", "tiny-wordpiece-cased")
    out = os.path.join(FORMATS, "tiny-wordpiece-cased-vocab.gguf")
    tokenizer = BertTokenizerFast(tokenizer_file=os.path.join(source, "tokenizer.json"), do_lower_case=False)
    folder = saved_copy(source, tokenizer)
    writer = gguf.GGUFWriter(out, "bert")
    writer.add_name("tiny-wordpiece-cased")
    add_bert_vocab(writer, tokenizer, len(tokenizer.vocab), folder)
    shutil.rmtree(folder)
    finish(writer, out)


# --------------------------------------------------------------------------------------- golden

def padded(sequences):
    width = max(len(s) for s in sequences)
    return np.array([s + [-1] * (width - len(s)) for s in sequences], dtype=np.int64)


def gpt2_golden():
    import torch
    from transformers import GPT2LMHeadModel
    path = os.path.join(FORMATS, "tiny-gpt2.gguf")
    field = gguf.GGUFReader(path).get_field("gpt2.context_length")
    # transformers maps gpt2.context_length to the obsolete n_ctx and keeps n_positions at 1024.
    model = GPT2LMHeadModel.from_pretrained(
        FORMATS, gguf_file="tiny-gpt2.gguf", dtype=torch.float32, n_positions=int(field.contents())).eval()
    reference = load_file(os.path.join(FIXTURES, "tiny-gpt2", "model.safetensors"))
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    quantized = "transformer.h.1.mlp.c_proj.weight"
    for name, value in reference.items():
        if name.endswith((".attn.bias", ".attn.masked_bias")):
            continue
        if name == quantized:
            # Q8_0: within half a step (block max / 127) plus the f16 rounding of the step, times 127.
            step = np.abs(value.T.reshape(-1, 32)).max(axis=1) / 127
            error = np.abs(state[name].T - value.T).reshape(-1, 32)
            assert np.all(error <= step[:, None] * (0.5 + 127 / 2048)) and error.max() > 0
        else:
            assert np.array_equal(state[name], value), name
    rng = np.random.default_rng(3)
    sequences = [rng.integers(0, 500, length).tolist() for length in (11, 1, 4, 7)]
    rows = []
    with torch.no_grad():
        for s in sequences:
            rows.append(model(torch.tensor([s])).logits[0].numpy())
        ids = torch.tensor([s + [0] * (11 - len(s)) for s in sequences])
        mask = torch.tensor([[1] * len(s) + [0] * (11 - len(s)) for s in sequences])
        batched = model(ids, attention_mask=mask).logits.numpy()
    for i, s in enumerate(sequences):
        assert np.abs(batched[i, :len(s)] - rows[i]).max() < 1e-5
    return {
        "gpt2.input_ids": padded(sequences), "gpt2.lengths": np.array([len(s) for s in sequences], dtype=np.int64),
        "gpt2.logits": np.concatenate(rows).astype(np.float32),
        "gpt2.h1_mlp_c_proj": np.ascontiguousarray(state[quantized]).astype(np.float32),
    }


def bert_golden():
    import torch
    from transformers import BertModel
    model = BertModel.from_pretrained(os.path.join(FIXTURES, "tiny-bert"), dtype=torch.float32).eval()
    rng = np.random.default_rng(4)
    sequences = []
    for length in (17, 1, 3, 9):
        ids = rng.integers(5, 700, length).tolist()
        if length >= 2:
            ids[0], ids[-1] = 2, 3
        sequences.append(ids)
    width = max(len(s) for s in sequences)
    ids = torch.tensor([s + [0] * (width - len(s)) for s in sequences])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in sequences])
    with torch.no_grad():
        hidden = model(ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        for i, s in enumerate(sequences):
            alone = model(torch.tensor([s])).last_hidden_state[0].mean(0)
            assert (alone - pooled[i]).abs().max() < 1e-5
    return {
        "bert.input_ids": padded(sequences), "bert.lengths": np.array([len(s) for s in sequences], dtype=np.int64),
        "bert.mean_pooled": pooled.numpy().astype(np.float32),
    }


def main():
    from safetensors.numpy import save_file
    write_qwen2()
    write_llama3_rope()
    write_gpt2()
    write_bert()
    write_cased_vocabulary()
    golden = {**gpt2_golden(), **bert_golden()}
    save_file(golden, GOLDEN, metadata={"generator": "scripts/reference/make_tiny_gguf.py"})
    print(f"wrote {GOLDEN} ({os.path.getsize(GOLDEN)} bytes)")


if __name__ == "__main__":
    main()
