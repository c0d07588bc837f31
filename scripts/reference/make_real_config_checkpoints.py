#!/usr/bin/env python3
"""Random-weight checkpoints with the REAL hub configurations, saved as users get them, to run
compare_checkpoint.py on when the real weights cannot be downloaded (nothing here goes in git).

    make_real_config_checkpoints.py [--out /tmp/zotune-real-configs] [--only NAME ...] [--layers N]

Every folder's config.json is the hub file's content (`torch_dtype`, Qwen2's top-level `rope_theta`,
GPT-2's `n_ctx`, ...; transformers 5 would write `dtype` and `rope_parameters` instead), and the
weights are stored in the hub's dtype (OPT fp16, Qwen2 bf16, the others fp32). Weights are random but
drawn to look trained at the output: torch seed 0, linear weights N(0, (1.5 / sqrt(fan_in))^2),
embedding tables N(0, (3 / sqrt(hidden))^2), norm weights 1 + 0.1 N(0, 1), every bias 0.1 N(0, 1), so
logits are O(10) (transformers' own init, N(0, 0.02^2) with unit norms and zero biases, gives
near-uniform attention and logits of size ~0.01, which a 1e-3 tolerance could not tell from wrong).
--layers N keeps only N layers (everything else as on the hub), to save time.

Tokenizers: no OPT / GPT-2 / RoBERTa / Qwen2 tokenizer exists on this machine, so the byte-level ones
reuse SmolLM2-135M's real vocabulary and merges (49,135 tokens without its 17 special ones; from
~/.cache/zotune/reference/smollm2-tokenizer.json, or the SmolLM2 GGUF), laid out as each family's
tokenizer: GPT-2's `<|endoftext|>` after the vocabulary; OPT's and RoBERTa's `<s> <pad> </s> <unk>`
first (RoBERTa's `<mask>` last), built by transformers' own tokenizer classes (Qwen2Tokenizer brings
Qwen2's NFC normalizer and split regex; `<|endoftext|> <|im_start|> <|im_end|>` added after the
vocabulary). BERT uses all-MiniLM-L6-v2's vocab.txt, which is bert-base-uncased's (30,522 ids). The
models' vocab_size stays the hub's (larger than the tokenizer: the extra rows are never looked up).
Folders get transformers 5's tokenizer save (tokenizer.json + tokenizer_config.json) plus the slow files
the hub folders carry too (vocab.json + merges.txt, or vocab.txt), except opt-125m (below).

Folders (under --out):
  opt-125m/            OPTForCausalLM, fp16 pytorch_model.bin, ONLY slow tokenizer files: vocab.json,
                       merges.txt, and facebook/opt-125m's tokenizer_config.json / special_tokens_map.json
                       (</s> as BOS, prepended; from make_slow_tokenizer_fixtures.py) - the hub layout
  opt-350m/            post-LN, project_in / project_out (word_embed_proj_dim 512), fp16 model.safetensors,
                       the tokenizer as transformers re-saves opt-125m's slow files (with tokenizer.json)
  gpt2/                GPT2LMHeadModel fp32 model.safetensors
  gpt2-bin/            the same weights as pytorch_model.bin
  qwen2-0.5b/          Qwen2ForCausalLM bf16 model.safetensors, tied, rope_theta 1e6, use_sliding_window
                       false with sliding_window and max_window_layers set, max_position_embeddings 131072
  bert-base-uncased/   BertForMaskedLM fp32 model.safetensors (keys bert.* + cls.predictions.*)
  bert-base-uncased-tf-names/
                       the same weights as bert-base-uncased's hub pytorch_model.bin names them: the
                       BertForPreTraining state dict (pooler, cls.seq_relationship, the tied decoder
                       copy) with every LayerNorm weight/bias renamed gamma/beta
  roberta-base/        RobertaForMaskedLM fp32 model.safetensors
  llama-3.2-1b/        LlamaForCausalLM bf16 model.safetensors, tied, GQA 32/8 heads, llama3 rope scaling
                       (factor 32, original context 8192), vocab 128256; a Llama 3 tokenizer.json layout
                       (the Llama 3 split regex, <|begin_of_text|> prepended) over SmolLM2's vocabulary
  qwen2-0.5b-q4_k_m.gguf, gpt2-q4_k_m.gguf, llama-3.2-1b-q4_k_m.gguf
                       GGUF files of qwen2-0.5b/, gpt2/ and llama-3.2-1b/ laid out as llama.cpp's convert_hf_to_gguf.py
                       (make_tiny_gguf.py's conventions: TensorNameMap names, get_vocab_base + SpecialVocab
                       tokenizer metadata, pre-tokenizer qwen2 / gpt-2) with tensor types chosen as
                       llama-quantize's Q4_K_M does (see q4_k_m_type): Q4_K for most matrices, Q6_K for
                       the output and some attn_v / ffn_down, and where a row is not a multiple of 256
                       (Qwen2-0.5B's 896) the fallbacks Q5_0 (for Q4_K) and Q8_0 (for Q6_K); norms, biases
                       and GPT-2's position table F32. gguf 0.19 cannot quantize k-quants, so
                       `quantize_q4_k` / `quantize_q6_k` below encode them (plain min/max scales, not
                       llama.cpp's search: any valid encoding does, since both sides dequantize the same
                       bytes); each tensor is checked against gguf.quants.dequantize.
pytorch_model.bin files are what transformers 4.x's save_pretrained(safe_serialization=False) wrote:
torch.save(model.state_dict()) (tied tensors on one storage); transformers 5 writes safetensors only.

Run with the reference venv (~1.3 B random parameters in all; ~6 GB on disk; a few minutes on 2 cores):
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_real_config_checkpoints.py
then, for each folder or file F:
  ~/.cache/zotune/reference-venv/bin/python scripts/reference/compare_checkpoint.py F
"""
import argparse
import collections
import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_slow_tokenizer_fixtures import FIXTURES as SLOW_FIXTURES  # noqa: E402
from make_tiny_gguf import add_llama_hyperparameters, converter_layout, llama3_rope_factors, vocab_base  # noqa: E402

