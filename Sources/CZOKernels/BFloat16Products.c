// Matrix products on a frozen weight in bfloat16 with AVX512-BF16's `vdpbf16ps` (twice the fp32 FMA
// rate on CPUs that have it, e.g. Zen 4/5, Cooper Lake, Sapphire Rapids). The only file whose code may
// use AVX512-BF16 instructions; every entry point checks nothing, the caller asks
// `zo_bf16_products_available` first (ZOTensor's `PackedBFloat16`).
//
// Layout. The weight is packed once per product into panels of 16 output columns: for each pair p of
// inputs, the 16 columns' (w[2p], w[2p+1]) as 32 bf16 — one zmm, exactly `vdpbf16ps`'s operand. Panels
// of a column range are contiguous, so a worker multiplies its share by offsetting the panel pointer.
// Activations are rounded to bf16 (round to nearest even) into rows of whole pairs; an odd input
// count gets a zero pair partner on both sides. Accumulation is fp32.
//
// Order of operations. Each output element is one chain over the input pairs in order, kept in a
// register for `ZO_BF16_PAIR_BLOCK` pairs and stored/reloaded in fp32 between blocks (exact), so its
// bits depend on neither the rows or columns computed beside it nor how the columns are shared out.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "CZOKernels.h"

ptrdiff_t zo_bf16_panel_elements(ptrdiff_t columns, ptrdiff_t inner) {
    return (columns + 15) / 16 * 16 * ((inner + 1) / 2 * 2);
}

#if defined(__x86_64__)
#include <immintrin.h>

bool zo_bf16_products_available(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))), apply_to = function)

#include "Kernels/PanelPacking.h"

/// Pairs kept in registers between fp32 stores of the accumulators: 128 pairs of 64 columns is a
/// 32 KiB weight block (stays in L1 while every row passes), of M rows an M·512-byte activation block
/// (L2 up to M ≈ 1,500).
#define ZO_BF16_PAIR_BLOCK 128
/// Rows and 16-column groups per register tile: 6 × 4 accumulators + 4 weight vectors + a broadcast.
#define ZO_BF16_TILE_ROWS 6
#define ZO_BF16_TILE_GROUPS 4

