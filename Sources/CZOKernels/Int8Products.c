// Matrix products on a frozen weight in int8 with AVX512-VNNI's `vpdpbusd` (64 multiply-adds per
// instruction: four times the fp32 FMA's, at the FMA's rate on Sapphire/Emerald Rapids and Zen 4/5).
// The only file whose code may use VNNI instructions; the caller asks `zo_int8_products_available`.
//
// Quantization (as llama.cpp's q8 activations): weights and activations are cut into blocks of
// ZO_INT8_BLOCK consecutive inputs, each block scaled by its largest magnitude to int8 in
// [-127, 127] (q = rint(x · 127/max), value ≈ q · max/127); a block holding a non-finite value gets
// a NaN scale, so the outputs it touches are NaN, as the fp32 product's would be non-finite.
// `vpdpbusd` multiplies unsigned by signed bytes: weights are stored as q + 128, and the block's
// 128 · Σ q of the activations is subtracted from each integer dot product.
//
// Layout. Weights: panels of 16 output columns; per block, 16 words per column of 4 consecutive
// inputs — for each word index, the 16 columns' words as one zmm; beside them, per panel and block,
// the 16 columns' scales. Activations: rows of whole blocks of int8, a scale and an offset per row
// and block.
//
// Order of operations. A block's integer dot product is exact; each output then accumulates
// fp32 terms (dot · (activation scale · weight scale), one fused multiply-add per block) in block
// order, stored and reloaded exactly between chunks of blocks, so its bits depend on neither the
// rows or columns computed beside it nor how the columns are shared out.
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "CZOKernels.h"

ptrdiff_t zo_int8_blocks(ptrdiff_t inner) { return (inner + ZO_INT8_BLOCK - 1) / ZO_INT8_BLOCK; }

ptrdiff_t zo_int8_panel_bytes(ptrdiff_t columns, ptrdiff_t inner) {
    return (columns + 15) / 16 * 16 * zo_int8_blocks(inner) * ZO_INT8_BLOCK;
}

ptrdiff_t zo_int8_panel_scales(ptrdiff_t columns, ptrdiff_t inner) {
    return (columns + 15) / 16 * 16 * zo_int8_blocks(inner);
}

#if defined(__x86_64__)
#include <immintrin.h>

bool zo_int8_products_available(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)

#include "Kernels/PanelPacking.h"

/// Blocks between fp32 stores of the accumulators: 16 blocks of 32 columns is a 32 KiB weight chunk
/// (stays in L1 while every row passes).
#define ZO_INT8_CHUNK_BLOCKS 16
/// Rows and 16-column groups per register tile: 6 × 2 integer and 6 × 2 fp32 accumulators.
#define ZO_INT8_TILE_ROWS 6
#define ZO_INT8_TILE_GROUPS 2
#define ZO_INT8_WORDS (ZO_INT8_BLOCK / 4)

/// One block of one row (`ZO_INT8_BLOCK` values from `x`, of which `count` lie in the row) as int8
/// in a zmm (byte i = value i), with its scale; `sum` gets Σ q.
static inline __m512i quantize_block(const float *x, ptrdiff_t count, float *scale, int32_t *sum) {
    __m512 v[4];
    __m512 largest = _mm512_setzero_ps();
    __mmask16 nonfinite = 0;
    for (int i = 0; i < 4; i++) {
        v[i] = _mm512_maskz_loadu_ps(zo_inside16(16 * i, count), x + 16 * i);
        largest = _mm512_max_ps(largest, _mm512_abs_ps(v[i]));
        const __m512 zero = _mm512_mul_ps(v[i], _mm512_setzero_ps());  // NaN exactly for inf and NaN
        nonfinite |= _mm512_cmp_ps_mask(zero, zero, _CMP_UNORD_Q);
    }
    const float amax = _mm512_reduce_max_ps(largest);
    if (nonfinite) {
        *scale = NAN;
        *sum = 0;
        return _mm512_setzero_si512();
    }
    *scale = amax / 127.0f;
    const __m512 inverse = _mm512_set1_ps(amax > 0 ? 127.0f / amax : 0.0f);
    __m512i total = _mm512_setzero_si512();
    __m128i bytes[4];
    for (int i = 0; i < 4; i++) {
        __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(v[i], inverse));  // round to nearest even
        q = _mm512_max_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(127)), _mm512_set1_epi32(-127));
        total = _mm512_add_epi32(total, q);
        bytes[i] = _mm512_cvtepi32_epi8(q);
    }
    *sum = _mm512_reduce_add_epi32(total);
    __m512i out = _mm512_castsi128_si512(bytes[0]);
    out = _mm512_inserti32x4(out, bytes[1], 1);
    out = _mm512_inserti32x4(out, bytes[2], 2);
    return _mm512_inserti32x4(out, bytes[3], 3);
}

