// C[m×n] = A[m×k]·B[n×k]ᵀ + beta·C for a few activation rows (a decoding step: one token per
// sequence), B stored like nn.Linear.weight. A GEMM packs B before multiplying, which costs as much as
// the product when m is this small; here every row of B is streamed once per group of up to four
// activation rows, and each output is one dot product: 16 lanes of fused multiply-adds along k, the
// halving tree, then the k % 16 tail in order. That order depends on nothing but k, so a column's
// value is the same in any split of the columns and any grouping of the rows.
#ifndef ZO_SKINNY_PRODUCT_H
#define ZO_SKINNY_PRODUCT_H

#include "Lanes.h"

/// Rows of A whose accumulators stay in registers together (four f32x16 = eight ymm on AVX2).
#define ZO_SKINNY_GROUP 4

ZO_INLINE float ZO_FN(skinny_finish)(f32x16 lanes, const float *a, const float *b, ptrdiff_t from, ptrdiff_t k) {
    float sum = horizontal_sum(lanes);
    for (ptrdiff_t p = from; p < k; p++) sum = adding_product_scalar(sum, a[p], b[p]);
    return sum;
}

static void ZO_FN(skinny_linear)(const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda, const float *b,
                                 ptrdiff_t ldb, ptrdiff_t n, float *c, ptrdiff_t ldc, float beta) {
    const ptrdiff_t whole = k / 16 * 16;
    for (ptrdiff_t first = 0; first < m; first += ZO_SKINNY_GROUP) {
        const ptrdiff_t rows = m - first < ZO_SKINNY_GROUP ? m - first : ZO_SKINNY_GROUP;
        // A group of fewer than four rows repeats its first row in the missing slots (their sums
        // are dropped): one loop for every group size, the weight still read once.
        const float *a0 = a + first * lda;
        const float *a1 = rows > 1 ? a0 + lda : a0, *a2 = rows > 2 ? a0 + 2 * lda : a0, *a3 = rows > 3 ? a0 + 3 * lda : a0;
        for (ptrdiff_t j = 0; j < n; j++) {
            const float *w = b + j * ldb;
            f32x16 s0 = splat(0.0f), s1 = splat(0.0f), s2 = splat(0.0f), s3 = splat(0.0f);
            for (ptrdiff_t p = 0; p < whole; p += 16) {
                f32x16 x = load(w + p);
                s0 = adding_product(s0, load(a0 + p), x);
                s1 = adding_product(s1, load(a1 + p), x);
                s2 = adding_product(s2, load(a2 + p), x);
                s3 = adding_product(s3, load(a3 + p), x);
            }
            const f32x16 sums[ZO_SKINNY_GROUP] = {s0, s1, s2, s3};
            for (ptrdiff_t i = 0; i < rows; i++) {
                float *out = c + (first + i) * ldc + j;
                float value = ZO_FN(skinny_finish)(sums[i], a + (first + i) * lda, w, whole, k);
                *out = beta == 0 ? value : value + beta * *out;
            }
        }
    }
}

#endif
