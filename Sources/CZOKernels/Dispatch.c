// Chooses the kernel variant once and forwards every public `zo_` call to it.
//
// Choice: `ZOTUNE_KERNELS=generic|avx2|avx512` when set and runnable here (a name this CPU cannot run
// is reported on stderr and ignored), else the best variant the CPU supports. `zo_kernels_use`
// switches later calls (the tests compare variants); all variants give the same bits, so a switch
// while other threads run kernels changes no result.
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "KernelTable.h"

static const char *const variant_names[] = {"generic", "avx2", "avx512"};

const char *zo_kernels_name(zo_kernel_variant variant) {
    return (unsigned)variant < 3 ? variant_names[variant] : "unknown";
}

bool zo_kernels_available(zo_kernel_variant variant) {
    switch (variant) {
    case ZO_KERNELS_GENERIC:
        return true;
#if defined(__x86_64__)
    case ZO_KERNELS_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    case ZO_KERNELS_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#endif
    default:
        return false;
    }
}

static const zo_kernel_table *table_of(zo_kernel_variant variant) {
    switch (variant) {
#if defined(__x86_64__)
    case ZO_KERNELS_AVX2:
        return &zo_kernels_avx2;
    case ZO_KERNELS_AVX512:
        return &zo_kernels_avx512;
#endif
    default:
        return &zo_kernels_generic;
    }
}

static zo_kernel_variant best_available(void) {
    if (zo_kernels_available(ZO_KERNELS_AVX512)) return ZO_KERNELS_AVX512;
    if (zo_kernels_available(ZO_KERNELS_AVX2)) return ZO_KERNELS_AVX2;
    return ZO_KERNELS_GENERIC;
}

static zo_kernel_variant initial_choice(void) {
    const char *requested = getenv("ZOTUNE_KERNELS");
    if (requested == NULL || *requested == 0) return best_available();
    for (int v = 0; v < 3; v++) {
        if (strcmp(requested, variant_names[v]) == 0 && zo_kernels_available((zo_kernel_variant)v))
            return (zo_kernel_variant)v;
    }
    zo_kernel_variant best = best_available();
    fprintf(stderr, "ZOTUNE_KERNELS=%s is not a variant this CPU runs (generic, avx2, avx512); using %s\n",
            requested, variant_names[best]);
    return best;
}

// The chosen variant + 1 (0: not chosen yet). Choosing twice at once is harmless: same answer.
static _Atomic int active_plus_one;

zo_kernel_variant zo_kernels_active(void) {
    int current = atomic_load_explicit(&active_plus_one, memory_order_relaxed);
    if (current == 0) {
        current = (int)initial_choice() + 1;
        atomic_store_explicit(&active_plus_one, current, memory_order_relaxed);
    }
    return (zo_kernel_variant)(current - 1);
}

bool zo_kernels_use(zo_kernel_variant variant) {
    if (!zo_kernels_available(variant)) return false;
    atomic_store_explicit(&active_plus_one, (int)variant + 1, memory_order_relaxed);
    return true;
}

static inline const zo_kernel_table *kernels(void) { return table_of(zo_kernels_active()); }

void zo_rms_norm(const float *x, const float *gain, float *y, ptrdiff_t rows, ptrdiff_t width, float epsilon) {
    kernels()->rms_norm(x, gain, y, rows, width, epsilon);
}

void zo_layer_norm(const float *x, const float *gain, const float *bias, float *y, ptrdiff_t rows,
                   ptrdiff_t width, float epsilon) {
    kernels()->layer_norm(x, gain, bias, y, rows, width, epsilon);
}

void zo_add_bias(const float *bias, float *x, ptrdiff_t rows, ptrdiff_t width, ptrdiff_t stride) {
    kernels()->add_bias(bias, x, rows, width, stride);
}

void zo_swiglu(const float *gate_up, float *out, ptrdiff_t rows, ptrdiff_t width) {
    kernels()->swiglu(gate_up, out, rows, width);
}