void zo_int8_quantize_activations(const float *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t inner, int8_t *q,
                                  float *scales, int32_t *offsets) {
    const ptrdiff_t blocks = zo_int8_blocks(inner);
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t b = 0; b < blocks; b++) {
            const ptrdiff_t k = b * ZO_INT8_BLOCK, count = inner - k < ZO_INT8_BLOCK ? inner - k : ZO_INT8_BLOCK;
            int32_t sum;
            const __m512i block = quantize_block(a + r * lda + k, count, &scales[r * blocks + b], &sum);
            offsets[r * blocks + b] = 128 * sum;
            _mm512_storeu_si512(q + (r * blocks + b) * ZO_INT8_BLOCK, block);
        }
    }
}

void zo_int8_pack_f32(const float *w, ptrdiff_t columns, ptrdiff_t inner, uint8_t *panels, float *scales) {
    const ptrdiff_t blocks = zo_int8_blocks(inner);
    const ptrdiff_t groups = (columns + 15) / 16;
    const __m512i bias = _mm512_set1_epi8((char)0x80);  // q + 128 for q in [-127, 127]
    for (ptrdiff_t g = 0; g < groups; g++) {
        const ptrdiff_t n0 = g * 16, count = columns - n0 < 16 ? columns - n0 : 16;
        for (ptrdiff_t b = 0; b < blocks; b++) {
            const ptrdiff_t k = b * ZO_INT8_BLOCK, values = inner - k < ZO_INT8_BLOCK ? inner - k : ZO_INT8_BLOCK;
            float *block_scales = scales + (g * blocks + b) * 16;
            __m512i rows[16];
            for (ptrdiff_t j = 0; j < 16; j++) {
                if (j < count) {
                    int32_t unused;
                    rows[j] = _mm512_xor_si512(quantize_block(w + (n0 + j) * inner + k, values, &block_scales[j], &unused), bias);
                } else {
                    rows[j] = bias;  // q = 0 in a column beyond the weight
                    block_scales[j] = 0;
                }
            }
            zo_store_transposed(rows, (uint32_t *)(void *)(panels + (g * blocks + b) * 16 * ZO_INT8_BLOCK), 0, 16);
        }
    }
}

/// One register tile: c[rows × 16·groups] (+)= the blocks b0..<b1 of the activation rows and panels.
static inline __attribute__((always_inline)) void int8_tile(
    const int rows, const int groups, const int8_t *q, const float *a_scales, const int32_t *a_offsets,
    ptrdiff_t blocks, const uint8_t *panels, const float *w_scales, ptrdiff_t b0, ptrdiff_t b1, float *c,
    ptrdiff_t ldc, bool load, __mmask16 last_mask) {
    __m512 acc[ZO_INT8_TILE_ROWS][ZO_INT8_TILE_GROUPS];
#pragma clang loop unroll(full)
    for (int r = 0; r < rows; r++) {
#pragma clang loop unroll(full)
        for (int g = 0; g < groups; g++) {
            __mmask16 mask = g == groups - 1 ? last_mask : (__mmask16)0xFFFF;
            acc[r][g] = load ? _mm512_maskz_loadu_ps(mask, c + r * ldc + 16 * g) : _mm512_setzero_ps();
        }
    }
    for (ptrdiff_t b = b0; b < b1; b++) {
        __m512i dot[ZO_INT8_TILE_ROWS][ZO_INT8_TILE_GROUPS];
#pragma clang loop unroll(full)
        for (int r = 0; r < rows; r++) {
#pragma clang loop unroll(full)
            // Starting from −128·Σq removes the u8 bias inside the exact sum, not as an extra op per block.
            for (int g = 0; g < groups; g++) dot[r][g] = _mm512_set1_epi32(-a_offsets[r * blocks + b]);
        }
        const uint8_t *block = panels + b * 16 * ZO_INT8_BLOCK;
#pragma clang loop unroll(full)
        for (int word = 0; word < ZO_INT8_WORDS; word++) {
            __m512i weights[ZO_INT8_TILE_GROUPS];
#pragma clang loop unroll(full)
            for (int g = 0; g < groups; g++) {
                weights[g] = _mm512_loadu_si512(block + g * blocks * 16 * ZO_INT8_BLOCK + 64 * word);
            }
#pragma clang loop unroll(full)
            for (int r = 0; r < rows; r++) {
                const __m512i x = _mm512_set1_epi32(*(const int32_t *)(const void *)(q + (r * blocks + b) * ZO_INT8_BLOCK + 4 * word));
#pragma clang loop unroll(full)
                for (int g = 0; g < groups; g++) dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], weights[g], x);
            }
        }
        __m512 scale[ZO_INT8_TILE_GROUPS];
