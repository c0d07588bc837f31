// ZOTune's SIMD kernels, compiled for several instruction sets and chosen once at run time
// (Dispatch.c): AVX-512 where the CPU has it, AVX2+FMA where it has that, and a generic build that
// runs on any x86-64 and on arm64. Every variant performs the same IEEE operations in the same order
// (no compiler-contracted multiply-adds, fixed reduction trees), so they give the same bits; the
// Swift wrappers in ZOTensor and ZORandom are the documented API.
#ifndef CZOKERNELS_H
#define CZOKERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Variants

typedef enum zo_kernel_variant {
    ZO_KERNELS_GENERIC = 0,
    ZO_KERNELS_AVX2 = 1,
    ZO_KERNELS_AVX512 = 2,
} zo_kernel_variant;

/// The variant in use. Chosen on first use: `ZOTUNE_KERNELS=generic|avx2|avx512` if set and the CPU
/// supports it, else the best one the CPU supports.
zo_kernel_variant zo_kernels_active(void);
/// Whether this build contains `variant` and this CPU can run it.
bool zo_kernels_available(zo_kernel_variant variant);
/// Switches every later kernel call to `variant` (tests compare variants); false if unavailable.
bool zo_kernels_use(zo_kernel_variant variant);
/// "generic", "avx2" or "avx512".
const char *zo_kernels_name(zo_kernel_variant variant);

// MARK: Transformer kernels (ZOTensor)

void zo_rms_norm(const float *x, const float *gain, float *y, ptrdiff_t rows, ptrdiff_t width, float epsilon);
void zo_layer_norm(const float *x, const float *gain, const float *bias, float *y, ptrdiff_t rows,
                   ptrdiff_t width, float epsilon);
void zo_add_bias(const float *bias, float *x, ptrdiff_t rows, ptrdiff_t width, ptrdiff_t stride);
void zo_swiglu(const float *gate_up, float *out, ptrdiff_t rows, ptrdiff_t width);
void zo_softmax(float *x, ptrdiff_t count);
float zo_log_sum_exp(const float *x, ptrdiff_t count);
/// In-place maps over `count` floats; the ragged end goes through one zero-padded vector, so every
/// element sees the same arithmetic.
void zo_exp(float *x, ptrdiff_t count);
void zo_erf(float *x, ptrdiff_t count);
void zo_tanh(float *x, ptrdiff_t count);
void zo_relu(float *x, ptrdiff_t count);
void zo_gelu(float *x, ptrdiff_t count);
void zo_gelu_tanh(float *x, ptrdiff_t count);
/// Keys and values (`stride` floats apart, `count` rows) every query of a sequence sees before its own.
typedef struct zo_key_value_rows {
    const float *keys;
    const float *values;
    ptrdiff_t stride;
    ptrdiff_t count;
} zo_key_value_rows;
/// How many runs of earlier rows one call takes (a prefix-tuning adapter's, then a shared prompt's).
#define ZO_ATTENTION_MAX_EARLIER_RUNS 2
/// One attention head over its sequence's own rows, after `earlier_count` runs of `earlier` rows
/// (`earlier` may be NULL when `earlier_count` is 0).
void zo_attention_head(const float *query, const float *key, const float *value, ptrdiff_t stride, float *output,
                       ptrdiff_t output_stride, ptrdiff_t length, ptrdiff_t head_dim, float scale, float *scores,
                       bool causal, const zo_key_value_rows *earlier, ptrdiff_t earlier_count);
/// Rotates `heads` heads of each of `rows` rows (`stride` apart) by the cos/sin table rows that start
/// at `cosines`/`sines` (`head_dim / 2` floats per row, one row per position).
void zo_rotary_apply(float *x, ptrdiff_t rows, ptrdiff_t stride, ptrdiff_t heads, ptrdiff_t head_dim,
                     const float *cosines, const float *sines);
/// w[j] += Σₖ u[k]·rt[k·n + j], each column's sum a fixed chain of fused multiply-adds from 0.
void zo_add_low_rank_row(const float *u, const float *transposed_right, ptrdiff_t rank, ptrdiff_t columns, float *w);
/// C[m×n] = A[m×k]·B[n×k]ᵀ + beta·C (row-major, leading dimensions lda, ldb, ldc) for small m: B is
/// streamed once per four rows of A, each output one dot product in a fixed order (SkinnyProduct.h).
void zo_skinny_linear(const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda, const float *b, ptrdiff_t ldb, ptrdiff_t n,
                      float *c, ptrdiff_t ldc, float beta);