/// One register tile: c[rows × 16·groups] (+)= a[rows, pairs p0..<p1] · panels.
static inline __attribute__((always_inline)) void bf16_tile(
    const int rows, const int groups, const uint32_t *a, ptrdiff_t a_pairs_stride, const uint16_t *panels,
    ptrdiff_t panel_stride, ptrdiff_t p0, ptrdiff_t p1, float *c, ptrdiff_t ldc, bool load, __mmask16 last_mask) {
    __m512 acc[ZO_BF16_TILE_ROWS][ZO_BF16_TILE_GROUPS];
#pragma clang loop unroll(full)
    for (int r = 0; r < rows; r++) {
#pragma clang loop unroll(full)
        for (int g = 0; g < groups; g++) {
            __mmask16 mask = g == groups - 1 ? last_mask : (__mmask16)0xFFFF;
            acc[r][g] = load ? _mm512_maskz_loadu_ps(mask, c + r * ldc + 16 * g) : _mm512_setzero_ps();
        }
    }
    for (ptrdiff_t p = p0; p < p1; p++) {
        __m512bh w[ZO_BF16_TILE_GROUPS];
#pragma clang loop unroll(full)
        for (int g = 0; g < groups; g++) w[g] = (__m512bh)_mm512_loadu_si512(panels + g * panel_stride + 32 * p);
#pragma clang loop unroll(full)
        for (int r = 0; r < rows; r++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[r * a_pairs_stride + p]);
#pragma clang loop unroll(full)
            for (int g = 0; g < groups; g++) acc[r][g] = _mm512_dpbf16_ps(acc[r][g], x, w[g]);
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

#define ZO_BF16_TILE_CASE(R, G)                                                                                \
    case (R) * 8 + (G):                                                                                         \
        bf16_tile(R, G, a, a_pairs_stride, panels, panel_stride, p0, p1, c, ldc, load, last_mask);             \
        break;
#define ZO_BF16_TILE_ROW_CASES(R) ZO_BF16_TILE_CASE(R, 1) ZO_BF16_TILE_CASE(R, 2) ZO_BF16_TILE_CASE(R, 3) ZO_BF16_TILE_CASE(R, 4)

static void bf16_tile_any(int rows, int groups, const uint32_t *a, ptrdiff_t a_pairs_stride, const uint16_t *panels,
                          ptrdiff_t panel_stride, ptrdiff_t p0, ptrdiff_t p1, float *c, ptrdiff_t ldc, bool load,
                          __mmask16 last_mask) {
    switch (rows * 8 + groups) {
        ZO_BF16_TILE_ROW_CASES(1)
        ZO_BF16_TILE_ROW_CASES(2)
        ZO_BF16_TILE_ROW_CASES(3)
        ZO_BF16_TILE_ROW_CASES(4)
        ZO_BF16_TILE_ROW_CASES(5)
        ZO_BF16_TILE_ROW_CASES(6)
    default:
        break;
    }
}

void zo_bf16_gemm(const uint16_t *a, ptrdiff_t rows, ptrdiff_t inner, const uint16_t *panels, ptrdiff_t columns,
                  float *c, ptrdiff_t ldc, bool accumulate) {
    const ptrdiff_t pairs = (inner + 1) / 2;
    const ptrdiff_t panel_stride = 32 * pairs;  // bf16 elements from one 16-column panel to the next
    const uint32_t *a_pairs = (const uint32_t *)(const void *)a;
    const ptrdiff_t groups = (columns + 15) / 16;
    const int tail = (int)(columns - (groups - 1) * 16);
    const __mmask16 tail_mask = (__mmask16)(tail == 16 ? 0xFFFF : (1u << tail) - 1);
    // Blocks of equal size (at most ZO_BF16_PAIR_BLOCK pairs): a short last block would pay a whole
    // pass over the outputs' loads and stores for little work.
    const ptrdiff_t blocks = (pairs + ZO_BF16_PAIR_BLOCK - 1) / ZO_BF16_PAIR_BLOCK;
    const ptrdiff_t block = (pairs + blocks - 1) / blocks;
    for (ptrdiff_t p0 = 0; p0 < pairs; p0 += block) {
        const ptrdiff_t p1 = p0 + block < pairs ? p0 + block : pairs;
        const bool load = accumulate || p0 > 0;
        for (ptrdiff_t g0 = 0; g0 < groups; g0 += ZO_BF16_TILE_GROUPS) {
            const int tile_groups = (int)(groups - g0 < ZO_BF16_TILE_GROUPS ? groups - g0 : ZO_BF16_TILE_GROUPS);
            const __mmask16 last_mask = g0 + tile_groups == groups ? tail_mask : (__mmask16)0xFFFF;
            const uint16_t *tile_panels = panels + g0 * panel_stride;
            for (ptrdiff_t r0 = 0; r0 < rows; r0 += ZO_BF16_TILE_ROWS) {
                const int tile_rows = (int)(rows - r0 < ZO_BF16_TILE_ROWS ? rows - r0 : ZO_BF16_TILE_ROWS);
                bf16_tile_any(tile_rows, tile_groups, a_pairs + r0 * pairs, pairs, tile_panels, panel_stride, p0, p1,
                              c + r0 * ldc + g0 * 16, ldc, load, last_mask);
            }
        }
    }
}

void zo_bf16_round_activations(const float *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t inner, uint16_t *out) {
    const ptrdiff_t width = (inner + 1) / 2 * 2;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *x = a + r * lda;
        uint16_t *y = out + r * width;
        ptrdiff_t k = 0;
        for (; k + 32 <= inner; k += 32) {
            __m512bh packed = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + k + 16), _mm512_loadu_ps(x + k));
            _mm512_storeu_si512(y + k, (__m512i)packed);
        }
        for (; k < width; k += 16) {
            _mm256_mask_storeu_epi16(y + k, zo_inside16(k, width), (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(zo_inside16(k, inner), x + k)));
        }
    }
}