#pragma clang loop unroll(full)
        for (int g = 0; g < groups; g++) scale[g] = _mm512_loadu_ps(w_scales + (g * blocks + b) * 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < rows; r++) {
            const __m512 row_scale = _mm512_set1_ps(a_scales[r * blocks + b]);
#pragma clang loop unroll(full)
            for (int g = 0; g < groups; g++) {
                const __m512 exact = _mm512_cvtepi32_ps(dot[r][g]);
                acc[r][g] = _mm512_fmadd_ps(exact, _mm512_mul_ps(row_scale, scale[g]), acc[r][g]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < rows; r++) {
#pragma clang loop unroll(full)
        for (int g = 0; g < groups; g++) {
            __mmask16 mask = g == groups - 1 ? last_mask : (__mmask16)0xFFFF;
            _mm512_mask_storeu_ps(c + r * ldc + 16 * g, mask, acc[r][g]);
        }
    }
}

#define ZO_INT8_TILE_CASE(R, G)                                                                                     \
    case (R) * 4 + (G):                                                                                              \
        int8_tile(R, G, q, a_scales, a_offsets, blocks, panels, w_scales, b0, b1, c, ldc, load, last_mask);          \
        break;
#define ZO_INT8_TILE_ROW_CASES(R) ZO_INT8_TILE_CASE(R, 1) ZO_INT8_TILE_CASE(R, 2)

static void int8_tile_any(int rows, int groups, const int8_t *q, const float *a_scales, const int32_t *a_offsets,
                          ptrdiff_t blocks, const uint8_t *panels, const float *w_scales, ptrdiff_t b0, ptrdiff_t b1,
                          float *c, ptrdiff_t ldc, bool load, __mmask16 last_mask) {
    switch (rows * 4 + groups) {
        ZO_INT8_TILE_ROW_CASES(1)
        ZO_INT8_TILE_ROW_CASES(2)
        ZO_INT8_TILE_ROW_CASES(3)
        ZO_INT8_TILE_ROW_CASES(4)
        ZO_INT8_TILE_ROW_CASES(5)
        ZO_INT8_TILE_ROW_CASES(6)
    default:
        break;
    }
}

void zo_int8_gemm(const int8_t *q, const float *a_scales, const int32_t *a_offsets, ptrdiff_t rows, ptrdiff_t inner,
                  const uint8_t *panels, const float *w_scales, ptrdiff_t columns, float *c, ptrdiff_t ldc,
                  bool accumulate) {
    const ptrdiff_t blocks = zo_int8_blocks(inner);
    const ptrdiff_t groups = (columns + 15) / 16;
    const int tail = (int)(columns - (groups - 1) * 16);
    const __mmask16 tail_mask = (__mmask16)(tail == 16 ? 0xFFFF : (1u << tail) - 1);
    for (ptrdiff_t b0 = 0; b0 < blocks; b0 += ZO_INT8_CHUNK_BLOCKS) {
        const ptrdiff_t b1 = b0 + ZO_INT8_CHUNK_BLOCKS < blocks ? b0 + ZO_INT8_CHUNK_BLOCKS : blocks;
        const bool load = accumulate || b0 > 0;
        for (ptrdiff_t g0 = 0; g0 < groups; g0 += ZO_INT8_TILE_GROUPS) {
            const int tile_groups = (int)(groups - g0 < ZO_INT8_TILE_GROUPS ? groups - g0 : ZO_INT8_TILE_GROUPS);
            const __mmask16 last_mask = g0 + tile_groups == groups ? tail_mask : (__mmask16)0xFFFF;
            for (ptrdiff_t r0 = 0; r0 < rows; r0 += ZO_INT8_TILE_ROWS) {
                const int tile_rows = (int)(rows - r0 < ZO_INT8_TILE_ROWS ? rows - r0 : ZO_INT8_TILE_ROWS);
                int8_tile_any(tile_rows, tile_groups, q + r0 * blocks * ZO_INT8_BLOCK, a_scales + r0 * blocks,
                              a_offsets + r0 * blocks, blocks, panels + g0 * blocks * 16 * ZO_INT8_BLOCK,
                              w_scales + g0 * blocks * 16, b0, b1, c + r0 * ldc + g0 * 16, ldc, load, last_mask);
            }
        }
    }
}

float zo_int8_dot_chains(int64_t iterations) {
    __m512i acc[12];
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_epi32(i);
    for (int64_t n = 0; n < iterations; n++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    }
    __m512i sum = acc[0];
    for (int i = 1; i < 12; i++) sum = _mm512_add_epi32(sum, acc[i]);
    return (float)_mm512_reduce_add_epi32(sum);
}

#pragma clang attribute pop

#else

bool zo_int8_products_available(void) { return false; }
float zo_int8_dot_chains(int64_t iterations) { __builtin_trap(); }
void zo_int8_quantize_activations(const float *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t inner, int8_t *q,
                                  float *scales, int32_t *offsets) {
    __builtin_trap();
}
void zo_int8_pack_f32(const float *w, ptrdiff_t columns, ptrdiff_t inner, uint8_t *panels, float *scales) {
    __builtin_trap();
}
void zo_int8_gemm(const int8_t *q, const float *a_scales, const int32_t *a_offsets, ptrdiff_t rows, ptrdiff_t inner,
                  const uint8_t *panels, const float *w_scales, ptrdiff_t columns, float *c, ptrdiff_t ldc,
                  bool accumulate) {
    __builtin_trap();
}

#endif
