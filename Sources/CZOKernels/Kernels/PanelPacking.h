// What the packers of the AVX-512 product kernels share (BFloat16Products.c: pairs of bf16;
// Int8Products.c: quads of int8): a row's tail mask and a 16×16 transpose of 32-bit words in
// registers. Include it inside the including file's AVX-512 target region.
#ifndef ZO_PANEL_PACKING_H
#define ZO_PANEL_PACKING_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/// Lanes of a 16-wide load at offset `k` of a row of `inner` values that lie inside the row.
static inline __mmask16 zo_inside16(ptrdiff_t k, ptrdiff_t inner) {
    const ptrdiff_t left = inner - k;
    return (__mmask16)(left >= 16 ? 0xFFFF : left <= 0 ? 0 : (1u << left) - 1);
}

/// Writes words p0 ..< p0 + count of a 16-column panel from `rows`: rows[j] holds column j's 16 words
/// (a pair of bf16 or a quad of int8 each), so the panel's word p is the transpose's row p — a 16×16 transpose of
/// 32-bit words in four rounds of shuffles (words, quadwords, then 128-bit lanes twice).
static inline void zo_store_transposed(const __m512i rows[16], uint32_t *panel, ptrdiff_t p0, ptrdiff_t count) {
    __m512i t[16], u[16], out[16];
    for (int a = 0; a < 8; a++) {
        t[2 * a] = _mm512_unpacklo_epi32(rows[2 * a], rows[2 * a + 1]);
        t[2 * a + 1] = _mm512_unpackhi_epi32(rows[2 * a], rows[2 * a + 1]);
    }
    // u[4b + q], 128-bit lane L: column 4L + q of rows 4b ..< 4b + 4.
    for (int b = 0; b < 4; b++) {
        u[4 * b] = _mm512_unpacklo_epi64(t[4 * b], t[4 * b + 2]);
        u[4 * b + 1] = _mm512_unpackhi_epi64(t[4 * b], t[4 * b + 2]);
        u[4 * b + 2] = _mm512_unpacklo_epi64(t[4 * b + 1], t[4 * b + 3]);
        u[4 * b + 3] = _mm512_unpackhi_epi64(t[4 * b + 1], t[4 * b + 3]);
    }
    for (int q = 0; q < 4; q++) {
        __m512i low01 = _mm512_shuffle_i32x4(u[q], u[4 + q], 0x44), low23 = _mm512_shuffle_i32x4(u[8 + q], u[12 + q], 0x44);
        __m512i high01 = _mm512_shuffle_i32x4(u[q], u[4 + q], 0xEE), high23 = _mm512_shuffle_i32x4(u[8 + q], u[12 + q], 0xEE);
        out[q] = _mm512_shuffle_i32x4(low01, low23, 0x88);
        out[4 + q] = _mm512_shuffle_i32x4(low01, low23, 0xDD);
        out[8 + q] = _mm512_shuffle_i32x4(high01, high23, 0x88);
        out[12 + q] = _mm512_shuffle_i32x4(high01, high23, 0xDD);
    }
    for (ptrdiff_t c = 0; c < count; c++) _mm512_storeu_si512(panel + 16 * (p0 + c), out[c]);
}

#endif