void zo_bf16_pack_f32(const float *w, ptrdiff_t columns, ptrdiff_t inner, uint16_t *panels) {
    const ptrdiff_t pairs = (inner + 1) / 2;
    const ptrdiff_t groups = (columns + 15) / 16;
    for (ptrdiff_t g = 0; g < groups; g++) {
        uint32_t *panel = (uint32_t *)(void *)(panels + g * 32 * pairs);
        const ptrdiff_t n0 = g * 16, count = columns - n0 < 16 ? columns - n0 : 16;
        for (ptrdiff_t p0 = 0; p0 < pairs; p0 += 16) {
            const ptrdiff_t k = 2 * p0;
            const __mmask16 low = zo_inside16(k, inner), high = zo_inside16(k + 16, inner);
            __m512i rows[16];
            for (ptrdiff_t j = 0; j < 16; j++) {
                if (j < count) {
                    const float *row = w + (n0 + j) * inner + k;
                    rows[j] = (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(high, row + 16), _mm512_maskz_loadu_ps(low, row));
                } else {
                    rows[j] = _mm512_setzero_si512();
                }
            }
            zo_store_transposed(rows, panel, p0, pairs - p0 < 16 ? pairs - p0 : 16);
        }
    }
}

void zo_bf16_pack_bf16(const uint16_t *w, ptrdiff_t column_stride, ptrdiff_t inner_stride, ptrdiff_t columns,
                       ptrdiff_t inner, uint16_t *panels) {
    const ptrdiff_t pairs = (inner + 1) / 2;
    const ptrdiff_t groups = (columns + 15) / 16;
    for (ptrdiff_t g = 0; g < groups; g++) {
        uint32_t *panel = (uint32_t *)(void *)(panels + g * 32 * pairs);
        const ptrdiff_t n0 = g * 16, count = columns - n0 < 16 ? columns - n0 : 16;
        const __mmask16 live = (__mmask16)(count == 16 ? 0xFFFF : (1u << count) - 1);
        const uint16_t *base = w + n0 * column_stride;
        if (inner_stride == 1) {
            // Rows of the weight are output columns: 32 values (16 pairs) of each of 16 rows, transposed.
            for (ptrdiff_t p0 = 0; p0 < pairs; p0 += 16) {
                const ptrdiff_t k = 2 * p0, left = inner - k;
                const __mmask32 inside = left >= 32 ? 0xFFFFFFFFu : (__mmask32)((1ull << left) - 1);
                __m512i rows[16];
                for (ptrdiff_t j = 0; j < 16; j++) {
                    rows[j] = j < count ? _mm512_maskz_loadu_epi16(inside, base + j * column_stride + k) : _mm512_setzero_si512();
                }
                zo_store_transposed(rows, panel, p0, pairs - p0 < 16 ? pairs - p0 : 16);
            }
        } else if (column_stride == 1) {
            // Rows of the weight are inputs (GPT-2's Conv1D): two rows' 16 contiguous values interleave.
            for (ptrdiff_t p = 0; p < pairs; p++) {
                const ptrdiff_t k = 2 * p;
                __m512i even = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(live, base + k * inner_stride));
                __m512i odd = k + 1 < inner
                    ? _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(live, base + (k + 1) * inner_stride))
                    : _mm512_setzero_si512();
                _mm512_storeu_si512(panel + 16 * p, _mm512_or_si512(even, _mm512_slli_epi32(odd, 16)));
            }
        } else {
            __builtin_trap();  // neither layout: no caller asks for it
        }
    }
}

float zo_bf16_dot_chains(int64_t iterations) {
    __m512 acc[12];
    const __m512bh a = (__m512bh)_mm512_set1_epi32(0x3F803F80), b = (__m512bh)_mm512_set1_epi32(0x33D633D6);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
    for (int64_t n = 0; n < iterations; n++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < 12; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

#pragma clang attribute pop

#else

bool zo_bf16_products_available(void) { return false; }
float zo_bf16_dot_chains(int64_t iterations) { __builtin_trap(); }
void zo_bf16_gemm(const uint16_t *a, ptrdiff_t rows, ptrdiff_t inner, const uint16_t *panels, ptrdiff_t columns,
                  float *c, ptrdiff_t ldc, bool accumulate) {
    __builtin_trap();
}
void zo_bf16_round_activations(const float *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t inner, uint16_t *out) {
    __builtin_trap();
}
void zo_bf16_pack_f32(const float *w, ptrdiff_t columns, ptrdiff_t inner, uint16_t *panels) { __builtin_trap(); }
void zo_bf16_pack_bf16(const uint16_t *w, ptrdiff_t column_stride, ptrdiff_t inner_stride, ptrdiff_t columns,
                       ptrdiff_t inner, uint16_t *panels) {
    __builtin_trap();
}

#endif
