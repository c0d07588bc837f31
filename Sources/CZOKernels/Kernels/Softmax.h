// Max-shifted softmax in place and log-sum-exp (candidate scoring over the vocabulary).
#ifndef ZO_SOFTMAX_H
#define ZO_SOFTMAX_H

#include <math.h>
#include "LaneMath.h"

/// The largest of `count` floats (NaN lanes never win), −∞ for none: lane-wise maxima, then the 16
/// lanes in order, then the tail.
ZO_INLINE float row_maximum(const float *x, ptrdiff_t count) {
    ptrdiff_t vector_count = count / 16 * 16;
    f32x16 mv = splat(-INFINITY);
    for (ptrdiff_t i = 0; i < vector_count; i += 16) {
        f32x16 v = load(x + i);
        mv = blend(v > mv, v, mv);
    }
    float m = -INFINITY;
    for (int lane = 0; lane < 16; lane++)
        if (mv[lane] > m) m = mv[lane];
    for (ptrdiff_t j = vector_count; j < count; j++)
        if (x[j] > m) m = x[j];
    return m;
}

static void ZO_FN(softmax)(float *x, ptrdiff_t count) {
    ptrdiff_t vector_count = count / 16 * 16;
    float m = row_maximum(x, count);
    f32x16 sum_vector = splat(0.0f);
    for (ptrdiff_t i = 0; i < vector_count; i += 16) {
        f32x16 v = vector_exp(load(x + i) - m);
        store(x + i, v);
        sum_vector += v;
    }
    float sum = horizontal_sum(sum_vector);
    for (ptrdiff_t j = vector_count; j < count; j++) {
        float e = scalar_exp(x[j] - m);
        x[j] = e;
        sum += e;
    }
    float inverse = 1.0f / sum;
    for (ptrdiff_t i = 0; i < vector_count; i += 16) store(x + i, load(x + i) * inverse);
    for (ptrdiff_t j = vector_count; j < count; j++) x[j] *= inverse;
}

static float ZO_FN(log_sum_exp)(const float *x, ptrdiff_t count) {
    ptrdiff_t vector_count = count / 16 * 16;
    float m = row_maximum(x, count);
    if (!isfinite(m)) return m;
    f32x16 sums = splat(0.0f);
    for (ptrdiff_t i = 0; i < vector_count; i += 16) sums += vector_exp(load(x + i) - m);
    float sum = horizontal_sum(sums);
    for (ptrdiff_t j = vector_count; j < count; j++) sum += scalar_exp(x[j] - m);
    return m + (float)log((double)sum);
}

#endif
