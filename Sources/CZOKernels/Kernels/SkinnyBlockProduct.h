// The skinny product (SkinnyProduct.h) with a weight kept as ggml blocks: each weight row is decoded
// into a row of scratch that stays in the first-level cache, then multiplied by every activation row
// before the next row is decoded. Decoding a whole tile first (EncodedLinear's path for many rows)
// writes and re-reads 4 bytes per weight through memory, which at a decoding step's one to eight
// rows costs as much as reading fp32 weights; here only the blocks are read from memory. The decoded
// values and the dot products are the tile path's operation for operation, so the bits are too.
#ifndef ZO_SKINNY_BLOCK_PRODUCT_H
#define ZO_SKINNY_BLOCK_PRODUCT_H

#include "BlockDecoding.h"
#include "SkinnyProduct.h"

/// C[m×n] = A[m×k]·Wᵀ + beta·C where row j of W is the `k / block elements` blocks at
/// `w + file_rows[j]·row_bytes` (`file_rows` NULL: row j itself); `row` is room for
/// ZO_SKINNY_DECODED_ROWS·k floats (one activation row meets four weight rows at a time, as in
/// `skinny_linear`).
static bool ZO_FN(skinny_blocks)(zo_block_type type, const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda,
                                 const void *w, ptrdiff_t row_bytes, const int64_t *file_rows, ptrdiff_t n, float *c,
                                 ptrdiff_t ldc, float beta, float *row) {
    const ptrdiff_t elements = block_elements(type);
    if (k % elements != 0) return false;
    const uint8_t *bytes = (const uint8_t *)w;
    ptrdiff_t j0 = 0;
    if (m == 1) {
        for (; j0 + 4 <= n; j0 += 4) {
            for (ptrdiff_t i = 0; i < 4; i++) {
                const ptrdiff_t source = file_rows ? (ptrdiff_t)file_rows[j0 + i] : j0 + i;
                if (!ZO_FN(decode_blocks)(type, bytes + source * row_bytes, row + i * k, k / elements)) return false;
            }
            ZO_FN(skinny_quad)(a, k, row, row + k, row + 2 * k, row + 3 * k, c + j0, beta);
        }
    }
    for (ptrdiff_t j = j0; j < n; j++) {
        const ptrdiff_t source = file_rows ? (ptrdiff_t)file_rows[j] : j;
        if (!ZO_FN(decode_blocks)(type, bytes + source * row_bytes, row, k / elements)) return false;
        for (ptrdiff_t first = 0; first < m; first += ZO_SKINNY_GROUP) {
            const ptrdiff_t rows = m - first < ZO_SKINNY_GROUP ? m - first : ZO_SKINNY_GROUP;
            ZO_FN(skinny_group)(a + first * lda, rows, lda, k, row, c + first * ldc + j, ldc, beta);
        }
    }
    return true;
}

#endif
