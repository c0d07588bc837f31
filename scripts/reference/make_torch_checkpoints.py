#!/usr/bin/env python3
"""PyTorch zip checkpoints (`torch.save`, as `pytorch_model.bin` uploads are) for the Swift reader.

Writes:
  Tests/Fixtures/tiny-opt-bin/   the tiny-opt fixture re-saved the way transformers 4.x saved a
        sharded `save_pretrained(safe_serialization=False)`: config.json and tokenizer.json copied,
        pytorch_model-00001-of-00002.bin = the model's own `state_dict()` (an OrderedDict with its
        `_metadata` attribute, so the pickle ends in BUILD) minus the tensors of shard 2, holding
        `lm_head.weight` tied to (the same storage as) `model.decoder.embed_tokens.weight`, and
        layer 0's fc1 weight stored non-contiguous (a transposed copy viewed back: same values,
        strides (1, rows)); pytorch_model-00002-of-00002.bin = a plain dict of layer 1's tensors;
        pytorch_model.bin.index.json = the weight map. The folder is reloaded with transformers'
        `from_pretrained` and must give bit-identical logits to the safetensors folder.
  Tests/Fixtures/formats/
    torch-tensors.bin           an OrderedDict (with `_metadata`) of every storage dtype the reader
                                maps (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL) plus views:
                                a tensor sharing another's storage, a transposed view, a row slice
                                (storage offset), a column slice (offset and non-contiguous), a
                                stride-0 expand, a 0-d scalar, an empty tensor and an nn.Parameter
                                (`_rebuild_parameter`). Edge values: -0.0, subnormals, inf, nan.
    torch-tensors-protocol4.bin the same dictionary saved with pickle_protocol=4 (FRAME, MEMOIZE,
                                SHORT_BINUNICODE, STACK_GLOBAL instead of protocol 2's opcodes).
    torch-tensors.safetensors   the reference: each of those tensors made contiguous, saved with
                                safetensors.torch under the same name (the reader must match it
                                byte for byte).
    torch-legacy.bin            `_use_new_zipfile_serialization=False` (the pre-1.6 format).
    torch-deflated.bin          torch-tensors.bin re-zipped with zipfile.ZIP_DEFLATED (torch never
                                compresses; a re-zipped file must be refused clearly).
    torch-namespace.bin         a checkpoint holding an argparse.Namespace next to a tensor (a
                                global no weight file needs; the reader must refuse it by name).

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_torch_checkpoints.py
"""
import argparse
import collections
import json
import os
import pickletools
import shutil
import zipfile

import torch
from safetensors.torch import load_file, save_file
from transformers import OPTForCausalLM

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "Tests", "Fixtures")
FORMATS = os.path.join(FIXTURES, "formats")


