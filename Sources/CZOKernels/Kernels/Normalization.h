// RMSNorm (LLaMA) and LayerNorm (GPT-2, OPT, BERT) over rows; `x` and `y` may alias.
#ifndef ZO_NORMALIZATION_H
#define ZO_NORMALIZATION_H

#include "Lanes.h"

/// y = x / sqrt(mean(x²) + eps) · gain, in fp32 like transformers' `LlamaRMSNorm`.
static void ZO_FN(rms_norm)(const float *x, const float *gain, float *y, ptrdiff_t rows, ptrdiff_t width,
                            float epsilon) {
    ptrdiff_t vector_width = width / 16 * 16;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *xr = x + row * width;
        float *yr = y + row * width;
        f32x16 acc0 = splat(0.0f), acc1 = splat(0.0f);
        ptrdiff_t i = 0;
        for (; i + 32 <= vector_width; i += 32) {
            f32x16 a = load(xr + i), b = load(xr + i + 16);
            acc0 = adding_product(acc0, a, a);
            acc1 = adding_product(acc1, b, b);
        }
        if (i < vector_width) {
            f32x16 a = load(xr + i);
            acc0 = adding_product(acc0, a, a);
        }
        float sum = horizontal_sum(acc0 + acc1);
        for (ptrdiff_t j = vector_width; j < width; j++) sum += xr[j] * xr[j];
        float scale = 1.0f / __builtin_elementwise_sqrt(sum / (float)width + epsilon);
        f32x16 s = splat(scale);
        for (i = 0; i < vector_width; i += 16) store(yr + i, load(xr + i) * s * load(gain + i));
        for (ptrdiff_t j = vector_width; j < width; j++) yr[j] = xr[j] * scale * gain[j];
    }
}

/// `nn.LayerNorm` (biased variance) in two passes: the mean, then deviations from it. The one-pass
/// E[x²] − mean² form loses every digit when |mean| ≫ std.
static void ZO_FN(layer_norm)(const float *x, const float *gain, const float *bias, float *y, ptrdiff_t rows,
                              ptrdiff_t width, float epsilon) {
    ptrdiff_t vector_width = width / 16 * 16;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *xr = x + row * width;
        float *yr = y + row * width;
        f32x16 sums = splat(0.0f);
        for (ptrdiff_t i = 0; i < vector_width; i += 16) sums += load(xr + i);
        float sum = horizontal_sum(sums);
        for (ptrdiff_t j = vector_width; j < width; j++) sum += xr[j];
        float rough_mean = sum / (float)width;
        f32x16 deviations = splat(0.0f), squares = splat(0.0f);
        for (ptrdiff_t i = 0; i < vector_width; i += 16) {
            f32x16 d = load(xr + i) - rough_mean;
            deviations += d;
            squares = adding_product(squares, d, d);
        }
        float deviation_sum = horizontal_sum(deviations), square_sum = horizontal_sum(squares);
        for (ptrdiff_t j = vector_width; j < width; j++) {
            float d = xr[j] - rough_mean;
            deviation_sum += d;
            square_sum += d * d;
        }
        // The corrected two-pass form: Σd/n repairs the rounding of the first mean, and the variance
        // subtracts its square. x − mean is taken as (x − roughMean) − correction.
        float correction = deviation_sum / (float)width;
        float variance = square_sum / (float)width - correction * correction;
        if (0.0f >= variance) variance = 0.0f;  // Swift's max(v, 0): NaN stays NaN
        float scale = 1.0f / __builtin_elementwise_sqrt(variance + epsilon);
        for (ptrdiff_t i = 0; i < vector_width; i += 16) {
            f32x16 d = load(xr + i) - rough_mean - correction;
            store(yr + i, adding_product(load(bias + i), d * scale, load(gain + i)));
        }
        for (ptrdiff_t j = vector_width; j < width; j++)
            yr[j] = (xr[j] - rough_mean - correction) * scale * gain[j] + bias[j];
    }
}

#endif
