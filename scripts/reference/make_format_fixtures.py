#!/usr/bin/env python3
"""Small reference files for the Swift GGUF / safetensors readers.

Writes into Tests/Fixtures/formats/:
  mixed.gguf            GGUF v3 written by gguf.GGUFWriter: metadata of every GGUF value
                        type (incl. arrays of ints/floats/strings/bools and a nested
                        array), default alignment (general.alignment not written => 32),
                        tensors of type F32, F16, BF16, Q8_0, Q4_1 quantized with
                        gguf.quants.quantize from seeded random floats.
  mixed.expected.json   metadata (key -> {type, value[, sub_type]}) in file order, and per
                        tensor: type name, dims as GGUF stores them (fastest first), byte
                        offset (absolute and relative to the data section), byte size and
                        the dequantized values from gguf.quants.dequantize (flat, row-major
                        = GGUF element order).
  dtypes.safetensors    F32, F16, BF16, I64 tensors with edge values (negative, -0.0,
                        subnormal, large), written with the safetensors library.
  dtypes.expected.json  dtype, shape, data_offsets and values (float64 / ints).

64-bit integers are also given as decimal strings ("text") because some JSON readers
go through Double. No NaN/Inf anywhere (not representable in strict JSON).

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_format_fixtures.py
"""
import json
import os

import numpy as np

SCRIPT_VERSION = "1"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "Tests", "Fixtures", "formats")


def dumps_compact_lists(obj):
    """Indented JSON, but every list of scalars on one line (keeps the files small)."""
    holders = {}

    def walk(o):
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items()}
        if isinstance(o, list):
            if all(not isinstance(v, (dict, list)) for v in o):
                key = f"@@{len(holders)}@@"
                holders[key] = json.dumps(o, ensure_ascii=False, separators=(",", ":"))
                return key
            return [walk(v) for v in o]
        return o

    text = json.dumps(walk(obj), indent=1, ensure_ascii=False)
    for key, val in holders.items():
        text = text.replace(json.dumps(key), val, 1)
    json.loads(text)  # still valid JSON
    return text + "\n"


def f32(x):
    return float(np.float32(x))


