// ggml's weight blocks decoded to fp32 in 16-lane steps, for a frozen base kept as its GGUF file
// stores it (decoded a tile at a time on every forward, so decoding speed is forward speed). The
// arithmetic is ZOFormats' (ggml-quants.c `dequantize_row_*`) operation for operation — scale products
// in scalar fp32, then one multiply and one add or subtract per weight, never fused — so the results
// are bit-identical to ZOFormats' decoders and to ggml's.
#ifndef ZO_BLOCK_DECODING_H
#define ZO_BLOCK_DECODING_H

#include "GridCodebooks.h"
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

/// IQ4_NL's and IQ4_XS's 16 values (ggml's `kvalues_iq4nl`).
static const float iq4_values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

/// table[index[i]] in each lane (indices below 16): one permute where the variant has AVX-512.
ZO_INLINE f32x16 look_up16(const float table[16], u8x16 index) {
#if defined(ZO_TABLE_PERMUTE)
    return (f32x16)_mm512_permutexvar_ps(_mm512_cvtepu8_epi32((__m128i)index), _mm512_loadu_ps(table));
#else
    f32x16 values;
    for (int i = 0; i < 16; i++) values[i] = table[index[i]];
    return values;
#endif
}

/// 32 weights from 16 bytes of nibbles (byte j: weight j low, j + 16 high): table[q] · scale.
ZO_INLINE void look_up_nibbles(const uint8_t *qs, float scale, float *dst) {
    const u8x16 q = load_u8x16(qs);
    store(dst, look_up16(iq4_values, q & 0x0F) * splat(scale));
    store(dst + 16, look_up16(iq4_values, q >> 4) * splat(scale));
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

// IQ4_NL (18 bytes: f16 d | nibbles as Q4_0): w = table[q]·d.
static void ZO_FN(decode_iq4_nl)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 18, dst += 32) look_up_nibbles(src + 2, half_at(src), dst);
}

// IQ4_XS (136 bytes: f16 d | u16 high scale bits | 4 bytes of low scale nibbles | 8 × 16 bytes of
// nibbles): group g of 32 has s = nibble g of the low bytes | bits 2g, 2g + 1 of the high word << 4;
// w = table[q]·(d·(s − 32)).
static void ZO_FN(decode_iq4_xs)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 136, dst += 256) {
        const float d = half_at(src);
        uint16_t high;
        memcpy(&high, src + 2, sizeof high);
        for (int g = 0; g < 8; g++) {
            const int scale = ((src[4 + g / 2] >> (4 * (g % 2))) & 0x0F) | ((high >> (2 * g)) & 3) << 4;
            look_up_nibbles(src + 8 + 16 * g, d * (float)(scale - 32), dst + 32 * g);
        }
    }
}

// The grid types: groups of 8 (or 4) weights are a codebook entry (GridCodebooks.h) scaled per 16
// or 32 weights, with signs stored beside them (IQ1's values carry their own, plus a shift). A
// 16-lane step decodes two 8-wide entries (or four 4-wide) that share a scale; as in ZOFormats'
// GridQuants, w = (scale·magnitude) with the sign bit flipped where the sign bit is set.

/// ggml's `ksigns_iq2xs`: 7 stored sign bits, the eighth making the count of minus signs even.
ZO_INLINE uint32_t even_signs(uint32_t seven) { return seven | (uint32_t)(__builtin_popcount(seven) & 1) << 7; }

/// v with lane i's sign bit flipped where bit i of `signs` is set.
ZO_INLINE f32x16 signed_lanes(f32x16 v, uint32_t signs) {
    const u32x16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return from_bits(bits(v) ^ (((splat_u32(signs) >> lanes) & 1) << 31));
}

/// Codebook entries `a` and `b` of 8 bytes each, side by side.
ZO_INLINE u8x16 two_entries(const uint8_t *grid, uint32_t a, uint32_t b) {
    u8x16 v;
    memcpy(&v, grid + 8 * a, 8);
    memcpy((uint8_t *)&v + 8, grid + 8 * b, 8);
    return v;
}

/// Four 4-byte codebook entries side by side.
ZO_INLINE u8x16 four_entries(const uint8_t *grid, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    u8x16 v;
    memcpy(&v, grid + 4 * a, 4);
    memcpy((uint8_t *)&v + 4, grid + 4 * b, 4);
    memcpy((uint8_t *)&v + 8, grid + 4 * c, 4);
    memcpy((uint8_t *)&v + 12, grid + 4 * d, 4);
    return v;
}

/// 16 weights: (scale·magnitudes) with signs applied.
ZO_INLINE void store_signed(float *dst, u8x16 magnitudes, float scale, uint32_t signs) {
    store(dst, signed_lanes(splat(scale) * u8_floats(magnitudes), signs));
}

