// ggml's ternary types (BitNet-style weights −1, 0, +1 times a per-256 scale) decoded to fp32
// (ZOFormats' TernaryQuants). Included by BlockDecoding.h, whose helpers it uses.
#ifndef ZO_TERNARY_DECODING_H
#define ZO_TERNARY_DECODING_H

// TQ2_0 (66 bytes: 64 bytes of four 2-bit trits | f16 d): in each half of 32 bytes weights run by
// bit pair (bits 0–1 of the 32 bytes, then 2–3, …); w = (q − 1)·d.
static void ZO_FN(decode_tq2_0)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 66, dst += 256) {
        const f32x16 d = splat(half_at(src + 64));
        for (int half = 0; half < 2; half++) {
            for (int pair = 0; pair < 4; pair++) {
                for (int h = 0; h < 2; h++) {
                    const u8x16 q = (load_u8x16(src + 32 * half + 16 * h) >> (uint8_t)(2 * pair)) & 3;
                    store(dst + 128 * half + 32 * pair + 16 * h, (u8_floats(q) - 1.0f) * d);
                }
            }
        }
    }
}

/// Base-3 digit of bytes already multiplied by 3ⁿ (mod 256): ((b·3ⁿ mod 256)·3) >> 8, minus 1.
ZO_INLINE f32x16 trits(u8x16 shifted) {
    typedef uint16_t u16x16 __attribute__((ext_vector_type(16)));
    return __builtin_convertvector((__builtin_convertvector(shifted, u16x16) * 3) >> 8, f32x16) - 1.0f;
}

// TQ1_0 (54 bytes: 48 bytes of five base-3 digits | 4 bytes of four | f16 d): digit n of byte b is
// ((b·3ⁿ mod 256)·3) >> 8; weights run digit-major over bytes 0–31, then 32–47, then 48–51;
// w = (digit − 1)·d.
static void ZO_FN(decode_tq1_0)(const uint8_t *src, float *dst, ptrdiff_t blocks) {
    for (ptrdiff_t b = 0; b < blocks; b++, src += 54, dst += 256) {
        const f32x16 d = splat(half_at(src + 52));
        uint8_t power = 1;
        for (int n = 0; n < 5; n++, power = (uint8_t)(power * 3)) {
            store(dst + 32 * n, trits(load_u8x16(src) * power) * d);
            store(dst + 32 * n + 16, trits(load_u8x16(src + 16) * power) * d);
            store(dst + 160 + 16 * n, trits(load_u8x16(src + 32) * power) * d);
        }
        // The last 4 bytes' 4 digits, digit-major: lane i is byte i % 4's digit i / 4.
        u8x16 last;
        for (int i = 0; i < 16; i++) last[i] = (uint8_t)(src[48 + i % 4] * (uint8_t)(i < 4 ? 1 : i < 8 ? 3 : i < 12 ? 9 : 27));
        store(dst + 240, trits(last) * d);
    }
}

#endif
