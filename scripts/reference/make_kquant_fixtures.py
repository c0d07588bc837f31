#!/usr/bin/env python3
"""Golden data for the Swift GGUF block dequantizers: Q4_0, Q5_0, Q5_1, the K-quants
Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, the 4-bit codebook types IQ4_NL, IQ4_XS, MXFP4, NVFP4, the
grid types IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M and the ternary TQ1_0, TQ2_0.

Writes Tests/Fixtures/formats/block-quants.gguf (gguf.GGUFWriter, GGUF v3, alignment 32).
For each type there are two tensors, named after the type in lower case (e.g. "q4_K"):
  <t>            the quantized tensor (raw ggml blocks)
  <t>.expected   F32 of the same shape: what gguf.quants.dequantize makes of <t>

Legacy types (32-weight blocks): shape [4, 64] = 8 blocks, quantized with gguf.quants.quantize
from seeded N(0, 2^2) floats; the last block is all zero (scale 0, so some values are -0.0).
gguf cannot quantize the K-quants, so those are seeded random bytes, shape [2, 512] = 4 blocks
of 256, with every f16 scale field (d, dmin) overwritten by a finite half from N(0, 0.02^2)
(block 1's first one subnormal) so every value is finite; Q8_K's f32 d likewise, and Q8_K's
bsums set to the true 16-weight sums so its blocks are valid.

gguf 0.19 has no Q8_K dequantizer; Q8_K's expected values are d * q in float32, as ggml's
dequantize_row_q8_K computes them.

Every expected value is also checked, bit for bit, against a scalar transliteration of
ggml-quants.c's dequantize_row_* below, so the fixture pins ggml's semantics and not only
gguf-py's vectorised reading of them.

Run: ~/.cache/zotune/reference-venv/bin/python scripts/reference/make_kquant_fixtures.py
"""
import os

import numpy as np

SCRIPT_VERSION = "3"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PATH = os.path.join(REPO, "Tests", "Fixtures", "formats", "block-quants.gguf")

F = np.float32


# ---- ggml-quants.c dequantize_row_*, one block at a time, in the C code's operation order ----

def f16(b, offset):
    return F(b[offset:offset + 2].view(np.float16)[0])


def u32(b, offset):
    return int.from_bytes(b[offset:offset + 4].tobytes(), "little")


def ggml_q4_0(b):
    d, qs, y = f16(b, 0), [int(v) for v in b[2:18]], [None] * 32
    for j in range(16):
        y[j] = F((qs[j] & 0x0F) - 8) * d
        y[j + 16] = F((qs[j] >> 4) - 8) * d
    return y


def ggml_q5_0(b):
    d, qh, qs, y = f16(b, 0), u32(b, 2), [int(v) for v in b[6:22]], [None] * 32
    for j in range(16):
        xh_0 = ((qh >> j) << 4) & 0x10
        xh_1 = (qh >> (j + 12)) & 0x10
        y[j] = F(((qs[j] & 0x0F) | xh_0) - 16) * d
        y[j + 16] = F(((qs[j] >> 4) | xh_1) - 16) * d
    return y


def ggml_q5_1(b):
    d, m, qh, qs, y = f16(b, 0), f16(b, 2), u32(b, 4), [int(v) for v in b[8:24]], [None] * 32
    for j in range(16):
        xh_0 = ((qh >> j) << 4) & 0x10
        xh_1 = (qh >> (j + 12)) & 0x10
        y[j] = F((qs[j] & 0x0F) | xh_0) * d + m
        y[j + 16] = F((qs[j] >> 4) | xh_1) * d + m
    return y


def ggml_q2_K(b):
    scales, q = [int(v) for v in b[0:16]], [int(v) for v in b[16:80]]
    d, dmin, y, is_ = f16(b, 80), f16(b, 82), [], 0
    for n in (0, 32):
        for shift in (0, 2, 4, 6):
            for half in (0, 16):
                sc = scales[is_]
                is_ += 1
                dl, ml = d * F(sc & 0xF), dmin * F(sc >> 4)
                y += [dl * F((q[n + half + l] >> shift) & 3) - ml for l in range(16)]
    return y