void zo_softmax(float *x, ptrdiff_t count) { kernels()->softmax(x, count); }
float zo_log_sum_exp(const float *x, ptrdiff_t count) { return kernels()->log_sum_exp(x, count); }
void zo_exp(float *x, ptrdiff_t count) { kernels()->exp(x, count); }
void zo_erf(float *x, ptrdiff_t count) { kernels()->erf(x, count); }
void zo_tanh(float *x, ptrdiff_t count) { kernels()->tanh(x, count); }
void zo_relu(float *x, ptrdiff_t count) { kernels()->relu(x, count); }
void zo_gelu(float *x, ptrdiff_t count) { kernels()->gelu(x, count); }
void zo_gelu_tanh(float *x, ptrdiff_t count) { kernels()->gelu_tanh(x, count); }

void zo_attention_head(const float *query, const float *key, const float *value, ptrdiff_t stride, float *output,
                       ptrdiff_t output_stride, ptrdiff_t length, ptrdiff_t head_dim, float scale, float *scores,
                       bool causal, const zo_key_value_rows *earlier, ptrdiff_t earlier_count) {
    kernels()->attention_head(query, key, value, stride, output, output_stride, length, head_dim, scale, scores,
                              causal, earlier, earlier_count);
}

void zo_rotary_apply(float *x, ptrdiff_t rows, ptrdiff_t stride, ptrdiff_t heads, ptrdiff_t head_dim,
                     const float *cosines, const float *sines) {
    kernels()->rotary_apply(x, rows, stride, heads, head_dim, cosines, sines);
}

void zo_add_low_rank_row(const float *u, const float *transposed_right, ptrdiff_t rank, ptrdiff_t columns, float *w) {
    kernels()->add_low_rank_row(u, transposed_right, rank, columns, w);
}

void zo_skinny_linear(const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda, const float *b, ptrdiff_t ldb, ptrdiff_t n,
                      float *c, ptrdiff_t ldc, float beta) {
    kernels()->skinny_linear(a, m, k, lda, b, ldb, n, c, ldc, beta);
}

bool zo_has_non_finite(const float *x, ptrdiff_t count) { return kernels()->has_non_finite(x, count); }
float zo_fma_chains(int64_t iterations) { return kernels()->fma_chains(iterations); }

void zo_philox4x32_lanes(const uint32_t *counters, uint32_t key0, uint32_t key1, uint32_t *words) {
    kernels()->philox4x32_lanes(counters, key0, key1, words);
}

void zo_vector_log(const float *x, float *out, ptrdiff_t count) { kernels()->vector_log(x, out, count); }

void zo_vector_cos_sin(const float *x, float *cosines, float *sines, ptrdiff_t count) {
    kernels()->vector_cos_sin(x, cosines, sines, count);
}

void zo_vector_sqrt(const float *x, float *out, ptrdiff_t count) { kernels()->vector_sqrt(x, out, count); }

void zo_gaussian_fill(zo_gaussian_stream stream, float *out, ptrdiff_t lower, ptrdiff_t upper) {
    kernels()->gaussian_fill(stream, out, lower, upper);
}

void zo_fused_gaussian_update(float *x, ptrdiff_t lower, ptrdiff_t upper, float scale,
                              const zo_gaussian_stream *streams, const float *coefficients, ptrdiff_t count) {
    kernels()->fused_gaussian_update(x, lower, upper, scale, streams, coefficients, count);
}

bool zo_decode_blocks(zo_block_type type, const void *src, float *dst, ptrdiff_t blocks) {
    return kernels()->decode_blocks(type, src, dst, blocks);
}

bool zo_skinny_blocks(zo_block_type type, const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda, const void *w,
                      ptrdiff_t row_bytes, const int64_t *file_rows, ptrdiff_t n, float *c, ptrdiff_t ldc, float beta,
                      float *row) {
    return kernels()->skinny_blocks(type, a, m, k, lda, w, row_bytes, file_rows, n, c, ldc, beta, row);
}
