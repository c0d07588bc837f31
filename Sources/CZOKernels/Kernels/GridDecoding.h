// ggml's grid types decoded to fp32 (ZOFormats' GridQuants). Included by BlockDecoding.h, whose
// helpers it uses.
#ifndef ZO_GRID_DECODING_H
#define ZO_GRID_DECODING_H

#include "GridCodebooks.h"

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

/// Codebook entries `a` and `b` of 8 bytes each, side by side (copied with memcpy: entries sit at
/// any byte offset, and the copy into a vector is the well-defined way to read them).
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

/// IQ2_XXS's and IQ3_XXS's scale of 32 weights, d·(0.5 + s)·`factor`, from the top 4 bits of
/// their packed word.
ZO_INLINE float packed_scale(float d, uint32_t packed, float factor) { return d * (0.5f + (float)(packed >> 28)) * factor; }
/// The same word's 7-bit sign fields of groups l and l + 1 as one 16-lane sign mask.
ZO_INLINE uint32_t packed_signs(uint32_t packed, int l) {
    return even_signs((packed >> (7 * l)) & 127) | even_signs((packed >> (7 * (l + 1))) & 127) << 8;
}

/// IQ2_XS's and IQ2_S's scale of 16 weights from the low nibble of `nibble`: d·(0.5 + s)·0.25.
ZO_INLINE float quarter_scale(float d, uint32_t nibble) { return d * (0.5f + (float)(nibble & 0x0F)) * 0.25f; }

// IQ2_XXS (66 bytes: f16 d | 8 × (4 index bytes | u32 packed)): the packed word's top 4 bits scale
// 32 weights by d·(0.5 + s)·0.25; its four 7-bit fields are each group's signs.
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

// IQ3_XXS (98 bytes: f16 d | 64 index bytes, 4 weights each | 8 packed u32 as IQ2_XXS's, with
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
static const float iq1_delta = 0.125f;

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
            const float shift = (h & 0x8000) == 0 ? iq1_delta : -iq1_delta;
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
                              nibbles & 0x08 ? -iq1_delta : iq1_delta, nibbles & 0x80 ? -iq1_delta : iq1_delta);
            }
        }
    }
}

#endif
