// The two row kernels around a linear layer's GEMM: adding its bias, and SwiGLU's gating.
#ifndef ZO_BIAS_AND_GATING_H
#define ZO_BIAS_AND_GATING_H

#include "LaneMath.h"

/// x[r, 0..<width] += bias for `rows` rows `stride` floats apart (also into one slice of q|k|v).
static void ZO_FN(add_bias)(const float *bias, float *x, ptrdiff_t rows, ptrdiff_t width, ptrdiff_t stride) {
    ptrdiff_t vector_width = width / 16 * 16;
    for (ptrdiff_t row = 0; row < rows; row++) {
        float *xr = x + row * stride;
        for (ptrdiff_t i = 0; i < vector_width; i += 16) store(xr + i, load(xr + i) + load(bias + i));
        for (ptrdiff_t j = vector_width; j < width; j++) xr[j] += bias[j];
    }
}

/// out[r, j] = silu(gate[r, j]) · up[r, j], each input row `[gate (width) | up (width)]`.
static void ZO_FN(swiglu)(const float *gate_up, float *out, ptrdiff_t rows, ptrdiff_t width) {
    ptrdiff_t vector_width = width / 16 * 16;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *g = gate_up + row * 2 * width;
        const float *u = g + width;
        float *o = out + row * width;
        for (ptrdiff_t i = 0; i < vector_width; i += 16) {
            f32x16 gv = load(g + i);
            f32x16 silu = gv / (1.0f + vector_exp(negated(gv)));
            store(o + i, silu * load(u + i));
        }
        for (ptrdiff_t j = vector_width; j < width; j++) {
            float x = g[j];
            o[j] = x / (1.0f + scalar_exp(-x)) * u[j];
        }
    }
}

#endif