CACHE = os.environ.get("ZOTUNE_HOME") or os.path.expanduser("~/.cache/zotune")
SMOLLM2_TOKENIZER = os.path.join(CACHE, "reference", "smollm2-tokenizer.json")
SMOLLM2_GGUF = os.path.join(CACHE, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
MINILM = os.path.join(CACHE, "models", "all-MiniLM-L6-v2")

# The hub config.json values (transformers fills in the rest with its defaults, as it does on load).
HUB_CONFIGS = {
    "facebook/opt-125m": dict(
        model_type="opt", architectures=["OPTForCausalLM"], activation_function="relu", do_layer_norm_before=True,
        hidden_size=768, ffn_dim=3072, num_hidden_layers=12, num_attention_heads=12, word_embed_proj_dim=768,
        max_position_embeddings=2048, vocab_size=50272, pad_token_id=1, bos_token_id=2, eos_token_id=2,
        dropout=0.1, attention_dropout=0.0, activation_dropout=0.0, layerdrop=0.0, init_std=0.02,
        enable_bias=True, layer_norm_elementwise_affine=True, prefix="</s>", use_cache=True, torch_dtype="float16"),
    "facebook/opt-350m": dict(
        model_type="opt", architectures=["OPTForCausalLM"], activation_function="relu", do_layer_norm_before=False,
        hidden_size=1024, ffn_dim=4096, num_hidden_layers=24, num_attention_heads=16, word_embed_proj_dim=512,
        max_position_embeddings=2048, vocab_size=50272, pad_token_id=1, bos_token_id=2, eos_token_id=2,
        dropout=0.1, attention_dropout=0.0, activation_dropout=0.0, layerdrop=0.0, init_std=0.02,
        prefix="</s>", use_cache=True, torch_dtype="float16"),
    "openai-community/gpt2": dict(
        model_type="gpt2", architectures=["GPT2LMHeadModel"], activation_function="gelu_new", n_ctx=1024,
        n_positions=1024, n_embd=768, n_head=12, n_layer=12, vocab_size=50257, layer_norm_epsilon=1e-5,
        bos_token_id=50256, eos_token_id=50256, attn_pdrop=0.1, embd_pdrop=0.1, resid_pdrop=0.1,
        initializer_range=0.02, summary_activation=None, summary_first_dropout=0.1, summary_proj_to_labels=True,
        summary_type="cls_index", summary_use_proj=True,
        task_specific_params={"text-generation": {"do_sample": True, "max_length": 50}}),
    "Qwen/Qwen2-0.5B": dict(
        model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_act="silu", hidden_size=896,
        intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
        max_position_embeddings=131072, max_window_layers=24, rms_norm_eps=1e-6, rope_theta=1000000.0,
        sliding_window=131072, use_sliding_window=False, tie_word_embeddings=True, vocab_size=151936,
        bos_token_id=151643, eos_token_id=151643, attention_dropout=0.0, initializer_range=0.02, use_cache=True,
        torch_dtype="bfloat16"),
    "meta-llama/Llama-3.2-1B": dict(
        model_type="llama", architectures=["LlamaForCausalLM"], hidden_act="silu", hidden_size=2048,
        intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8, head_dim=64,
        max_position_embeddings=131072, rms_norm_eps=1e-5, rope_theta=500000.0,
        rope_scaling=dict(factor=32.0, high_freq_factor=4.0, low_freq_factor=1.0,
                          original_max_position_embeddings=8192, rope_type="llama3"),
        tie_word_embeddings=True, vocab_size=128256, bos_token_id=128000, eos_token_id=128001,
        attention_bias=False, attention_dropout=0.0, mlp_bias=False, pretraining_tp=1, initializer_range=0.02,
        use_cache=True, torch_dtype="bfloat16"),
    "google-bert/bert-base-uncased": dict(
        model_type="bert", architectures=["BertForMaskedLM"], hidden_act="gelu", hidden_size=768,
        intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, max_position_embeddings=512,
        type_vocab_size=2, vocab_size=30522, layer_norm_eps=1e-12, pad_token_id=0,
        position_embedding_type="absolute", attention_probs_dropout_prob=0.1, hidden_dropout_prob=0.1,
        initializer_range=0.02, gradient_checkpointing=False, use_cache=True),
    "FacebookAI/roberta-base": dict(
        model_type="roberta", architectures=["RobertaForMaskedLM"], hidden_act="gelu", hidden_size=768,
        intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, max_position_embeddings=514,
        type_vocab_size=1, vocab_size=50265, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        attention_probs_dropout_prob=0.1, hidden_dropout_prob=0.1, initializer_range=0.02),
}
LAYER_KEYS = ("num_hidden_layers", "n_layer")


# ------------------------------------------------------------------------------------------ weights

def hub_config(name, layers):
    from transformers import AutoConfig
    values = dict(HUB_CONFIGS[name])
    dtype = values.pop("torch_dtype", "float32")
    if layers:
        for key in LAYER_KEYS:
            if key in values:
                values[key] = layers
        if "max_window_layers" in values:
            values["max_window_layers"] = layers
    config = AutoConfig.for_model(values.pop("model_type"), **values)
    return config, getattr(torch, dtype)


def randomize(model):
    """Trained-looking random weights (see the module docstring); tied tensors drawn once."""
    from transformers.pytorch_utils import Conv1D
    torch.manual_seed(0)
    hidden = model.config.hidden_size
    seen = set()
    with torch.no_grad():
        for module in model.modules():
            is_norm = isinstance(module, torch.nn.LayerNorm) or type(module).__name__.endswith("RMSNorm")
            for name, p in module.named_parameters(recurse=False):
                if id(p) in seen:
                    continue
                seen.add(id(p))
                if name == "bias":
                    p.copy_(0.1 * torch.randn_like(p))
                elif is_norm:
                    p.copy_(1.0 + 0.1 * torch.randn_like(p))
                elif isinstance(module, torch.nn.Embedding):
                    p.copy_(3.0 / hidden ** 0.5 * torch.randn_like(p))
                elif isinstance(module, Conv1D):  # GPT-2: stored inputs x outputs
                    p.copy_(1.5 / p.shape[0] ** 0.5 * torch.randn_like(p))
                elif isinstance(module, torch.nn.Linear):
                    p.copy_(1.5 / p.shape[1] ** 0.5 * torch.randn_like(p))
                else:
                    raise ValueError(f"no rule for {type(module).__name__}.{name}")
    return model.eval()


def build(model_class, hub_name, layers):
    config, dtype = hub_config(hub_name, layers)
    model = randomize(model_class(config).to(torch.float32))
    return model, dtype


def hub_config_file(hub_name, layers):
    """config.json as the hub has it (transformers 5 would write `dtype` and `rope_parameters`; real
    files say `torch_dtype` and `rope_theta`, and readers must take those)."""
    values = {"_name_or_path": hub_name, **HUB_CONFIGS[hub_name], "transformers_version": "4.40.1"}
    for key in LAYER_KEYS + ("max_window_layers",):
        if layers and key in values:
            values[key] = layers
    return values


def save(model, dtype, folder, hub_name, layers, pytorch_bin=False):
    """The weights in the hub's dtype, as model.safetensors (save_pretrained) or, as transformers 4.x's
    save_pretrained(safe_serialization=False) did, pytorch_model.bin = torch.save(state_dict()) (tied
    tensors sharing one storage; transformers 5 writes safetensors only); the hub's config.json."""
    shutil.rmtree(folder, ignore_errors=True)
    model.to(dtype)
    if pytorch_bin:
        os.makedirs(folder)
        torch.save(model.state_dict(), os.path.join(folder, "pytorch_model.bin"))
    else:
        model.save_pretrained(folder)
    model.to(torch.float32)
    for extra in ("generation_config.json",):
        if os.path.exists(os.path.join(folder, extra)):
            os.remove(os.path.join(folder, extra))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hub_config_file(hub_name, layers), f, indent=2)
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
    print(f"wrote {folder} ({size >> 20} MiB)")


