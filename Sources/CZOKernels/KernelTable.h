// One variant's kernels, as function pointers: Variant.h fills one table per instruction set and
// Dispatch.c forwards each public `zo_` call to the chosen table.
#ifndef ZO_KERNEL_TABLE_H
#define ZO_KERNEL_TABLE_H

#include "CZOKernels.h"

typedef struct zo_kernel_table {
    void (*rms_norm)(const float *, const float *, float *, ptrdiff_t, ptrdiff_t, float);
    void (*layer_norm)(const float *, const float *, const float *, float *, ptrdiff_t, ptrdiff_t, float);
    void (*add_bias)(const float *, float *, ptrdiff_t, ptrdiff_t, ptrdiff_t);
    void (*swiglu)(const float *, float *, ptrdiff_t, ptrdiff_t);
    void (*softmax)(float *, ptrdiff_t);
    float (*log_sum_exp)(const float *, ptrdiff_t);
    void (*exp)(float *, ptrdiff_t);
    void (*erf)(float *, ptrdiff_t);
    void (*tanh)(float *, ptrdiff_t);
    void (*relu)(float *, ptrdiff_t);
    void (*gelu)(float *, ptrdiff_t);
    void (*gelu_tanh)(float *, ptrdiff_t);
    void (*attention_head)(const float *, const float *, const float *, ptrdiff_t, float *, ptrdiff_t, ptrdiff_t,
                           ptrdiff_t, float, float *, bool, const zo_key_value_rows *, ptrdiff_t);
    void (*rotary_apply)(float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, const float *);
    void (*add_low_rank_row)(const float *, const float *, ptrdiff_t, ptrdiff_t, float *);
    void (*skinny_linear)(const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, float *,
                          ptrdiff_t, float);
    bool (*has_non_finite)(const float *, ptrdiff_t);
    float (*fma_chains)(int64_t);
    void (*philox4x32_lanes)(const uint32_t *, uint32_t, uint32_t, uint32_t *);
    void (*vector_log)(const float *, float *, ptrdiff_t);
    void (*vector_cos_sin)(const float *, float *, float *, ptrdiff_t);
    void (*vector_sqrt)(const float *, float *, ptrdiff_t);
    void (*gaussian_fill)(zo_gaussian_stream, float *, ptrdiff_t, ptrdiff_t);
    void (*fused_gaussian_update)(float *, ptrdiff_t, ptrdiff_t, float, const zo_gaussian_stream *, const float *,
                                  ptrdiff_t);
    bool (*decode_blocks)(zo_block_type, const void *, float *, ptrdiff_t);
    bool (*skinny_blocks)(zo_block_type, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, const void *, ptrdiff_t,
                          const int64_t *, ptrdiff_t, float *, ptrdiff_t, float, float *);
} zo_kernel_table;

extern const zo_kernel_table zo_kernels_generic;
#if defined(__x86_64__)
extern const zo_kernel_table zo_kernels_avx2;
extern const zo_kernel_table zo_kernels_avx512;
#endif

#endif