/// Whether any of `count` floats is NaN or ±∞.
bool zo_has_non_finite(const float *x, ptrdiff_t count);
/// 12 independent 16-lane FMA chains run `iterations` times (the peak-throughput probe).
float zo_fma_chains(int64_t iterations);

/// ggml's block types, each with a vectorised decoder (ZOFormats' decoders are the reference).
typedef enum zo_block_type {
    ZO_BLOCKS_Q4_0 = 0,
    ZO_BLOCKS_Q4_1 = 1,
    ZO_BLOCKS_Q5_0 = 2,
    ZO_BLOCKS_Q8_0 = 3,
    ZO_BLOCKS_Q4_K = 4,
    ZO_BLOCKS_Q6_K = 5,
    ZO_BLOCKS_Q5_1 = 6,
    ZO_BLOCKS_Q2_K = 7,
    ZO_BLOCKS_Q3_K = 8,
    ZO_BLOCKS_Q5_K = 9,
    ZO_BLOCKS_IQ4_NL = 10,
    ZO_BLOCKS_IQ4_XS = 11,
    ZO_BLOCKS_IQ2_XXS = 12,
    ZO_BLOCKS_IQ2_XS = 13,
    ZO_BLOCKS_IQ2_S = 14,
    ZO_BLOCKS_IQ3_XXS = 15,
    ZO_BLOCKS_IQ3_S = 16,
    ZO_BLOCKS_IQ1_S = 17,
    ZO_BLOCKS_IQ1_M = 18,
    ZO_BLOCKS_Q8_K = 19,
    ZO_BLOCKS_MXFP4 = 20,
    ZO_BLOCKS_NVFP4 = 21,
    ZO_BLOCKS_TQ1_0 = 22,
    ZO_BLOCKS_TQ2_0 = 23,
} zo_block_type;
/// Decodes `blocks` consecutive blocks of `type` to fp32 (32 weights per block; 256 for the K, IQ but IQ4_NL, and
/// ternary types; 64 for NVFP4),
/// bit-identical to ZOFormats' decoders and ggml's; false for a type it does not know.
bool zo_decode_blocks(zo_block_type type, const void *src, float *dst, ptrdiff_t blocks);
/// Weight rows `zo_skinny_blocks` holds decoded at once (its `row` scratch is this many times k floats).
#define ZO_SKINNY_DECODED_ROWS 4
/// C[m×n] = A[m×k]·Wᵀ + beta·C for a few rows of A (a decoding step) with W kept as blocks of `type`:
/// row j of W is the blocks at `w + file_rows[j]·row_bytes` (row j when `file_rows` is NULL), decoded
/// a few rows at a time into `row` (room for ZO_SKINNY_DECODED_ROWS·k floats). The same bits as
/// decoding W with `zo_decode_blocks` and calling `zo_skinny_linear`; false (nothing written) if
/// `type` is unknown or k is not whole blocks.
bool zo_skinny_blocks(zo_block_type type, const float *a, ptrdiff_t m, ptrdiff_t k, ptrdiff_t lda, const void *w,
                      ptrdiff_t row_bytes, const int64_t *file_rows, ptrdiff_t n, float *c, ptrdiff_t ldc, float beta,
                      float *row);

// MARK: bfloat16 products (AVX512-BF16; BFloat16Products.c)

/// Whether this build has the bfloat16 product kernels and this CPU runs them (`vdpbf16ps`).
bool zo_bf16_products_available(void);
/// bf16 elements of the packed panels of a weight with `columns` outputs and `inner` inputs: 16-column
/// groups, each holding, for every pair of inputs, the 16 columns' two values side by side.
ptrdiff_t zo_bf16_panel_elements(ptrdiff_t columns, ptrdiff_t inner);
/// Packs fp32 weight rows (`columns` rows of `inner` values, row-major) into panels, rounding to bf16.
void zo_bf16_pack_f32(const float *w, ptrdiff_t columns, ptrdiff_t inner, uint16_t *panels);
/// Packs a bf16 weight whose element (output n, input k) is w[n·column_stride + k·inner_stride], with
/// `inner_stride` 1 (`nn.Linear` rows) or `column_stride` 1 (GPT-2's Conv1D).
void zo_bf16_pack_bf16(const uint16_t *w, ptrdiff_t column_stride, ptrdiff_t inner_stride, ptrdiff_t columns,
                       ptrdiff_t inner, uint16_t *panels);