/// IQ2_XXS's and IQ3_XXS's word per 32 weights: a scale d·(0.5 + s)·`factor` from its top 4 bits,
/// and four 7-bit sign fields, of which groups l and l + 1's become one 16-lane sign mask.
ZO_INLINE float packed_scale(float d, uint32_t packed, float factor) { return d * (0.5f + (float)(packed >> 28)) * factor; }
ZO_INLINE uint32_t packed_signs(uint32_t packed, int l) {
    return even_signs((packed >> (7 * l)) & 127) | even_signs((packed >> (7 * (l + 1))) & 127) << 8;
}

/// IQ2_XS's and IQ2_S's scale of 16 weights from the low nibble of `nibble`: d·(0.5 + s)·0.25.
ZO_INLINE float quarter_scale(float d, uint32_t nibble) { return d * (0.5f + (float)(nibble & 0x0F)) * 0.25f; }

// IQ2_XXS (66 bytes: f16 d | 8 × (4 index bytes | u32 w)): w's top 4 bits scale 32 weights by
// d·(0.5 + s)·0.25; its four 7-bit fields are each group's signs.
static void ZO_FN(decode_iq2_xxs)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 66, dst += 256) {
        const float d = half_at(src);
        for (int g = 0; g < 8; g++) {
            const uint8_t *indices = src + 2 + 8 * g;
            uint32_t packed;
            memcpy(&packed, indices + 4, sizeof packed);
            const float db = packed_scale(d, packed, 0.25f);
            for (int l = 0; l < 4; l += 2) {
                store_signed(dst + 32 * g + 8 * l, two_entries(zo_grid_iq2xxs, indices[l], indices[l + 1]), db,
                             packed_signs(packed, l));
            }
        }
    }
}

// IQ2_XS (74 bytes: f16 d | 32 u16 (9-bit index | 7-bit signs) | 8 scale bytes, a nibble per 16).
static void ZO_FN(decode_iq2_xs)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 74, dst += 256) {
        const float d = half_at(src);
        for (int g = 0; g < 8; g++) {
            for (int l = 0; l < 4; l += 2) {
                uint16_t q[2];
                memcpy(q, src + 2 + 2 * (4 * g + l), sizeof q);
                const float db = quarter_scale(d, src[66 + g] >> (4 * (l / 2)));
                const uint32_t signs = even_signs(q[0] >> 9) | even_signs(q[1] >> 9) << 8;
                store_signed(dst + 32 * g + 8 * l, two_entries(zo_grid_iq2xs, q[0] & 511, q[1] & 511), db, signs);
            }
        }
    }
}

// IQ2_S (82 bytes: f16 d | 32 index bytes | 32 sign bytes | 8 bytes of 2-bit index high parts | 8
// scale bytes, a nibble per 16).
static void ZO_FN(decode_iq2_s)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 82, dst += 256) {
        const float d = half_at(src);
        const uint8_t *indices = src + 2, *signs = src + 34, *high = src + 66, *scales = src + 74;
        for (int g = 0; g < 8; g++) {
            for (int l = 0; l < 4; l += 2) {
                const float db = quarter_scale(d, scales[g] >> (4 * (l / 2)));
                const uint32_t a = indices[4 * g + l] | ((high[g] >> (2 * l)) & 3) << 8;
                const uint32_t c = indices[4 * g + l + 1] | ((high[g] >> (2 * (l + 1))) & 3) << 8;
                store_signed(dst + 32 * g + 8 * l, two_entries(zo_grid_iq2s, a, c), db,
                             signs[4 * g + l] | (uint32_t)signs[4 * g + l + 1] << 8);
            }
        }
    }
}

// IQ3_XXS (98 bytes: f16 d | 64 index bytes, 4 weights each | 8 u32 w as IQ2_XXS's, with
// d·(0.5 + s)·0.5).
static void ZO_FN(decode_iq3_xxs)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 98, dst += 256) {
        const float d = half_at(src);
        for (int g = 0; g < 8; g++) {
            uint32_t packed;
            memcpy(&packed, src + 66 + 4 * g, sizeof packed);
            const float db = packed_scale(d, packed, 0.5f);
            for (int l = 0; l < 4; l += 2) {
                const uint8_t *i = src + 2 + 8 * g + 2 * l;
                store_signed(dst + 32 * g + 8 * l, four_entries(zo_grid_iq3xxs, i[0], i[1], i[2], i[3]), db,
                             packed_signs(packed, l));
            }
        }
    }
}