def make_gguf():
    import gguf
    from gguf import GGUFValueType as VT, GGMLQuantizationType as QT

    path = os.path.join(OUT, "mixed.gguf")
    w = gguf.GGUFWriter(path, arch="zotest")  # writes general.architecture = "zotest" first

    # (key, value, vtype, sub_type); values chosen to hit sign/range edges.
    kvs = [
        ("test.uint8", 200, VT.UINT8, None),
        ("test.int8", -100, VT.INT8, None),
        ("test.uint16", 60000, VT.UINT16, None),
        ("test.int16", -30000, VT.INT16, None),
        ("test.uint32", 4000000000, VT.UINT32, None),
        ("test.int32", -2000000000, VT.INT32, None),
        ("test.uint64", 18446744073709551000, VT.UINT64, None),
        ("test.int64", -9000000000000000123, VT.INT64, None),
        ("test.float32", 3.14159, VT.FLOAT32, None),
        ("test.float64", 2.718281828459045, VT.FLOAT64, None),
        ("test.bool_true", True, VT.BOOL, None),
        ("test.bool_false", False, VT.BOOL, None),
        ("test.string", "héllo wörld ✓ 日本", VT.STRING, None),
        ("test.string_empty", "", VT.STRING, None),
        ("test.array_int32", [1, -2, 3, 2147483647, -2147483648], VT.ARRAY, VT.INT32),
        ("test.array_uint8", [0, 1, 255], VT.ARRAY, VT.UINT8),
        ("test.array_int64", [-1, 0, 1 << 40], VT.ARRAY, VT.INT64),
        ("test.array_float32", [0.5, -1.25, 1e-3], VT.ARRAY, VT.FLOAT32),
        ("test.array_float64", [0.1, -2.5e300], VT.ARRAY, VT.FLOAT64),
        ("test.array_bool", [True, False, True], VT.ARRAY, VT.BOOL),
        ("test.array_string", ["a", "bé", "", "<|im_start|>"], VT.ARRAY, VT.STRING),
        ("test.array_nested", [[1, 2], [3, 4, 5]], VT.ARRAY, VT.ARRAY),  # inner arrays: INT32
        ("general.name", "zotune mixed fixture", VT.STRING, None),
    ]
    for k, v, t, st in kvs:
        w.add_key_value(k, v, t, sub_type=st)

    rng = np.random.default_rng(0)
    # name, numpy shape (slowest first), type
    specs = [
        ("t.f32", (3, 32), QT.F32),
        ("t.f32_1d", (32,), QT.F32),
        ("t.f32_3d", (2, 3, 32), QT.F32),
        ("t.f16", (4, 64), QT.F16),
        ("t.bf16", (2, 32), QT.BF16),
        ("t.q8_0", (4, 64), QT.Q8_0),
        ("t.q4_1", (3, 32), QT.Q4_1),
    ]
    sources = {}
    for name, shape, qt in specs:
        x = rng.standard_normal(shape).astype(np.float32) * 2.0
        if qt == QT.F32 and name == "t.f32":
            x[0, :6] = [0.0, -0.0, 1e-40, -3.0e38, 65504.0, -1.0]
        if qt == QT.Q8_0:
            x[3, 32:] = 0.0            # an all-zero block (scale 0)
        if qt == QT.Q4_1:
            x[2, :] = 0.75             # a constant block (min == max)
        sources[name] = x
        q = gguf.quants.quantize(x, qt)
        if qt in (QT.F32, QT.F16):
            w.add_tensor(name, q)
        else:
            w.add_tensor(name, q, raw_dtype=qt)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # Metadata: parsed by an independent minimal reader (below), cross-checked against
    # gguf.GGUFReader (which flattens nested arrays, so that one is checked separately).
    r = gguf.GGUFReader(path)
    meta = parse_gguf_kv(path)
    for e in meta:
        field = r.fields[e["key"]]
        if e["key"] == "test.array_nested":
            flat = [x for inner in e["value"] for x in inner]
            assert field.contents() == flat, (field.contents(), flat)
        else:
            assert field.contents() == e["value"] or (
                e["type"] == "float32" and f32(field.contents()) == e["value"]) or (
                e.get("sub_type") == "float32" and [f32(v) for v in field.contents()] == e["value"]), e

    want = {k: v for k, v, _, _ in kvs}
    for e in meta:
        if e["key"] in want:
            got, exp = e["value"], want[e["key"]]
            if e["type"] == "float32":
                exp = f32(exp)
            if e.get("sub_type") == "float32":
                exp = [f32(v) for v in exp]
            assert got == exp, (e["key"], got, exp)

    alignment = 32
    assert "general.alignment" not in r.fields
    data_start = min(t.data_offset for t in r.tensors)
    assert data_start % alignment == 0
    tensors = []
    for t in r.tensors:
        qt = QT(t.tensor_type)
        deq = gguf.quants.dequantize(t.data, qt).astype(np.float32)
        src = sources[t.name]
        assert deq.shape == src.shape, (t.name, deq.shape, src.shape)
        err = float(np.abs(deq - src).max())
        assert (t.data_offset - data_start) % alignment == 0
        tensors.append({
            "name": t.name,
            "type": qt.name,
            "type_id": int(qt),
            "dims": [int(d) for d in t.shape],  # GGUF order: fastest-varying first
            "n_elements": int(t.n_elements),
            "n_bytes": int(t.n_bytes),
            "data_offset": int(t.data_offset),
            "relative_offset": int(t.data_offset - data_start),
            "max_abs_quantization_error": err,
            "values": [float(v) for v in deq.reshape(-1)],
        })
        print(f"  {t.name:10s} {qt.name:5s} dims {list(map(int, t.shape))} bytes {int(t.n_bytes)} "
              f"max|deq-src| {err:.3g}")

    expected = {
        "generator": "scripts/reference/make_format_fixtures.py",
        "script_version": SCRIPT_VERSION,
        "gguf_python": _gguf_version(),
        "version": 3,
        "alignment": alignment,
        "data_offset": int(data_start),
        "metadata": meta,
        "tensors": tensors,
    }
    with open(os.path.join(OUT, "mixed.expected.json"), "w", encoding="utf-8") as f:
        f.write(dumps_compact_lists(expected))


_SCALARS = {0: ("uint8", "<B"), 1: ("int8", "<b"), 2: ("uint16", "<H"), 3: ("int16", "<h"),
            4: ("uint32", "<I"), 5: ("int32", "<i"), 6: ("float32", "<f"), 7: ("bool", "<?"),
            10: ("uint64", "<Q"), 11: ("int64", "<q"), 12: ("float64", "<d")}