# ---------------------------------------------------------------------------------------- tokenizers

def smollm2_bpe():
    """SmolLM2's regular vocabulary (by id, its 17 special tokens left out) and merges."""
    if os.path.isfile(SMOLLM2_TOKENIZER):
        model = json.load(open(SMOLLM2_TOKENIZER, encoding="utf-8"))["model"]
        tokens = [t for t, i in sorted(model["vocab"].items(), key=lambda item: item[1]) if i >= 17]
        merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
        return tokens, merges
    import gguf
    reader = gguf.GGUFReader(SMOLLM2_GGUF)
    tokens = [str(t) for t in reader.get_field("tokenizer.ggml.tokens").contents()][17:]
    merges = [tuple(str(m).split(" ")) for m in reader.get_field("tokenizer.ggml.merges").contents()]
    return tokens, merges


def gpt2_tokenizer():
    from transformers import GPT2Tokenizer
    tokens, merges = smollm2_bpe()
    vocab = {t: i for i, t in enumerate(tokens)}
    vocab["<|endoftext|>"] = len(vocab)
    return GPT2Tokenizer(vocab=vocab, merges=merges, model_max_length=1024)


def fairseq_vocab(tokens, mask=False):
    """OPT / RoBERTa: <s> <pad> </s> <unk> first, then the BPE vocabulary (then <mask>)."""
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    vocab.update({t: i + 4 for i, t in enumerate(tokens)})
    if mask:
        vocab["<mask>"] = len(vocab)
    return vocab