/// Rounds `rows` activation rows (`lda` floats apart) to bf16 rows of `inner` rounded up to even
/// (zero-padded), written contiguously to `out`.
void zo_bf16_round_activations(const float *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t inner, uint16_t *out);
/// c[rows × columns] = a·Wᵀ (+ c when `accumulate`) from rounded activations and packed panels; fp32
/// accumulation, each element one chain over the input pairs in order.
void zo_bf16_gemm(const uint16_t *a, ptrdiff_t rows, ptrdiff_t inner, const uint16_t *panels, ptrdiff_t columns,
                  float *c, ptrdiff_t ldc, bool accumulate);
/// 12 independent `vdpbf16ps` chains run `iterations` times (the bf16 peak probe; 64 FLOP each).
float zo_bf16_dot_chains(int64_t iterations);

// MARK: int8 products (AVX512-VNNI; Int8Products.c)

/// Inputs per quantization block of the int8 products (one scale per block of a row).
#define ZO_INT8_BLOCK 64
/// Whether this build has the int8 product kernels and this CPU runs them (`vpdpbusd`).
bool zo_int8_products_available(void);
/// Quantization blocks of a row of `inner` inputs (the last one zero-padded).
ptrdiff_t zo_int8_blocks(ptrdiff_t inner);
/// Bytes of the packed weight panels of `columns` outputs × `inner` inputs (16-column groups, whole blocks).
ptrdiff_t zo_int8_panel_bytes(ptrdiff_t columns, ptrdiff_t inner);
/// Scales (floats) of the same panels: one per column and block.
ptrdiff_t zo_int8_panel_scales(ptrdiff_t columns, ptrdiff_t inner);
/// Quantizes fp32 weight rows (`columns` rows of `inner` values) into panels and their scales.
void zo_int8_pack_f32(const float *w, ptrdiff_t columns, ptrdiff_t inner, uint8_t *panels, float *scales);
/// Quantizes `rows` activation rows (`lda` apart) into `q` (rows of whole blocks), with a scale and
/// an offset (128 · Σ q) per row and block.
void zo_int8_quantize_activations(const float *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t inner, int8_t *q,
                                  float *scales, int32_t *offsets);
/// c[rows × columns] = a·Wᵀ (+ c when `accumulate`) from quantized activations and packed panels:
/// exact integer dot products per block, fp32 accumulation over blocks in order.
void zo_int8_gemm(const int8_t *q, const float *a_scales, const int32_t *a_offsets, ptrdiff_t rows, ptrdiff_t inner,
                  const uint8_t *panels, const float *w_scales, ptrdiff_t columns, float *c, ptrdiff_t ldc,
                  bool accumulate);
/// 12 independent `vpdpbusd` chains run `iterations` times (the int8 peak probe; 128 operations each).
float zo_int8_dot_chains(int64_t iterations);

// MARK: Random numbers (ZORandom)

/// Philox4x32-10 on 16 counters at once: `counters` and `words` hold 4 rows of 16 lanes.
void zo_philox4x32_lanes(const uint32_t *counters, uint32_t key0, uint32_t key1, uint32_t *words);
/// Lane-wise log (positive normal inputs), cos/sin on [−π/4, π/4] and square root.
void zo_vector_log(const float *x, float *out, ptrdiff_t count);
void zo_vector_cos_sin(const float *x, float *cosines, float *sines, ptrdiff_t count);
void zo_vector_sqrt(const float *x, float *out, ptrdiff_t count);

/// The Philox key and counter words that name one Gaussian stream.
typedef struct zo_gaussian_stream {
    uint32_t key0, key1, tensor, kind;
} zo_gaussian_stream;

/// out[k] = z[lower + k] for k in 0..<(upper − lower).
void zo_gaussian_fill(zo_gaussian_stream stream, float *out, ptrdiff_t lower, ptrdiff_t upper);
/// x[i] ← scale·x[i] + Σ coefficients[t]·z_t[i] for i in lower..<upper (`x` is element 0 of the tensor).
void zo_fused_gaussian_update(float *x, ptrdiff_t lower, ptrdiff_t upper, float scale,
                              const zo_gaussian_stream *streams, const float *coefficients, ptrdiff_t count);

#ifdef __cplusplus
}
#endif

#endif