def ggml_q3_K(b):
    hm, q, d = [int(v) for v in b[0:32]], [int(v) for v in b[32:96]], f16(b, 108)
    kmask1, kmask2 = 0x03030303, 0x0F0F0F0F
    a0, a1, tmp = u32(b, 96), u32(b, 100), u32(b, 104)
    aux = [(a0 & kmask2) | (((tmp >> 0) & kmask1) << 4),
           (a1 & kmask2) | (((tmp >> 2) & kmask1) << 4),
           ((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4),
           ((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4)]
    scales = [int(v) for v in np.array(aux, dtype="<u4").view(np.int8)]
    y, is_, m = [], 0, 1
    for n in (0, 32):
        for shift in (0, 2, 4, 6):
            for half in (0, 16):
                dl = d * F(scales[is_] - 32)
                is_ += 1
                y += [dl * F(((q[n + half + l] >> shift) & 3) - (0 if hm[half + l] & m else 4))
                      for l in range(16)]
            m <<= 1
    return y


def get_scale_min_k4(j, q):
    if j < 4:
        return q[j] & 63, q[j + 4] & 63
    return (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)


def ggml_q45_K(b, qh_at, ql_at):
    """dequantize_row_q4_K (qh_at None) and dequantize_row_q5_K."""
    d, dmin, sc = f16(b, 0), f16(b, 2), [int(v) for v in b[4:16]]
    ql = [int(v) for v in b[ql_at:ql_at + 128]]
    qh = [int(v) for v in b[qh_at:qh_at + 32]] if qh_at is not None else [0] * 32
    y = []
    for c in range(4):
        s1, m1 = get_scale_min_k4(2 * c, sc)
        s2, m2 = get_scale_min_k4(2 * c + 1, sc)
        d1, dm1, d2, dm2 = d * F(s1), dmin * F(m1), d * F(s2), dmin * F(m2)
        u1, u2 = 1 << (2 * c), 2 << (2 * c)
        y += [d1 * F((ql[32 * c + l] & 0xF) + (16 if qh[l] & u1 else 0)) - dm1 for l in range(32)]
        y += [d2 * F((ql[32 * c + l] >> 4) + (16 if qh[l] & u2 else 0)) - dm2 for l in range(32)]
    return y


def ggml_q6_K(b):
    ql, qh = [int(v) for v in b[0:128]], [int(v) for v in b[128:192]]
    sc, d = [int(v) for v in b[192:208].view(np.int8)], f16(b, 208)
    y = [None] * 256
    for h in range(2):
        L, H, S, Y = ql[64 * h:], qh[32 * h:], sc[8 * h:], 128 * h
        for l in range(32):
            is_ = l // 16
            q1 = ((L[l] & 0xF) | (((H[l] >> 0) & 3) << 4)) - 32
            q2 = ((L[l + 32] & 0xF) | (((H[l] >> 2) & 3) << 4)) - 32
            q3 = ((L[l] >> 4) | (((H[l] >> 4) & 3) << 4)) - 32
            q4 = ((L[l + 32] >> 4) | (((H[l] >> 6) & 3) << 4)) - 32
            y[Y + l] = d * F(S[is_]) * F(q1)
            y[Y + l + 32] = d * F(S[is_ + 2]) * F(q2)
            y[Y + l + 64] = d * F(S[is_ + 4]) * F(q3)
            y[Y + l + 96] = d * F(S[is_ + 6]) * F(q4)
    return y


def ggml_q8_K(b):
    d = F(b[0:4].view("<f4")[0])
    return [d * F(v) for v in b[4:260].view(np.int8)]


IQ4NL_VALUES = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]
MXFP4_VALUES = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]


