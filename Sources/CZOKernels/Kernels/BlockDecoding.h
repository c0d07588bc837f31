// ggml's weight blocks decoded to fp32 in 16-lane steps, for a frozen base kept as its GGUF file
// stores it (decoded a tile at a time on every forward, so decoding speed is forward speed). The
// arithmetic is ZOFormats' (ggml-quants.c `dequantize_row_*`) operation for operation — scale products
// in scalar fp32, then per weight the same exact integer-to-float widening and the same multiplies
// and adds in the same order, never fused — so the results are bit-identical to ZOFormats' decoders
// and to ggml's. This file holds the shared helpers, the legacy and K types and the dispatcher; the
// 4-bit codebook, grid and ternary types have a file each, as in ZOFormats.
#ifndef ZO_BLOCK_DECODING_H
#define ZO_BLOCK_DECODING_H

#include "Lanes.h"

typedef uint8_t u8x16 __attribute__((ext_vector_type(16)));
typedef int8_t i8x16 __attribute__((ext_vector_type(16)));

ZO_INLINE u8x16 load_u8x16(const uint8_t *p) {
    u8x16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

ZO_INLINE f32x16 u8_floats(u8x16 v) { return __builtin_convertvector(v, f32x16); }

/// An IEEE half's value (exact; subnormals and infinities included), from its packed bytes: one F16C
/// instruction where the variant has it (the x86 SIMD variants), else the same value bit by bit (a
/// signalling NaN aside, which F16C quiets; loading refuses non-finite weights anyway).
ZO_INLINE float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, sizeof h);
#if defined(ZO_HALF_CONVERSION)
    return _cvtsh_ss(h);
#else
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF, bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000 | mantissa << 13;
    } else if (exponent != 0) {
        bits = sign | (exponent + 112) << 23 | mantissa << 13;
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        float value = (float)mantissa * 0x1p-24f;  // exact: at most 10 significant bits
        memcpy(&bits, &value, sizeof bits);
        bits |= sign;
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
#endif
}

/// Bit `lane` of `word` as bit 4 of each lane (the fifth bits of Q5_0's weights 0–15 or 16–31).
ZO_INLINE f32x16 fifth_bits(uint32_t word) {
    const u32x16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return __builtin_convertvector(((splat_u32(word) >> lanes) & 1) << 4, f32x16);
}

/// A 256-weight K-type block's 6-bit scale and minimum of group g (ggml's `get_scale_min_k4`):
/// groups 0–3 are the low 6 bits of bytes g and g + 4; groups 4–7 take their low 4 bits from the
/// nibbles of byte g + 4 and their top 2 bits from the spare bits of bytes g − 4 and g.
ZO_INLINE void scale_min_k4(const uint8_t *s, int g, float *scale, float *minimum) {
    if (g < 4) {
        *scale = (float)(s[g] & 63);
        *minimum = (float)(s[g + 4] & 63);
    } else {
        *scale = (float)((s[g + 4] & 0x0F) | (s[g - 4] >> 6) << 4);
        *minimum = (float)((s[g + 4] >> 4) | (s[g] >> 6) << 4);
    }
}

/// Where Q2_K and Q3_K keep group g's 2-bit quants (16 weights): bit pair (g >> 1) & 3 of
/// qs[32 · (g >> 3) + 16 · (g & 1) ..< +16].
ZO_INLINE u8x16 two_bit_group(const uint8_t *qs, int g) {
    return (load_u8x16(qs + 32 * (g >> 3) + 16 * (g & 1)) >> (uint8_t)(2 * ((g >> 1) & 3))) & 3;
}

// Q4_0 (18 bytes: f16 d | 16 bytes of nibbles; byte j holds weight j low, j + 16 high): w = d·(q − 8).
static void ZO_FN(decode_q4_0)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 18, dst += 32) {
        const f32x16 d = splat(half_at(src));
        const u8x16 q = load_u8x16(src + 2);
        store(dst, d * (u8_floats(q & 0x0F) - 8.0f));
        store(dst + 16, d * (u8_floats(q >> 4) - 8.0f));
    }
}

// Q4_1 (20 bytes: f16 d | f16 m | nibbles as Q4_0): w = d·q + m.
static void ZO_FN(decode_q4_1)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 20, dst += 32) {
        const f32x16 d = splat(half_at(src)), m = splat(half_at(src + 2));
        const u8x16 q = load_u8x16(src + 4);
        store(dst, d * u8_floats(q & 0x0F) + m);
        store(dst + 16, d * u8_floats(q >> 4) + m);
    }
}

