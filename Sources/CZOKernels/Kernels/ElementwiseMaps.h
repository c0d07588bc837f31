// In-place elementwise maps: the feed-forward activations (ReLU, GELU, tanh-GELU), the BERT pooler's
// tanh, and exp/erf themselves (for tests of the lane functions).
#ifndef ZO_ELEMENTWISE_MAPS_H
#define ZO_ELEMENTWISE_MAPS_H

#include "LaneMath.h"

/// Applies a 16-lane function to `count` floats in place, the ragged end through one zero-padded
/// vector, so every element sees exactly the same arithmetic.
#define ZO_MAP_IN_PLACE(x, count, f)                                   \
    do {                                                               \
        ptrdiff_t vector_count_ = (count) / 16 * 16;                   \
        for (ptrdiff_t i_ = 0; i_ < vector_count_; i_ += 16)           \
            store((x) + i_, f(load((x) + i_)));                        \
        if (vector_count_ < (count)) {                                 \
            f32x16 tail_ = splat(0.0f);                                \
            for (ptrdiff_t j_ = vector_count_; j_ < (count); j_++)     \
                tail_[j_ - vector_count_] = (x)[j_];                   \
            f32x16 result_ = f(tail_);                                 \
            for (ptrdiff_t j_ = vector_count_; j_ < (count); j_++)     \
                (x)[j_] = result_[j_ - vector_count_];                 \
        }                                                              \
    } while (0)

/// max(x, 0) as Swift's `pointwiseMax` (NaN → 0, −0 → +0).
ZO_INLINE f32x16 relu_lanes(f32x16 v) { return max_with(v, 0.0f); }

/// transformers' `gelu_new` as x·sigmoid(2u), 2u = 2·√(2/π)·(x + 0.044715·x³): one exp per lane.
ZO_INLINE f32x16 gelu_tanh_lanes(f32x16 v) {
    f32x16 twice_u = 1.5957691f * adding_product(v, 0.044715f * v * v, v);
    return v / (1.0f + vector_exp(negated(twice_u)));
}

/// Exact (erf) GELU: x · ½ · (1 + erf(x / √2)).
ZO_INLINE f32x16 gelu_lanes(f32x16 v) { return v * 0.5f * (1.0f + vector_erf(v * 0.7071067811865475f)); }

static void ZO_FN(exp)(float *x, ptrdiff_t count) { ZO_MAP_IN_PLACE(x, count, vector_exp); }
static void ZO_FN(erf)(float *x, ptrdiff_t count) { ZO_MAP_IN_PLACE(x, count, vector_erf); }
static void ZO_FN(tanh)(float *x, ptrdiff_t count) { ZO_MAP_IN_PLACE(x, count, vector_tanh); }
static void ZO_FN(relu)(float *x, ptrdiff_t count) { ZO_MAP_IN_PLACE(x, count, relu_lanes); }
static void ZO_FN(gelu)(float *x, ptrdiff_t count) { ZO_MAP_IN_PLACE(x, count, gelu_lanes); }
static void ZO_FN(gelu_tanh)(float *x, ptrdiff_t count) { ZO_MAP_IN_PLACE(x, count, gelu_tanh_lanes); }

#endif
