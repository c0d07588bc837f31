#!/usr/bin/env python3
"""Checks `--base-precision stored` on a GGUF file against transformers: ZOTune's last-position
logits with the weights left in the file's encoding (decoded a tile at a time during the forward)
against transformers' fp32 forward on the same file, which gguf-py dequantizes. ZOTune's own
`--base-precision f32` (the whole model dequantized at load) is printed beside it.

With --requantize TYPE the check first writes a copy of GGUF whose 2-D block weights
(blk.*.weight) are re-encoded as TYPE by gguf-py (dequantize, then quantize): a way to check a
quantization type end to end on a real model when no release of it is at hand. gguf-py 0.19
quantizes Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, MXFP4, TQ1_0 and TQ2_0 (the ternary types need rows of 256
inputs, which SmolLM2's 576 are not: a tensor whose rows do not fit the type is left as it was).
It cannot encode the grid types (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S), which get
seeded random blocks scaled to each matrix's standard deviation instead: the model no longer
predicts, but ZOTune and transformers still decode and multiply the same weights.

ZOTune runs with fp32 products (`ZOTUNE_KERNELS=avx2`), so both sides multiply the same decoded
weights in fp32 and only summation order differs: the largest logit difference is held to
--tolerance (default 1e-4) times the largest |logit|. Measured on SmolLM2-135M: 1.4e-6 of it as
shipped (Q4_1), 1.6e-6 re-encoded MXFP4; 7.6e-5 with the 30 down projections re-encoded TQ1_0 or TQ2_0
(ternary weights wreck this model, whose logits then reach 57 and amplify the summation order);
1.1e-5 to 3.1e-5 for the grid types' random blocks in the 30 down projections (IQ2_S 1.1e-5, IQ3_S
1.5e-5, IQ1_S and IQ1_M 1.8e-5, IQ2_XXS and IQ2_XS 2.8e-5, IQ3_XXS 3.1e-5).

    check_stored_base.py GGUF [--requantize TYPE] [--texts FILE] [--zotune PATH] [--tolerance 1e-4]

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/check_stored_base.py \\
         ~/.cache/zotune/models/SmolLM2-135M-Instruct.Q4_1.gguf --requantize MXFP4
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

from zotune_cli import load_causal_lm, read_logits, read_texts, write_texts, zotune_binary


# The grid types, which gguf-py decodes but cannot encode: byte offset of each block's f16 scale d
# (None: IQ1_M, whose d is split over the top nibbles of its four scale words at byte 48).
RANDOM_BLOCK_SCALES = {"IQ2_XXS": 0, "IQ2_XS": 0, "IQ2_S": 0, "IQ3_XXS": 0, "IQ3_S": 0, "IQ1_S": 0, "IQ1_M": None}


def random_blocks(qtype, shape, target_std, rng):
    """Seeded random blocks of `qtype` for a [rows, columns] matrix, every block's d set so the
    decoded weights have standard deviation `target_std` (the weights they replace had it): the
    model's predictions are lost, but both sides of the check decode the same blocks."""
    import gguf
    block_size, block_bytes = gguf.GGML_QUANT_SIZES[qtype]
    blocks = shape[0] * shape[1] // block_size
    raw = rng.integers(0, 256, size=(blocks, block_bytes), dtype=np.uint8)

    def set_scale(d):
        half = np.full(blocks, d, dtype=np.float16).view(np.uint16).astype(np.uint32)
        offset = RANDOM_BLOCK_SCALES[qtype.name]
        if offset is not None:
            raw[:, offset:offset + 2] = half.astype("<u2").view(np.uint8).reshape(blocks, 2)
            return
        words = raw[:, 48:56].copy().view("<u2").astype(np.uint32)
        for k in range(4):  # nibble k of d is the top nibble of word k
            words[:, k] = (words[:, k] & 0x0FFF) | (((half >> (4 * k)) & 0xF) << 12)
        raw[:, 48:56] = words.astype("<u2").view(np.uint8).reshape(blocks, 8)

    set_scale(1.0)
    unit_std = float(gguf.quants.dequantize(raw.reshape(shape[0], -1), qtype).std())
    set_scale(target_std / unit_std)
    return raw.reshape(shape[0], -1)


