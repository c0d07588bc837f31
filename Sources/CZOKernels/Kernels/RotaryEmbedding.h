// Rotary position embedding in the Hugging Face `rotate_half` convention: dimension i of a head is
// paired with i + headDim/2. The cos/sin tables are built in Swift (RotaryEmbedding).
#ifndef ZO_ROTARY_EMBEDDING_H
#define ZO_ROTARY_EMBEDDING_H

#include "Lanes.h"

static void ZO_FN(rotary_apply)(float *x, ptrdiff_t rows, ptrdiff_t stride, ptrdiff_t heads, ptrdiff_t head_dim,
                                const float *cosines, const float *sines) {
    ptrdiff_t half = head_dim / 2;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *c = cosines + r * half, *s = sines + r * half;
        for (ptrdiff_t h = 0; h < heads; h++) {
            float *head = x + r * stride + h * head_dim;
            ptrdiff_t i = 0;
            for (; i + 16 <= half; i += 16) {
                f32x16 a = load(head + i), b = load(head + half + i);
                f32x16 cv = load(c + i), sv = load(s + i);
                store(head + i, a * cv - b * sv);
                store(head + half + i, b * cv + a * sv);
            }
            for (; i < half; i++) {
                float a = head[i], b = head[half + i];
                head[i] = a * c[i] - b * s[i];
                head[half + i] = b * c[i] + a * s[i];
            }
        }
    }
}

#endif