def tensors_with_views():
    """The format fixture's dictionary: dtypes and view layouts, as a state dict holds them."""
    torch.manual_seed(0)
    base = torch.randn(3, 4)
    base[0, 0] = -0.0
    base[0, 1] = 1e-40  # subnormal
    base[0, 2] = float("inf")
    base[0, 3] = float("nan")
    module = torch.nn.Linear(4, 3)  # a real state dict, for its OrderedDict and _metadata
    state = module.state_dict()
    state.clear()
    state["f32"] = base
    state["tied"] = base  # same storage, same view
    state["transposed"] = base.t()
    state["row_slice"] = base[1:]
    state["column_slice"] = base[:, 1:3]
    state["expanded"] = torch.arange(3, dtype=torch.float32).expand(2, 3)
    state["f16"] = torch.tensor([0.5, -0.0, 6.1e-5, 65504, -2.0], dtype=torch.float16)
    state["bf16"] = torch.randn(2, 3).to(torch.bfloat16)
    state["f64"] = torch.tensor([1 / 3, -1e300, 5e-324, 0.0], dtype=torch.float64)
    state["position_ids"] = torch.arange(8).unsqueeze(0)  # the I64 buffer older BERT uploads store
    state["i32"] = torch.tensor([-(2**31), 7, 2**31 - 1], dtype=torch.int32)
    state["i16"] = torch.tensor([-32768, 3], dtype=torch.int16)
    state["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    state["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    state["mask"] = torch.tensor([True, False, True])
    state["scalar"] = torch.tensor(2.5)
    state["empty"] = torch.zeros(0, 4)
    state["parameter"] = torch.nn.Parameter(torch.randn(2, 2))
    assert not state["transposed"].is_contiguous() and not state["column_slice"].is_contiguous()
    return state


def write_format_fixtures():
    state = tensors_with_views()
    plain = os.path.join(FORMATS, "torch-tensors.bin")
    torch.save(state, plain)
    torch.save(state, os.path.join(FORMATS, "torch-tensors-protocol4.bin"), pickle_protocol=4)
    save_file({k: v.detach().contiguous().clone() for k, v in state.items()},
              os.path.join(FORMATS, "torch-tensors.safetensors"))
    with zipfile.ZipFile(plain) as archive:
        pickle = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        opcodes = {op.name for op, _, _ in pickletools.genops(archive.read(pickle))}
        print("protocol 2 opcodes:", sorted(opcodes))
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        with zipfile.ZipFile(os.path.join(FORMATS, "torch-deflated.bin"), "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                out.writestr(info.filename, archive.read(info.filename))
    torch.save({"weight": torch.ones(2)}, os.path.join(FORMATS, "torch-legacy.bin"),
               _use_new_zipfile_serialization=False)
    torch.save({"weight": torch.ones(2), "args": argparse.Namespace(lr=0.1)},
               os.path.join(FORMATS, "torch-namespace.bin"))
    # The reference must read back what it wrote, layout included.
    reloaded = torch.load(plain, weights_only=True)
    for name, tensor in state.items():
        assert raw_bytes(reloaded[name]).equal(raw_bytes(tensor)) and reloaded[name].stride() == tensor.stride(), name


def raw_bytes(tensor):
    return tensor.detach().contiguous().reshape(-1).view(torch.uint8)


def write_tiny_opt_bin():
    source = os.path.join(FIXTURES, "tiny-opt")
    out = os.path.join(FIXTURES, "tiny-opt-bin")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name in ["config.json", "tokenizer.json"]:
        shutil.copy(os.path.join(source, name), out)
    model = OPTForCausalLM.from_pretrained(source, dtype=torch.float32).eval()
    state = model.state_dict()
    assert state["lm_head.weight"].data_ptr() == state["model.decoder.embed_tokens.weight"].data_ptr()
    fc1 = "model.decoder.layers.0.fc1.weight"
    state[fc1] = state[fc1].t().contiguous().t()
    assert not state[fc1].is_contiguous()
    second = [k for k in state if k.startswith("model.decoder.layers.1.")]
    shard2 = {k: state[k].contiguous() for k in second}  # transformers 4.x: a plain dict per shard
    for k in second:
        del state[k]  # shard 1 stays the OrderedDict with its _metadata
    names = ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    torch.save(state, os.path.join(out, names[0]))
    torch.save(shard2, os.path.join(out, names[1]))
    weight_map = {k: names[0] for k in state} | {k: names[1] for k in shard2}
    total = sum(t.numel() * t.element_size() for t in list(state.values()) + list(shard2.values()))
    with open(os.path.join(out, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
        f.write("\n")

    # transformers reads the folder back to the same model (no safetensors in it).
    reloaded = OPTForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    reference = load_file(os.path.join(source, "model.safetensors"))
    for name, tensor in reloaded.state_dict().items():
        expected = reference.get(name, reference["model.decoder.embed_tokens.weight"])
        assert torch.equal(tensor, expected), name
    for parameter in reloaded.parameters():  # transformers keeps fc1's stored strides; matmul rounding
        parameter.data = parameter.data.contiguous()  # then differs (~1e-6), so compare in one layout
    ids = torch.tensor([[2, 17, 300, 42, 9, 1, 77]])
    with torch.no_grad():
        assert torch.equal(reloaded(ids).logits, model(ids).logits)


def main():
    write_format_fixtures()
    write_tiny_opt_bin()
    for folder in [FORMATS, os.path.join(FIXTURES, "tiny-opt-bin")]:
        for name in sorted(os.listdir(folder)):
            if name.startswith("torch-") or folder.endswith("bin"):
                print(f"{os.path.relpath(os.path.join(folder, name), REPO)}: {os.path.getsize(os.path.join(folder, name))} bytes")


if __name__ == "__main__":
    main()
