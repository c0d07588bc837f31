// ggml's 4-bit codebook types decoded to fp32 (ZOFormats' CodebookQuants): each weight is a 4-bit
// index into a 16-value table times a block scale — IQ4_NL's and IQ4_XS's non-linear int8 values, or
// MXFP4's and NVFP4's e2m1 floats. Included by BlockDecoding.h, whose helpers it uses.
#ifndef ZO_CODEBOOK_DECODING_H
#define ZO_CODEBOOK_DECODING_H

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

/// The 16 e2m1 values doubled (ggml's `kvalues_mxfp4`), bit 3 the sign; the block scales are halved.
static const float e2m1_doubled[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// MXFP4 (17 bytes: E8M0 exponent e | nibbles as Q4_0): w = table[q]·2^(e − 128), built as bits
// (`ggml_e8m0_to_fp32_half`, subnormal for e < 2).
static void ZO_FN(decode_mxfp4)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 17, dst += 32) {
        const uint32_t e = src[0], scale_bits = e < 2 ? 0x00200000u << e : (e - 1) << 23;
        float scale;
        memcpy(&scale, &scale_bits, sizeof scale);
        const u8x16 q = load_u8x16(src + 1);
        store(dst, look_up16(e2m1_doubled, q & 0x0F) * splat(scale));
        store(dst + 16, look_up16(e2m1_doubled, q >> 4) * splat(scale));
    }
}

/// An unsigned e4m3 byte (bit 7 ignored) halved, as `ggml_ue4m3_to_fp32`; 0x00 and 0x7F give 0.
ZO_INLINE float half_ue4m3(uint8_t byte) {
    if (byte == 0 || byte == 0x7F) return 0;
    const int exponent = (byte >> 3) & 0x0F;
    const float mantissa = (float)(byte & 7);
    const float raw = exponent == 0 ? mantissa * 0x1p-9f : (1 + mantissa / 8) * ldexpf(1, exponent - 7);
    return raw * 0.5f;
}

// NVFP4 (36 bytes per 64 weights: 4 UE4M3 scales, one per 16 | 4 × 8 bytes of nibbles; in group g,
// byte j holds weight j low and j + 8 high): w = table[q]·(ue4m3(scale g) / 2).
static void ZO_FN(decode_nvfp4)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 36, dst += 64) {
        for (int g = 0; g < 4; g++) {
            u8x16 q;
            memcpy(&q, src + 4 + 8 * g, 8);
            memcpy((uint8_t *)&q + 8, src + 4 + 8 * g, 8);
            const u8x16 low_half = {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4};
            store(dst + 16 * g, look_up16(e2m1_doubled, (q >> low_half) & 0x0F) * splat(half_ue4m3(src[g])));
        }
    }
}

#endif