def parse_gguf_kv(path):
    """Minimal independent GGUF v3 metadata parser -> list of {key, type, value, ...}."""
    import struct

    with open(path, "rb") as f:
        buf = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, buf, pos)[0]
        pos += struct.calcsize(fmt)
        return v

    def string():
        nonlocal pos
        n = take("<Q")
        v = buf[pos:pos + n].decode("utf-8")
        pos += n
        return v

    def value(t):
        if t in _SCALARS:
            v = take(_SCALARS[t][1])
            return bool(v) if t == 7 else v
        if t == 8:
            return string()
        if t == 9:
            st = take("<I")
            n = take("<Q")
            return [value(st) for _ in range(n)]
        raise ValueError(f"bad type {t}")

    def tname(t):
        return _SCALARS[t][0] if t in _SCALARS else {8: "string", 9: "array"}[t]

    assert buf[:4] == b"GGUF"
    pos = 4
    version = take("<I")
    assert version == 3
    take("<Q")  # tensor count
    n_kv = take("<Q")
    out = []
    for _ in range(n_kv):
        key = string()
        t = take("<I")
        e = {"key": key, "type": tname(t)}
        if t == 9:
            st = struct.unpack_from("<I", buf, pos)[0]
            e["sub_type"] = tname(st)
            if st == 9:  # nested: record the inner arrays' element type
                e["inner_type"] = tname(struct.unpack_from("<I", buf, pos + 12)[0])
        e["value"] = value(t)
        if e["type"] in ("uint64", "int64"):
            e["text"] = str(e["value"])
        if e.get("sub_type") in ("uint64", "int64"):
            e["text"] = [str(v) for v in e["value"]]
        out.append(e)
    return out


def _gguf_version():
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:
        return "unknown"


def make_safetensors():
    import torch
    from safetensors.torch import save_file

    vals = {
        "f32": (torch.float32, [3, 4], [0.0, -0.0, 1.0, -1.0, 3.1415927, 1e-40, -1e-38, 3.0e38,
                                        65504.0, 1e-7, 123456.789, -2.5]),
        "f16": (torch.float16, [12], [0.0, -0.0, 1.0, -1.0, 65504.0, -65504.0, 6.103515625e-05,
                                      5.960464477539063e-08, 1e-6, 0.1, 3.14, -2.5]),
        "bf16": (torch.bfloat16, [2, 2, 3], [0.0, -0.0, 1.0, -1.0, 3.0e38, 1e-39, 1e-38, 0.1,
                                             3.14, -2.5, 65504.0, 1e20]),
        "i64": (torch.int64, [7], [0, 1, -1, (1 << 53) + 1, -(1 << 62), (1 << 63) - 1, -(1 << 63)]),
    }
    tensors = {k: torch.tensor(v, dtype=dt).reshape(shape) for k, (dt, shape, v) in vals.items()}
    path = os.path.join(OUT, "dtypes.safetensors")
    save_file(tensors, path, metadata={"format": "pt", "note": "zotune dtypes fixture"})

    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    expected = {"generator": "scripts/reference/make_format_fixtures.py",
                "script_version": SCRIPT_VERSION, "header_size": n,
                "metadata": header.get("__metadata__", {}), "tensors": {}}
    for k, t in tensors.items():
        e = {"dtype": header[k]["dtype"], "shape": header[k]["shape"],
             "data_offsets": header[k]["data_offsets"]}
        if t.dtype == torch.int64:
            e["values"] = [int(v) for v in t.reshape(-1).tolist()]
            e["text"] = [str(v) for v in e["values"]]
        else:
            e["values"] = [float(v) for v in t.to(torch.float64).reshape(-1).tolist()]
        expected["tensors"][k] = e
        print(f"  {k:5s} {e['dtype']:5s} {e['shape']} offsets {e['data_offsets']}")
    with open(os.path.join(OUT, "dtypes.expected.json"), "w", encoding="utf-8") as f:
        f.write(dumps_compact_lists(expected))


def main():
    os.makedirs(OUT, exist_ok=True)
    make_gguf()
    make_safetensors()
    for n in sorted(os.listdir(OUT)):
        print(f"wrote {os.path.relpath(os.path.join(OUT, n), REPO)}: {os.path.getsize(os.path.join(OUT, n))} bytes")


if __name__ == "__main__":
    main()