// Q5_0 (22 bytes: f16 d | u32 qh, bit i = weight i's bit 4 | nibbles as Q4_0): w = d·(q − 16).
static void ZO_FN(decode_q5_0)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 22, dst += 32) {
        const f32x16 d = splat(half_at(src));
        uint32_t qh;
        memcpy(&qh, src + 2, sizeof qh);
        const u8x16 q = load_u8x16(src + 6);
        store(dst, d * ((u8_floats(q & 0x0F) + fifth_bits(qh)) - 16.0f));
        store(dst + 16, d * ((u8_floats(q >> 4) + fifth_bits(qh >> 16)) - 16.0f));
    }
}

// Q8_0 (34 bytes: f16 d | 32 × i8 q): w = d·q.
static void ZO_FN(decode_q8_0)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 34, dst += 32) {
        const f32x16 d = splat(half_at(src));
        for (int h = 0; h < 2; h++) {
            i8x16 q;
            memcpy(&q, src + 2 + 16 * h, sizeof q);
            store(dst + 16 * h, d * __builtin_convertvector(q, f32x16));
        }
    }
}

// Q4_K (144 bytes: f16 d | f16 dmin | 12 bytes of 6-bit (scale, min) pairs | 128 bytes of nibbles;
// group g of 32 is nibble g & 1 of bytes 32·(g >> 1) ..< +32): w = (d·s)·q − dmin·m.
static void ZO_FN(decode_q4_k)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 144, dst += 256) {
        const float d = half_at(src), dmin = half_at(src + 2);
        const uint8_t *s = src + 4;
        for (int g = 0; g < 8; g++) {
            float scale, minimum;
            scale_min_k4(s, g, &scale, &minimum);
            const f32x16 dl = splat(d * scale), ml = splat(dmin * minimum);
            const uint8_t *q = src + 16 + 32 * (g >> 1);
            const int shift = 4 * (g & 1);
            for (int h = 0; h < 2; h++) {
                const u8x16 nibbles = (load_u8x16(q + 16 * h) >> (uint8_t)shift) & 0x0F;
                store(dst + 32 * g + 16 * h, dl * u8_floats(nibbles) - ml);
            }
        }
    }
}

// Q6_K (210 bytes: ql[128] | qh[64] | i8 scales[16] | f16 d; see ZOFormats' KQuants): w = (d·s)·(q − 32).
static void ZO_FN(decode_q6_k)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 210, dst += 256) {
        const float d = half_at(src + 208);
        for (int g = 0; g < 16; g++) {
            const int half = g >> 3, k = g & 7;
            const u8x16 low = (load_u8x16(src + 64 * half + 16 * (k & 3)) >> (uint8_t)(4 * (k >> 2))) & 0x0F;
            const u8x16 high = (load_u8x16(src + 128 + 32 * half + 16 * (k & 1)) >> (uint8_t)(2 * (k >> 1))) & 3;
            const f32x16 dl = splat(d * (float)(int8_t)src[192 + g]);
            store(dst + 16 * g, dl * (u8_floats(low | high << 4) - 32.0f));
        }
    }
}

// Q5_1 (24 bytes: f16 d | f16 m | u32 qh | nibbles as Q4_0): w = d·q + m.
static void ZO_FN(decode_q5_1)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 24, dst += 32) {
        const f32x16 d = splat(half_at(src)), m = splat(half_at(src + 2));
        uint32_t qh;
        memcpy(&qh, src + 4, sizeof qh);
        const u8x16 q = load_u8x16(src + 8);
        store(dst, d * (u8_floats(q & 0x0F) + fifth_bits(qh)) + m);
        store(dst + 16, d * (u8_floats(q >> 4) + fifth_bits(qh >> 16)) + m);
    }
}

// Q2_K (84 bytes: scales[16] | qs[64] | f16 d | f16 dmin): group g of 16 has scale byte g (low
// nibble s, high nibble m): w = (d·s)·q − dmin·m.
static void ZO_FN(decode_q2_k)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 84, dst += 256) {
        const float d = half_at(src + 80), dmin = half_at(src + 82);
        for (int g = 0; g < 16; g++) {
            const f32x16 dl = splat(d * (float)(src[g] & 0x0F)), ml = splat(dmin * (float)(src[g] >> 4));
            store(dst + 16 * g, dl * u8_floats(two_bit_group(src + 16, g)) - ml);
        }
    }
}

// Q3_K (110 bytes: hmask[32] | qs[64] | scales[12] | f16 d): group g of 16 has a 6-bit scale s
// (low 4 bits: nibble g >> 3 of scales[g & 7]; high 2: bit pair g >> 2 of scales[8 + (g & 3)]); a
// weight's 2-bit quant loses 4 unless its hmask bit is set: w = (d·(s − 32))·q.
static void ZO_FN(decode_q3_k)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 110, dst += 256) {
        const float d = half_at(src + 108);
        const uint8_t *scales = src + 96;
        for (int g = 0; g < 16; g++) {
            const int low = (scales[g & 7] >> (4 * (g >> 3))) & 0x0F, high = (scales[8 + (g & 3)] >> (2 * (g >> 2))) & 3;
            const f32x16 dl = splat(d * (float)((low | high << 4) - 32));
            const u8x16 kept = (load_u8x16(src + 16 * (g & 1)) >> (uint8_t)(g >> 1)) & 1;
            const i8x16 q = (i8x16)(two_bit_group(src + 32, g) + (kept << 2)) - 4;
            store(dst + 16 * g, dl * __builtin_convertvector(q, f32x16));
        }
    }
}