// IQ3_S (110 bytes: f16 d | 64 index bytes | 8 bytes of index high bits | 32 sign bytes | 4 scale
// bytes, a nibble per 32): scale d·(1 + 2s).
static void ZO_FN(decode_iq3_s)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 110, dst += 256) {
        const float d = half_at(src);
        const uint8_t *indices = src + 2, *high = src + 66, *signs = src + 74, *scales = src + 106;
        for (int g = 0; g < 8; g++) {
            const float db = d * (float)(1 + 2 * ((scales[g / 2] >> (4 * (g % 2))) & 0x0F));
            for (int l = 0; l < 4; l += 2) {
                uint32_t e[4];
                for (int k = 0; k < 4; k++) e[k] = indices[8 * g + 2 * l + k] | ((high[g] >> (2 * l + k)) & 1) << 8;
                store_signed(dst + 32 * g + 8 * l, four_entries(zo_grid_iq3s, e[0], e[1], e[2], e[3]), db,
                             signs[4 * g + l] | (uint32_t)signs[4 * g + l + 1] << 8);
            }
        }
    }
}

/// IQ1's shift of every codebook value (`IQ1S_DELTA`), negated by a flag bit.
#define ZO_IQ1_DELTA 0.125f

/// 16 IQ1 weights from two entries: scale·(value + shift), each entry with its own shift.
ZO_INLINE void store_shifted(float *dst, uint32_t a, uint32_t b, float scale, float shift_a, float shift_b) {
    const i8x16 values = (i8x16)two_entries(zo_grid_iq1s, a, b);
    const i32x16 first = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    store(dst, splat(scale) * (__builtin_convertvector(values, f32x16) + blend(first, splat(shift_a), splat(shift_b))));
}

// IQ1_S (50 bytes: f16 d | 32 index bytes | 8 u16 h, per 32 weights: 3 index high bits per group,
// a 3-bit scale, the shift's sign): w = (d·(2s + 1))·(g + ±0.125).
static void ZO_FN(decode_iq1_s)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 50, dst += 256) {
        const float d = half_at(src);
        const uint8_t *indices = src + 2;
        for (int g = 0; g < 8; g++) {
            uint16_t h;
            memcpy(&h, src + 34 + 2 * g, sizeof h);
            const float dl = d * (float)(2 * ((h >> 12) & 7) + 1);
            const float shift = (h & 0x8000) == 0 ? ZO_IQ1_DELTA : -ZO_IQ1_DELTA;
            for (int l = 0; l < 4; l += 2) {
                store_shifted(dst + 32 * g + 8 * l, indices[4 * g + l] | ((h >> (3 * l)) & 7) << 8,
                              indices[4 * g + l + 1] | ((h >> (3 * (l + 1))) & 7) << 8, dl, shift, shift);
            }
        }
    }
}

// IQ1_M (56 bytes: 32 index bytes | 16 bytes, per 8 weights 3 index high bits and the shift's sign
// | 4 u16 of 3-bit scales per 16 weights, the f16 d in their top nibbles).
static void ZO_FN(decode_iq1_m)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 56, dst += 256) {
        uint16_t sc[4];
        memcpy(sc, src + 48, sizeof sc);
        const uint16_t d_bits = (uint16_t)(sc[0] >> 12 | (sc[1] >> 8 & 0x00F0) | (sc[2] >> 4 & 0x0F00) | (sc[3] & 0xF000));
        uint8_t d_bytes[2];
        memcpy(d_bytes, &d_bits, sizeof d_bytes);
        const float d = half_at(d_bytes);
        const uint8_t *indices = src, *high = src + 32;
        for (int g = 0; g < 8; g++) {
            for (int l = 0; l < 4; l += 2) {
                const float dl = d * (float)(2 * ((sc[g / 2] >> (6 * (g % 2) + 3 * (l / 2))) & 7) + 1);
                const uint32_t nibbles = high[2 * g + l / 2];  // low nibble: group l, high: l + 1
                store_shifted(dst + 32 * g + 8 * l, indices[4 * g + l] | (nibbles & 7) << 8,
                              indices[4 * g + l + 1] | (nibbles >> 4 & 7) << 8, dl,
                              nibbles & 0x08 ? -ZO_IQ1_DELTA : ZO_IQ1_DELTA, nibbles & 0x80 ? -ZO_IQ1_DELTA : ZO_IQ1_DELTA);
            }
        }
    }
}

/// Weights per block of `type`.
ZO_INLINE ptrdiff_t block_elements(zo_block_type type) {
    switch (type) {
    case ZO_BLOCKS_Q4_K: case ZO_BLOCKS_Q6_K: case ZO_BLOCKS_Q2_K: case ZO_BLOCKS_Q3_K: case ZO_BLOCKS_Q5_K:
    case ZO_BLOCKS_IQ4_XS: case ZO_BLOCKS_IQ2_XXS: case ZO_BLOCKS_IQ2_XS: case ZO_BLOCKS_IQ2_S: case ZO_BLOCKS_IQ3_XXS:
    case ZO_BLOCKS_IQ3_S: case ZO_BLOCKS_IQ1_S: case ZO_BLOCKS_IQ1_M: return 256;
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
    }
    return false;
}

#endif