def save_tokenizer(tokenizer, folder):
    """transformers 5's save_pretrained (tokenizer.json + tokenizer_config.json) plus the slow files the
    hub folders also carry: vocab.json + merges.txt (byte-level BPE) or vocab.txt (WordPiece)."""
    tokenizer.save_pretrained(folder)
    model = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
    if model["type"] == "BPE":
        write_bpe_files(folder, model["vocab"], model["merges"])
    else:
        shutil.copy(os.path.join(MINILM, "vocab.txt"), folder)


def write_bpe_files(folder, vocab, merges):
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n" + "".join((m if isinstance(m, str) else " ".join(m)) + "\n" for m in merges))


def write_opt_slow_tokenizer(folder):
    """facebook/opt-125m's tokenizer files: vocab.json + merges.txt and its two JSON configs."""
    tokens, merges = smollm2_bpe()
    write_bpe_files(folder, fairseq_vocab(tokens), merges)
    spec = next(s for s in SLOW_FIXTURES if s["name"] == "opt")
    for key, name in [("tokenizer_config", "tokenizer_config.json"), ("special_tokens_map", "special_tokens_map.json")]:
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            json.dump(spec[key], f, indent=2)


def roberta_tokenizer():
    from transformers import RobertaTokenizer
    tokens, merges = smollm2_bpe()
    return RobertaTokenizer(vocab=fairseq_vocab(tokens, mask=True), merges=merges, model_max_length=512)


