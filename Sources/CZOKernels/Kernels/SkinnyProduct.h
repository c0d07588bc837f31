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

/// One weight row `w` against a group of up to four activation rows (`lda` apart): c[i·ldc] for
/// i < rows gets row i's dot product with w (+ beta times its value).
ZO_INLINE void ZO_FN(skinny_group)(const float *a, ptrdiff_t rows, ptrdiff_t lda, ptrdiff_t k, const float *w,
                                    float *c, ptrdiff_t ldc, float beta) {
    const ptrdiff_t whole = k / 16 * 16;
    // A group of fewer than four rows repeats its first row in the missing slots (their sums are
    // dropped): one loop for every group size, the weight still read once.
    const float *a0 = a;
    const float *a1 = rows > 1 ? a0 + lda : a0, *a2 = rows > 2 ? a0 + 2 * lda : a0, *a3 = rows > 3 ? a0 + 3 * lda : a0;
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
        float *out = c + i * ldc;
        float value = ZO_FN(skinny_finish)(sums[i], a + i * lda, w, whole, k);
        *out = beta == 0 ? value : value + beta * *out;
    }
}

/// One activation row `a` against four weight rows: c[i] (+ beta times its value) for i < 4 gets
/// a·w_i. The four chains run side by side, so one row is not held up by one chain's latency; each
/// is the chain `skinny_group` runs, so the bits are too.
ZO_INLINE void ZO_FN(skinny_quad)(const float *a, ptrdiff_t k, const float *w0, const float *w1, const float *w2,
                                   const float *w3, float *c, float beta) {
    const ptrdiff_t whole = k / 16 * 16;
    f32x16 s0 = splat(0.0f), s1 = splat(0.0f), s2 = splat(0.0f), s3 = splat(0.0f);
    for (ptrdiff_t p = 0; p < whole; p += 16) {
        f32x16 x = load(a + p);
        s0 = adding_product(s0, x, load(w0 + p));
        s1 = adding_product(s1, x, load(w1 + p));
        s2 = adding_product(s2, x, load(w2 + p));
        s3 = adding_product(s3, x, load(w3 + p));
    }
    const f32x16 sums[4] = {s0, s1, s2, s3};
    const float *w[4] = {w0, w1, w2, w3};
    for (int i = 0; i < 4; i++) {
        float value = ZO_FN(skinny_finish)(sums[i], a, w[i], whole, k);
        c[i] = beta == 0 ? value : value + beta * c[i];
    }
}

static void ZO_FN(skinny_linear)(const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda, const float *b,
                                 ptrdiff_t ldb, ptrdiff_t n, float *c, ptrdiff_t ldc, float beta) {
    ptrdiff_t j0 = 0;
    if (m == 1) {
        for (; j0 + 4 <= n; j0 += 4) {
            const float *w = b + j0 * ldb;
            ZO_FN(skinny_quad)(a, k, w, w + ldb, w + 2 * ldb, w + 3 * ldb, c + j0, beta);
        }
    }
    for (ptrdiff_t first = 0; first < m; first += ZO_SKINNY_GROUP) {
        const ptrdiff_t rows = m - first < ZO_SKINNY_GROUP ? m - first : ZO_SKINNY_GROUP;
        for (ptrdiff_t j = j0; j < n; j++) {
            ZO_FN(skinny_group)(a + first * lda, rows, lda, k, b + j * ldb, c + first * ldc + j, ldc, beta);
        }
    }
}

#endif