def requantize(source, destination, type_name):
    """A copy of `source` with every blk.*.weight matrix re-encoded as `type_name` where its rows fit."""
    import gguf
    qtype = gguf.GGMLQuantizationType[type_name]
    block_size, _ = gguf.GGML_QUANT_SIZES[qtype]
    reader = gguf.GGUFReader(source)
    writer = gguf.GGUFWriter(destination, arch=reader.fields["general.architecture"].contents())
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        value_type = field.types[0]
        value = field.contents()
        if value_type == gguf.GGUFValueType.ARRAY:
            writer.add_key_value(field.name, value, value_type, sub_type=field.types[-1])
        else:
            writer.add_key_value(field.name, value, value_type)
    changed, rng = 0, np.random.default_rng(0)
    for tensor in reader.tensors:
        shape = [int(n) for n in reversed(tensor.shape)]  # numpy order: rows, columns
        raw_type = gguf.GGMLQuantizationType(tensor.tensor_type)
        if tensor.name.startswith("blk.") and len(shape) == 2 and shape[1] % block_size == 0:
            values = gguf.quants.dequantize(tensor.data, raw_type).reshape(shape).astype(np.float32)
            if qtype.name in RANDOM_BLOCK_SCALES:
                encoded = random_blocks(qtype, shape, float(values.std()), rng)
            else:
                encoded = gguf.quants.quantize(values, qtype)
            writer.add_tensor(tensor.name, encoded, raw_dtype=qtype)
            changed += 1
        else:
            writer.add_tensor(tensor.name, tensor.data, raw_dtype=raw_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"re-encoded {changed} of {len(reader.tensors)} tensors as {type_name}: {destination}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("--requantize")
    parser.add_argument("--texts")
    parser.add_argument("--zotune")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="relative to the largest |logit|")
    args = parser.parse_args()
    texts = read_texts(args.texts)
    binary = zotune_binary(args.zotune, "check_stored_base.py")

    with tempfile.TemporaryDirectory() as folder:
        model_path = args.base
        if args.requantize:
            model_path = os.path.join(folder, f"model-{args.requantize.lower()}.gguf")
            requantize(args.base, model_path, args.requantize)
            for name in os.listdir(os.path.dirname(os.path.abspath(args.base))):  # tokenizer files beside it, if any
                if name.startswith("tokenizer"):
                    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(args.base)), name), folder)

        tokenizer, model = load_causal_lm(model_path)
        with torch.no_grad():
            reference = np.stack([model(**tokenizer(t, return_tensors="pt")).logits[0, -1].float().numpy() for t in texts])

        def zotune_logits(precision):
            text_file, output = os.path.join(folder, "texts.txt"), os.path.join(folder, f"logits-{precision}.safetensors")
            write_texts(text_file, texts)
            subprocess.run([binary, "forward", "--model", model_path, "--base-precision", precision, "--text-file", text_file,
                            "--output", output], check=True, env={**os.environ, "ZOTUNE_KERNELS": "avx2"})
            return read_logits(output)

        stored, float32 = zotune_logits("stored"), zotune_logits("f32")
    worst, scale = float(np.abs(stored - reference).max()), float(np.abs(reference).max())
    print(f"max |Δlogit| ZOTune stored base vs transformers on the dequantized weights: {worst:.3g} = "
          f"{worst / scale:.2g} of the largest |logit| {scale:.3g} (tolerance {args.tolerance:g} of it); "
          f"ZOTune stored vs ZOTune f32: {float(np.abs(stored - float32).max()):.3g}; argmax agrees on "
          f"{int((stored.argmax(1) == reference.argmax(1)).sum())} of {len(texts)} texts")
    sys.exit(0 if worst <= args.tolerance * scale else 1)


if __name__ == "__main__":
    main()