def qwen2_tokenizer():
    from transformers import Qwen2Tokenizer
    tokens, merges = smollm2_bpe()
    tokenizer = Qwen2Tokenizer(vocab={t: i for i, t in enumerate(tokens)}, merges=merges, model_max_length=32768)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    return tokenizer


def llama3_tokenizer():
    """Llama 3's tokenizer.json layout over SmolLM2's vocabulary: the Llama 3 split regex then
    byte-level, <|begin_of_text|> put in front by the post-processor, <|end_of_text|> special."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast
    tokens, merges = smollm2_bpe()
    backend = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges, ignore_merges=True))
    backend.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"),
                             behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens(["<|begin_of_text|>", "<|end_of_text|>"])
    bos = backend.token_to_id("<|begin_of_text|>")
    backend.post_processor = processors.TemplateProcessing(
        single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B", special_tokens=[("<|begin_of_text|>", bos)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<|begin_of_text|>", eos_token="<|end_of_text|>",
                                   model_max_length=131072)


def bert_tokenizer():
    from transformers import BertTokenizer
    return BertTokenizer(vocab=os.path.join(MINILM, "vocab.txt"), do_lower_case=True, model_max_length=512)


# ------------------------------------------------------------------------------------------ folders

def make_opt_125m(out, layers):
    from transformers import OPTForCausalLM
    model, dtype = build(OPTForCausalLM, "facebook/opt-125m", layers)
    folder = os.path.join(out, "opt-125m")
    save(model, dtype, folder, "facebook/opt-125m", layers, pytorch_bin=True)
    write_opt_slow_tokenizer(folder)


def make_opt_350m(out, layers):
    from transformers import AutoTokenizer, OPTForCausalLM
    model, dtype = build(OPTForCausalLM, "facebook/opt-350m", layers)
    folder = os.path.join(out, "opt-350m")
    save(model, dtype, folder, "facebook/opt-350m", layers)
    slow = os.path.join(out, "opt-slow-tokenizer")
    os.makedirs(slow, exist_ok=True)
    write_opt_slow_tokenizer(slow)
    with open(os.path.join(slow, "config.json"), "w") as f:
        json.dump({"model_type": "opt"}, f)
    save_tokenizer(AutoTokenizer.from_pretrained(slow), folder)
    shutil.rmtree(slow)


def make_gpt2(out, layers):
    from transformers import GPT2LMHeadModel
    model, dtype = build(GPT2LMHeadModel, "openai-community/gpt2", layers)
    tokenizer = gpt2_tokenizer()
    for name, pytorch_bin in (("gpt2", False), ("gpt2-bin", True)):
        save(model, dtype, os.path.join(out, name), "openai-community/gpt2", layers, pytorch_bin=pytorch_bin)
        save_tokenizer(tokenizer, os.path.join(out, name))


def make_qwen2(out, layers):
    from transformers import Qwen2ForCausalLM
    model, dtype = build(Qwen2ForCausalLM, "Qwen/Qwen2-0.5B", layers)
    folder = os.path.join(out, "qwen2-0.5b")
    save(model, dtype, folder, "Qwen/Qwen2-0.5B", layers)
    save_tokenizer(qwen2_tokenizer(), folder)


def make_llama32(out, layers):
    from transformers import LlamaForCausalLM
    model, dtype = build(LlamaForCausalLM, "meta-llama/Llama-3.2-1B", layers)
    folder = os.path.join(out, "llama-3.2-1b")
    save(model, dtype, folder, "meta-llama/Llama-3.2-1B", layers)
    llama3_tokenizer().save_pretrained(folder)


def make_bert(out, layers):
    from safetensors.torch import load_file
    from transformers import BertForMaskedLM, BertForPreTraining
    config, dtype = hub_config("google-bert/bert-base-uncased", layers)
    pretraining = randomize(BertForPreTraining(config).to(torch.float32))
    tokenizer = bert_tokenizer()
    # BertForMaskedLM has no pooler: its weights are the pre-training model's minus the pooler and NSP.
    masked = BertForMaskedLM(config)
    missing, unexpected = masked.load_state_dict(pretraining.state_dict(), strict=False)
    assert not missing, missing
    hub = "google-bert/bert-base-uncased"
    folder = os.path.join(out, "bert-base-uncased")
    save(masked.eval(), dtype, folder, hub, layers)
    save_tokenizer(tokenizer, folder)

    folder = os.path.join(out, "bert-base-uncased-tf-names")
    save(pretraining, dtype, folder, hub, layers, pytorch_bin=True)
    path = os.path.join(folder, "pytorch_model.bin")
    state = torch.load(path, weights_only=True)
    assert "cls.predictions.decoder.weight" in state  # the hub file stores the tied copy too
    renamed = collections.OrderedDict()
    for name, tensor in state.items():
        if ".LayerNorm." in name:
            name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        renamed[name] = tensor
    torch.save(renamed, path)
    save_tokenizer(tokenizer, folder)
    saved = load_file(os.path.join(out, "bert-base-uncased", "model.safetensors"))
    assert all(torch.equal(saved[k], state[k]) for k in saved), "the two BERT folders must hold the same weights"


def make_roberta(out, layers):
    from transformers import RobertaForMaskedLM
    model, dtype = build(RobertaForMaskedLM, "FacebookAI/roberta-base", layers)
    folder = os.path.join(out, "roberta-base")
    save(model, dtype, folder, "FacebookAI/roberta-base", layers)
    save_tokenizer(roberta_tokenizer(), folder)


# ------------------------------------------------------------------------------------- k-quant GGUF

QK_K = 256


def f16(values):
    return values.astype(np.float16)


def quantize_q4_k(rows):
    """ggml's block_q4_K (144 bytes per 256 values): f16 d, f16 dmin, 12 bytes of 6-bit sub-block
    scales and mins (get_scale_min_k4's packing), 128 bytes of 4-bit values; x = d*sc*q - dmin*m."""
    blocks = rows.reshape(-1, 8, 32).astype(np.float32)
    low = np.minimum(blocks.min(axis=2), 0)
    scale = (blocks.max(axis=2) - low) / 15
    minimum = -low
    d = f16(scale.max(axis=1) / 63)
    dmin = f16(minimum.max(axis=1) / 63)
    d32, dmin32 = d.astype(np.float32)[:, None], dmin.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(d32 > 0, np.clip(np.rint(scale / d32), 0, 63), 0).astype(np.uint8)
        m = np.where(dmin32 > 0, np.clip(np.rint(minimum / dmin32), 0, 63), 0).astype(np.uint8)
        step = (d32 * sc)[:, :, None]
        q = np.where(step > 0, np.clip(np.rint((blocks + (dmin32 * m)[:, :, None]) / step), 0, 15), 0)
    q = q.astype(np.uint8)
    scales = q4_k_scales(sc, m)
    qs = (q[:, 0::2, :] | (q[:, 1::2, :] << 4)).reshape(len(blocks), 128)
    packed = np.concatenate([d.view(np.uint8).reshape(-1, 2), dmin.view(np.uint8).reshape(-1, 2), scales, qs], axis=1)
    return packed.reshape(rows.shape[0], -1)


def q4_k_scales(sc, m):
    """block_q4_K's 12 scale bytes: 8 sub-block scales and 8 mins, 6 bits each ([blocks, 8] uint8),
    packed as ggml's get_scale_min_k4 unpacks them."""
    scales = np.zeros((len(sc), 12), dtype=np.uint8)
    scales[:, 0:4] = (sc[:, 0:4] & 63) | ((sc[:, 4:8] >> 4) << 6)
    scales[:, 4:8] = (m[:, 0:4] & 63) | ((m[:, 4:8] >> 4) << 6)
    scales[:, 8:12] = (sc[:, 4:8] & 0xF) | ((m[:, 4:8] & 0xF) << 4)
    return scales


def quantize_q6_k(rows):
    """ggml's block_q6_K (210 bytes per 256 values): 128 bytes of low 4 bits, 64 bytes of high 2 bits,
    16 int8 sub-block scales, f16 d; x = d*scale*(q - 32) over 16-value sub-blocks."""
    blocks = rows.reshape(-1, 16, 16).astype(np.float32)
    sub = np.abs(blocks).max(axis=2) / 31
    d = f16(sub.max(axis=1) / 127)
    d32 = d.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(d32 > 0, np.clip(np.rint(sub / d32), -128, 127), 0).astype(np.int8)
        step = (d32 * sc)[:, :, None]
        q = np.where(step != 0, np.clip(np.rint(blocks / step), -32, 31), 0)
    q = (q + 32).astype(np.uint8).reshape(-1, 2, 4, 32)  # [block, half, quarter, l]
    ql = np.concatenate([(q[:, :, 0] & 0xF) | ((q[:, :, 2] & 0xF) << 4),
                         (q[:, :, 1] & 0xF) | ((q[:, :, 3] & 0xF) << 4)], axis=2).reshape(-1, 128)
    qh = ((q[:, :, 0] >> 4) | ((q[:, :, 1] >> 4) << 2) | ((q[:, :, 2] >> 4) << 4)
          | ((q[:, :, 3] >> 4) << 6)).reshape(-1, 64)
    packed = np.concatenate([ql, qh, sc.view(np.uint8), d.view(np.uint8).reshape(-1, 2)], axis=1)
    return packed.reshape(rows.shape[0], -1)


def quantize(data, kind):
    import gguf
    T = gguf.GGMLQuantizationType
    if kind == T.F32:
        return data.astype(np.float32)
    if kind in (T.Q4_K, T.Q6_K):
        packed = (quantize_q4_k if kind == T.Q4_K else quantize_q6_k)(data)
        restored = gguf.quants.dequantize(packed, kind)
        # The encoders are plain, so check they are near the input (a packing error is far off).
        blocks = np.abs(data).reshape(-1, QK_K).max(axis=1, keepdims=True)
        error = np.abs(restored - data).reshape(-1, QK_K)
        assert np.all(error <= blocks * (0.2 if kind == T.Q4_K else 0.05) + 1e-6), f"{kind.name} encoder is wrong"
        return packed
    return gguf.quants.quantize(data, kind)


def q4_k_m_type(gguf_name, shape, layer, layers):
    """llama-quantize's Q4_K_M choice for a tensor of numpy `shape` (rows, row length), simplified:
    F32 for vectors and position tables, Q6_K for the output and for attn_v / ffn_down in the first,
    last and every third layer between, else Q4_K; rows whose length is not a multiple of 256 fall
    back (Q4_K -> Q5_0, Q6_K -> Q8_0) as llama.cpp's fallback types do."""
    import gguf
    T = gguf.GGMLQuantizationType
    if len(shape) < 2 or gguf_name == "position_embd.weight":  # llama-quantize keeps GPT-2's positions
        return T.F32
    wide = gguf_name in ("output.weight",) or (
        gguf_name.endswith(("attn_v.weight", "ffn_down.weight"))
        and (layer < layers // 8 or layer >= 7 * layers // 8 or (layer - layers // 8) % 3 == 2))
    if gguf_name == "token_embd.weight":
        kind = T.Q4_K
    else:
        kind = T.Q6_K if wide else T.Q4_K
    if shape[-1] % QK_K:
        kind = T.Q8_0 if kind == T.Q6_K else T.Q5_0
    return kind


def add_bpe_vocabulary(writer, folder, vocab_size, pre):
    """The converter's byte-level BPE metadata from `folder`'s tokenizer files and config.json:
    get_vocab_base's tokens and types (padded to the model's vocab_size), pre-tokenizer `pre`, and
    SpecialVocab's merges and special ids (config.json's *_token_id where the tokenizer has none)."""
    import gguf
    from transformers import AutoTokenizer
    tokens, types = vocab_base(AutoTokenizer.from_pretrained(folder), vocab_size)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    gguf.SpecialVocab(folder, load_merges=True, n_vocab=len(tokens)).add_to_gguf(writer)


def write_gguf(folder, out, architecture):
    """convert_hf_to_gguf.py's layout of a qwen2, llama or gpt2 folder, tensors typed as Q4_K_M (llama:
    q/k rows permuted, Llama 3.1's rope scaling as rope_freqs.weight)."""
    import gguf
    from safetensors.torch import load_file
    config = json.load(open(os.path.join(folder, "config.json")))
    tensors = {k: v.float().numpy() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
    writer = gguf.GGUFWriter(out, architecture)
    writer.add_name(os.path.basename(folder))
    if architecture in ("qwen2", "llama"):
        arch = gguf.MODEL_ARCH.QWEN2 if architecture == "qwen2" else gguf.MODEL_ARCH.LLAMA
        layers = config["num_hidden_layers"]
        add_llama_hyperparameters(writer, config)
        pre = "qwen2" if architecture == "qwen2" else "llama-bpe"
    else:
        arch, layers = gguf.MODEL_ARCH.GPT2, config["n_layer"]
        writer.add_context_length(config.get("n_ctx", config["n_positions"]))
        writer.add_embedding_length(config["n_embd"])
        writer.add_feed_forward_length(4 * config["n_embd"])
        writer.add_head_count(config["n_head"])
        writer.add_layer_norm_eps(config["layer_norm_epsilon"])
        writer.add_block_count(layers)
        pre = "gpt-2"
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    add_bpe_vocabulary(writer, folder, config["vocab_size"], pre)

    names = gguf.get_tensor_name_map(arch, layers)
    counts = {}
    factors = llama3_rope_factors(config) if architecture == "llama" else None
    if factors is not None:
        writer.add_tensor("rope_freqs.weight", factors)
    for name in sorted(tensors):
        if name.endswith((".attn.bias", ".attn.masked_bias")) or name == "lm_head.weight":
            continue  # GPT-2's causal-mask buffers; Qwen2-0.5B's and Llama-3.2-1B's heads are tied
        data = converter_layout(name, tensors[name], config, architecture)
        if architecture == "gpt2" and name.endswith((".c_attn.weight", ".c_proj.weight", ".c_fc.weight")):
            data = np.ascontiguousarray(data.T)
        new_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert new_name is not None, name
        layer = int(new_name.split(".")[1]) if new_name.startswith("blk.") else -1
        outputs = [(new_name, data)]
        if architecture == "gpt2" and new_name == "token_embd.weight":
            outputs.append(("output.weight", data))  # the converter's copy of the tied head
        for gguf_name, values in outputs:
            kind = q4_k_m_type(gguf_name, values.shape, layer, layers)
            counts[kind.name] = counts.get(kind.name, 0) + 1
            if kind == gguf.GGMLQuantizationType.F32:
                writer.add_tensor(gguf_name, values)
            else:
                writer.add_tensor(gguf_name, quantize(values, kind), raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {out} ({os.path.getsize(out) >> 20} MiB; tensor types {counts})")


def make_qwen2_gguf(out, layers):
    write_gguf(os.path.join(out, "qwen2-0.5b"), os.path.join(out, "qwen2-0.5b-q4_k_m.gguf"), "qwen2")


def make_llama32_gguf(out, layers):
    write_gguf(os.path.join(out, "llama-3.2-1b"), os.path.join(out, "llama-3.2-1b-q4_k_m.gguf"), "llama")


def make_gpt2_gguf(out, layers):
    write_gguf(os.path.join(out, "gpt2"), os.path.join(out, "gpt2-q4_k_m.gguf"), "gpt2")


MAKERS = {
    "opt-125m": make_opt_125m, "opt-350m": make_opt_350m, "gpt2": make_gpt2, "qwen2-0.5b": make_qwen2,
    "bert-base-uncased": make_bert, "roberta-base": make_roberta,
    "llama-3.2-1b": make_llama32,
    "qwen2-gguf": make_qwen2_gguf, "gpt2-gguf": make_gpt2_gguf,  # need qwen2-0.5b / gpt2 first
    "llama-3.2-gguf": make_llama32_gguf,  # needs llama-3.2-1b first
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="/tmp/zotune-real-configs")
    parser.add_argument("--only", nargs="+", choices=sorted(MAKERS), help="build only these (default: all)")
    parser.add_argument("--layers", type=int, help="keep only this many layers (default: the hub's)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    for name in args.only or MAKERS:
        MAKERS[name](args.out, args.layers)


if __name__ == "__main__":
    main()
