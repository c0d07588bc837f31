// One row of W += U·Rᵀ with each element's sum in one fixed order (k = 0, 1, …, r−1 as fused
// multiply-adds from 0, then added to W), whichever of the 64-, 16- or 1-column paths computes it:
// a checkpoint folds W block by block while replay folds it whole, and both must give the same bytes.
#ifndef ZO_LOW_RANK_FOLD_H
#define ZO_LOW_RANK_FOLD_H

#include "Lanes.h"

static void ZO_FN(add_low_rank_row)(const float *u, const float *rt, ptrdiff_t r, ptrdiff_t n, float *w) {
    ptrdiff_t j = 0;
    for (; j + 64 <= n; j += 64) {
        f32x16 a0 = splat(0.0f), a1 = splat(0.0f), a2 = splat(0.0f), a3 = splat(0.0f);
        for (ptrdiff_t k = 0; k < r; k++) {
            f32x16 c = splat(u[k]);
            const float *column = rt + k * n + j;
            a0 = adding_product(a0, c, load(column));
            a1 = adding_product(a1, c, load(column + 16));
            a2 = adding_product(a2, c, load(column + 32));
            a3 = adding_product(a3, c, load(column + 48));
        }
        store(w + j, load(w + j) + a0);
        store(w + j + 16, load(w + j + 16) + a1);
        store(w + j + 32, load(w + j + 32) + a2);
        store(w + j + 48, load(w + j + 48) + a3);
    }
    for (; j + 16 <= n; j += 16) {
        f32x16 a = splat(0.0f);
        for (ptrdiff_t k = 0; k < r; k++) a = adding_product(a, splat(u[k]), load(rt + k * n + j));
        store(w + j, load(w + j) + a);
    }
    for (; j < n; j++) {
        float s = 0;
        for (ptrdiff_t k = 0; k < r; k++) s = adding_product_scalar(s, u[k], rt[k * n + j]);
        w[j] += s;
    }
}

#endif