// Q5_K (176 bytes: f16 d | f16 dmin | 12 scale bytes as Q4_K | qh[32] | qs[128]): Q4_K's weights
// with bit g of qh[i] as bit 4 of group g's weight i.
static void ZO_FN(decode_q5_k)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 176, dst += 256) {
        const float d = half_at(src), dmin = half_at(src + 2);
        for (int g = 0; g < 8; g++) {
            float scale, minimum;
            scale_min_k4(src + 4, g, &scale, &minimum);
            const f32x16 dl = splat(d * scale), ml = splat(dmin * minimum);
            const uint8_t *q = src + 48 + 32 * (g >> 1);
            const int shift = 4 * (g & 1);
            for (int h = 0; h < 2; h++) {
                const u8x16 nibbles = (load_u8x16(q + 16 * h) >> (uint8_t)shift) & 0x0F;
                const u8x16 fifth = ((load_u8x16(src + 16 + 16 * h) >> (uint8_t)g) & 1) << 4;
                store(dst + 32 * g + 16 * h, dl * u8_floats(nibbles | fifth) - ml);
            }
        }
    }
}

// Q8_K (292 bytes: f32 d | 256 × i8 q | 16 i16 group sums, unused here): w = d·q.
static void ZO_FN(decode_q8_k)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 292, dst += 256) {
        float d;
        memcpy(&d, src, sizeof d);
        for (int h = 0; h < 16; h++) {
            i8x16 q;
            memcpy(&q, src + 4 + 16 * h, sizeof q);
            store(dst + 16 * h, splat(d) * __builtin_convertvector(q, f32x16));
        }
    }
}

#include "CodebookDecoding.h"
#include "GridDecoding.h"
#include "TernaryDecoding.h"

/// Weights per block of `type`.
ZO_INLINE ptrdiff_t block_elements(zo_block_type type) {
    switch (type) {
    case ZO_BLOCKS_Q4_K: case ZO_BLOCKS_Q6_K: case ZO_BLOCKS_Q2_K: case ZO_BLOCKS_Q3_K: case ZO_BLOCKS_Q5_K:
    case ZO_BLOCKS_IQ4_XS: case ZO_BLOCKS_IQ2_XXS: case ZO_BLOCKS_IQ2_XS: case ZO_BLOCKS_IQ2_S: case ZO_BLOCKS_IQ3_XXS:
    case ZO_BLOCKS_IQ3_S: case ZO_BLOCKS_IQ1_S: case ZO_BLOCKS_IQ1_M: case ZO_BLOCKS_Q8_K: case ZO_BLOCKS_TQ1_0:
    case ZO_BLOCKS_TQ2_0: return 256;
    case ZO_BLOCKS_NVFP4: return 64;
    default: return 32;
    }
}

static bool ZO_FN(decode_blocks)(zo_block_type type, const void *src, float *dst, ptrdiff_t blocks) {
    const uint8_t *bytes = (const uint8_t *)src;
    switch (type) {
    case ZO_BLOCKS_Q4_0: ZO_FN(decode_q4_0)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q4_1: ZO_FN(decode_q4_1)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q5_0: ZO_FN(decode_q5_0)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q8_0: ZO_FN(decode_q8_0)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q4_K: ZO_FN(decode_q4_k)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q6_K: ZO_FN(decode_q6_k)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q5_1: ZO_FN(decode_q5_1)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q2_K: ZO_FN(decode_q2_k)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q3_K: ZO_FN(decode_q3_k)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q5_K: ZO_FN(decode_q5_k)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ4_NL: ZO_FN(decode_iq4_nl)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ4_XS: ZO_FN(decode_iq4_xs)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ2_XXS: ZO_FN(decode_iq2_xxs)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ2_XS: ZO_FN(decode_iq2_xs)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ2_S: ZO_FN(decode_iq2_s)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ3_XXS: ZO_FN(decode_iq3_xxs)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ3_S: ZO_FN(decode_iq3_s)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ1_S: ZO_FN(decode_iq1_s)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_IQ1_M: ZO_FN(decode_iq1_m)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_Q8_K: ZO_FN(decode_q8_k)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_MXFP4: ZO_FN(decode_mxfp4)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_NVFP4: ZO_FN(decode_nvfp4)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_TQ1_0: ZO_FN(decode_tq1_0)(bytes, dst, blocks); return true;
    case ZO_BLOCKS_TQ2_0: ZO_FN(decode_tq2_0)(bytes, dst, blocks); return true;
    }
    return false;
}

#endif