def nibbles32(qs, table, d):
    """Byte j: weight j (low nibble), weight j + 16 (high nibble)."""
    y = [None] * 32
    for j in range(16):
        y[j] = F(table[qs[j] & 0xF]) * d
        y[j + 16] = F(table[qs[j] >> 4]) * d
    return y


def ggml_iq4_nl(b):
    return nibbles32([int(v) for v in b[2:18]], IQ4NL_VALUES, f16(b, 0))


def ggml_iq4_xs(b):
    d, scales_h, scales_l = f16(b, 0), int.from_bytes(b[2:4].tobytes(), "little"), [int(v) for v in b[4:8]]
    y = []
    for ib in range(8):
        ls = ((scales_l[ib // 2] >> (4 * (ib % 2))) & 0xF) | (((scales_h >> (2 * ib)) & 3) << 4)
        y += nibbles32([int(v) for v in b[8 + 16 * ib:24 + 16 * ib]], IQ4NL_VALUES, d * F(ls - 32))
    return y


def e8m0_half(e):
    bits = (0x00200000 << e) if e < 2 else ((e - 1) << 23)
    return np.array([bits], dtype=np.uint32).view(np.float32)[0]


def ggml_mxfp4(b):
    return nibbles32([int(v) for v in b[1:17]], MXFP4_VALUES, e8m0_half(int(b[0])))


def ue4m3_half(x):
    if x == 0 or x == 0x7F:
        return F(0)
    exp, man = (x >> 3) & 0xF, x & 7
    raw = F(man) * F(2.0 ** -9) if exp == 0 else (F(1) + F(man) / F(8)) * F(2.0 ** (exp - 7))
    return raw * F(0.5)


def ggml_nvfp4(b):
    y = []
    for s_ in range(4):
        d, qs = ue4m3_half(int(b[s_])), [int(v) for v in b[4 + 8 * s_:12 + 8 * s_]]
        y += [F(MXFP4_VALUES[q & 0xF]) * d for q in qs] + [F(MXFP4_VALUES[q >> 4]) * d for q in qs]
    return y


def ggml_tq1_0(b):
    qs, qh, d, y = [int(v) for v in b[0:48]], [int(v) for v in b[48:52]], f16(b, 52), []
    pow3 = [1, 3, 9, 27, 81, 243]
    for start, count, digits, source in ((0, 32, 5, qs), (32, 16, 5, qs), (0, 4, 4, qh)):
        for n in range(digits):
            for m in range(count):
                q = (source[start + m] * pow3[n]) & 0xFF
                y.append(F(((q * 3) >> 8) - 1) * d)
    return y


def ggml_tq2_0(b):
    qs, d, y = [int(v) for v in b[0:64]], f16(b, 64), []
    for j in (0, 32):
        for l in range(4):
            y += [F(((qs[j + m] >> (2 * l)) & 3) - 1) * d for m in range(32)]
    return y


# The grid types read their codebooks from gguf-py (the tables are format data; make_iq_grids.py
# writes the same ones into the Swift sources); everything else below is ggml's loops.
def grid_table(name):
    from gguf import quants
    quant = getattr(quants, name)
    quant.init_grid()
    return quant.grid.reshape(quant.grid_shape).astype(np.int64)


KSIGNS = [i | ((bin(i).count("1") & 1) << 7) for i in range(128)]


def u16(b, offset):
    return int.from_bytes(b[offset:offset + 2].tobytes(), "little")


def signed(value, sign_bits, j):
    return -value if (sign_bits >> j) & 1 else value


def ggml_iq2_xxs(b):
    grid, d, y = grid_table("IQ2_XXS"), f16(b, 0), []
    for ib in range(8):
        aux8, aux1 = [int(v) for v in b[2 + 8 * ib:6 + 8 * ib]], u32(b, 6 + 8 * ib)
        db = d * (F(0.5) + F(aux1 >> 28)) * F(0.25)
        for l in range(4):
            signs = KSIGNS[(aux1 >> (7 * l)) & 127]
            y += [signed(db * F(grid[aux8[l]][j]), signs, j) for j in range(8)]
    return y


def ggml_iq2_xs(b):
    grid, d, y = grid_table("IQ2_XS"), f16(b, 0), []
    for ib in range(8):
        sc = int(b[66 + ib])
        db = [d * (F(0.5) + F(sc & 0xF)) * F(0.25), d * (F(0.5) + F(sc >> 4)) * F(0.25)]
        for l in range(4):
            q = u16(b, 2 + 2 * (4 * ib + l))
            y += [signed(db[l // 2] * F(grid[q & 511][j]), KSIGNS[q >> 9], j) for j in range(8)]
    return y


def ggml_iq2_s(b):
    grid, d, y = grid_table("IQ2_S"), f16(b, 0), []
    for ib in range(8):
        sc, qh = int(b[74 + ib]), int(b[66 + ib])
        db = [d * (F(0.5) + F(sc & 0xF)) * F(0.25), d * (F(0.5) + F(sc >> 4)) * F(0.25)]
        for l in range(4):
            index = int(b[2 + 4 * ib + l]) | ((qh << (8 - 2 * l)) & 0x300)
            signs = int(b[34 + 4 * ib + l])
            y += [signed(db[l // 2] * F(grid[index][j]), signs, j) for j in range(8)]
    return y


def ggml_iq3_xxs(b):
    grid, d, y = grid_table("IQ3_XXS"), f16(b, 0), []
    for ib in range(8):
        aux = u32(b, 66 + 4 * ib)
        db = d * (F(0.5) + F(aux >> 28)) * F(0.5)
        for l in range(4):
            signs = KSIGNS[(aux >> (7 * l)) & 127]
            g1, g2 = grid[int(b[2 + 8 * ib + 2 * l])], grid[int(b[2 + 8 * ib + 2 * l + 1])]
            y += [signed(db * F(g1[j]), signs, j) for j in range(4)]
            y += [signed(db * F(g2[j]), signs, j + 4) for j in range(4)]
    return y


def ggml_iq3_s(b):
    grid, d, y = grid_table("IQ3_S"), f16(b, 0), []
    for ib in range(8):
        scale = (int(b[106 + ib // 2]) >> (4 * (ib % 2))) & 0xF
        db, qh = d * F(1 + 2 * scale), int(b[66 + ib])
        for l in range(4):
            g1 = grid[int(b[2 + 8 * ib + 2 * l]) | ((qh << (8 - 2 * l)) & 256)]
            g2 = grid[int(b[2 + 8 * ib + 2 * l + 1]) | ((qh << (7 - 2 * l)) & 256)]
            signs = int(b[74 + 4 * ib + l])
            y += [signed(db * F(g1[j]), signs, j) for j in range(4)]
            y += [signed(db * F(g2[j]), signs, j + 4) for j in range(4)]
    return y


def ggml_iq1_s(b):
    grid, d, y = grid_table("IQ1_S"), f16(b, 0), []
    for ib in range(8):
        qh = u16(b, 34 + 2 * ib)
        dl = d * F(2 * ((qh >> 12) & 7) + 1)
        delta = F(-0.125) if qh & 0x8000 else F(0.125)
        for l in range(4):
            g = grid[int(b[2 + 4 * ib + l]) | (((qh >> (3 * l)) & 7) << 8)]
            y += [dl * (F(g[j]) + delta) for j in range(8)]
    return y


def ggml_iq1_m(b):
    grid, y = grid_table("IQ1_S"), []
    sc = [u16(b, 48 + 2 * k) for k in range(4)]
    bits = (sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000)
    d = F(np.array([bits], dtype=np.uint16).view(np.float16)[0])
    for ib in range(8):
        dl1 = d * F(2 * ((sc[ib // 2] >> (6 * (ib % 2) + 0)) & 7) + 1)
        dl2 = d * F(2 * ((sc[ib // 2] >> (6 * (ib % 2) + 3)) & 7) + 1)
        qh0, qh1 = int(b[32 + 2 * ib]), int(b[33 + 2 * ib])
        qs = [int(v) for v in b[4 * ib:4 * ib + 4]]
        idx = [qs[0] | ((qh0 << 8) & 0x700), qs[1] | ((qh0 << 4) & 0x700),
               qs[2] | ((qh1 << 8) & 0x700), qs[3] | ((qh1 << 4) & 0x700)]
        delta = [F(-0.125) if flag else F(0.125) for flag in (qh0 & 0x08, qh0 & 0x80, qh1 & 0x08, qh1 & 0x80)]
        for l in range(4):
            dl = dl1 if l < 2 else dl2
            y += [dl * (F(grid[idx[l]][j]) + delta[l]) for j in range(8)]
    return y


def q8_K_dequantize(raw):
    """gguf-py 0.19 has no Q8_K; dequantize_row_q8_K is y = d * q."""
    blocks = raw.reshape(-1, 292)
    d = blocks[:, 0:4].copy().view("<f4").astype(np.float32)
    return (d * blocks[:, 4:260].copy().view(np.int8).astype(np.float32)).reshape(raw.shape[0], -1)


# ---- fixture ----

def main():
    import gguf
    from gguf import GGMLQuantizationType as QT

    legacy = [(QT.Q4_0, ggml_q4_0), (QT.Q5_0, ggml_q5_0), (QT.Q5_1, ggml_q5_1)]
    # K-quants with the byte offsets of their f16 scale fields (ggml's block_q*_K structs).
    kquants = [
        (QT.Q2_K, ggml_q2_K, [80, 82]),
        (QT.Q3_K, ggml_q3_K, [108]),
        (QT.Q4_K, lambda b: ggml_q45_K(b, None, 16), [0, 2]),
        (QT.Q5_K, lambda b: ggml_q45_K(b, 16, 48), [0, 2]),
        (QT.Q6_K, ggml_q6_K, [208]),
        (QT.Q8_K, ggml_q8_K, []),
        (QT.IQ4_NL, ggml_iq4_nl, [0]),
        (QT.IQ4_XS, ggml_iq4_xs, [0]),
        (QT.MXFP4, ggml_mxfp4, []),
        (QT.NVFP4, ggml_nvfp4, []),
        (QT.TQ1_0, ggml_tq1_0, [52]),
        (QT.TQ2_0, ggml_tq2_0, [64]),
        (QT.IQ2_XXS, ggml_iq2_xxs, [0]),
        (QT.IQ2_XS, ggml_iq2_xs, [0]),
        (QT.IQ2_S, ggml_iq2_s, [0]),
        (QT.IQ3_XXS, ggml_iq3_xxs, [0]),
        (QT.IQ3_S, ggml_iq3_s, [0]),
        (QT.IQ1_S, ggml_iq1_s, [0]),
        (QT.IQ1_M, ggml_iq1_m, []),
    ]

    rng = np.random.default_rng(0)
    made = []  # (qtype, raw uint8 [rows, bytes per row], ggml port)
    for qt, port in legacy:
        x = rng.standard_normal((4, 64)).astype(np.float32) * 2.0
        x[3, 32:] = 0.0
        made.append((qt, gguf.quants.quantize(x, qt), port))
    for qt, port, half_fields in kquants:
        (block_size, block_bytes) = gguf.GGML_QUANT_SIZES[qt]
        n_blocks = 1024 // block_size
        raw = rng.integers(0, 256, size=(n_blocks, block_bytes), dtype=np.uint8)
        for k, offset in enumerate(half_fields):
            halves = (rng.standard_normal(n_blocks) * 0.02).astype(np.float16)
            if k == 0:
                halves[1] = np.float16(3e-6)  # subnormal half
            raw[:, offset:offset + 2] = halves.view(np.uint8).reshape(n_blocks, 2)
        if qt == QT.Q8_K:
            raw[:, 0:4] = (rng.standard_normal(n_blocks) * 0.02).astype("<f4").view(np.uint8).reshape(n_blocks, 4)
            q = raw[:, 4:260].view(np.int8).astype(np.int16)
            raw[:, 260:292] = q.reshape(n_blocks, 16, 16).sum(axis=-1).astype("<i2").view(np.uint8)
        if qt == QT.MXFP4:  # exponents up to 250: 12 · 2^(e − 128) stays finite
            raw[:, 0] %= 251
            raw[:7, 0] = [0, 1, 2, 120, 127, 128, 250]
        if qt == QT.IQ1_M:  # its f16 d lives in the top nibbles of the four scale words
            halves = (rng.standard_normal(n_blocks) * 0.02).astype(np.float16)
            halves[1] = np.float16(3e-6)  # subnormal half
            bits = halves.view(np.uint16).astype(np.uint32)
            words = raw[:, 48:56].copy().view("<u2").astype(np.uint32)
            for k in range(4):  # nibble k of d is the top nibble of word k
                words[:, k] = (words[:, k] & 0x0FFF) | (((bits >> (4 * k)) & 0xF) << 12)
            raw[:, 48:56] = words.astype("<u2").view(np.uint8).reshape(n_blocks, 8)
        if qt == QT.NVFP4:
            raw[0, 0:4] = [0x00, 0x7F, 0xC1, 0x07]  # zero, NaN -> 0, bit 7 ignored, subnormal
        made.append((qt, raw.reshape(2, -1), port))

    w = gguf.GGUFWriter(PATH, arch="zotest")
    w.add_string("zotest.generator", "scripts/reference/make_kquant_fixtures.py")
    w.add_string("zotest.script_version", SCRIPT_VERSION)
    w.add_string("zotest.gguf_python", _gguf_version())
    for qt, raw, port in made:
        expected = q8_K_dequantize(raw) if qt == QT.Q8_K else gguf.quants.dequantize(raw, qt)
        expected = np.ascontiguousarray(expected, dtype=np.float32)
        assert np.isfinite(expected).all(), qt.name
        _, block_bytes = gguf.GGML_QUANT_SIZES[qt]
        blocks = raw.reshape(-1, block_bytes)
        ported = np.array([v for blk in blocks for v in port(blk)], dtype=np.float32)
        mismatch = np.flatnonzero(ported.view(np.uint32) != expected.reshape(-1).view(np.uint32))
        assert mismatch.size == 0, (qt.name, mismatch[:8], ported[mismatch[:8]], expected.reshape(-1)[mismatch[:8]])
        name = fixture_name(qt)
        w.add_tensor(name, raw, raw_dtype=qt)
        w.add_tensor(name + ".expected", expected)
        print(f"  {name:5s} {raw.shape[0]}x{expected.shape[1]} values, {blocks.shape[0]} blocks of "
              f"{block_bytes} bytes, |value| <= {float(np.abs(expected).max()):.3g}, "
              f"-0.0 x{int((expected.view(np.uint32) == 0x80000000).sum())}")
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # Read back: the raw blocks must be in the file unchanged.
    r = gguf.GGUFReader(PATH)
    by_name = {t.name: t for t in r.tensors}
    for qt, raw, _ in made:
        t = by_name[fixture_name(qt)]
        assert QT(t.tensor_type) == qt and bytes(t.data.tobytes()) == raw.tobytes(), qt.name
    print(f"wrote {os.path.relpath(PATH, REPO)}: {os.path.getsize(PATH)} bytes")


def fixture_name(qt):
    """The type's name in lower case, K-quants keeping their capital K ("q4_K")."""
    return qt.name.lower().replace("_k", "_K")


def _gguf_version():
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main()
