// Every kernel, compiled once per including file: VariantGeneric.c, VariantAVX2.c and
// VariantAVX512.c each define ZO_VARIANT and the target attributes, then include this, which emits
// that variant's functions (named `<kernel>_<variant>`, so a disassembly shows which is which) and
// its table `zo_kernels_<variant>`.
#ifndef ZO_VARIANT
#error "define ZO_VARIANT before including Variant.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include "KernelTable.h"

#define ZO_CONCAT_(a, b) a##_##b
#define ZO_CONCAT(a, b) ZO_CONCAT_(a, b)
#define ZO_FN(name) ZO_CONCAT(name, ZO_VARIANT)

#include "Kernels/Lanes.h"
#include "Kernels/LaneMath.h"
#include "Kernels/ElementwiseMaps.h"
#include "Kernels/Normalization.h"
#include "Kernels/Softmax.h"
#include "Kernels/AttentionHead.h"
#include "Kernels/BiasAndGating.h"
#include "Kernels/RotaryEmbedding.h"
#include "Kernels/LowRankFold.h"
#include "Kernels/SkinnyProduct.h"
#include "Kernels/NonFiniteScan.h"
#include "Kernels/PeakThroughput.h"
#include "Kernels/Philox.h"
#include "Kernels/GaussianStream.h"
#include "Kernels/FusedGaussianUpdate.h"
#include "Kernels/BlockDecoding.h"
#include "Kernels/SkinnyBlockProduct.h"

const zo_kernel_table ZO_CONCAT(zo_kernels, ZO_VARIANT) = {
    .rms_norm = ZO_FN(rms_norm),
    .layer_norm = ZO_FN(layer_norm),
    .add_bias = ZO_FN(add_bias),
    .swiglu = ZO_FN(swiglu),
    .softmax = ZO_FN(softmax),
    .log_sum_exp = ZO_FN(log_sum_exp),
    .exp = ZO_FN(exp),
    .erf = ZO_FN(erf),
    .tanh = ZO_FN(tanh),
    .relu = ZO_FN(relu),
    .gelu = ZO_FN(gelu),
    .gelu_tanh = ZO_FN(gelu_tanh),
    .attention_head = ZO_FN(attention_head),
    .rotary_apply = ZO_FN(rotary_apply),
    .add_low_rank_row = ZO_FN(add_low_rank_row),
    .skinny_linear = ZO_FN(skinny_linear),
    .has_non_finite = ZO_FN(has_non_finite),
    .fma_chains = ZO_FN(fma_chains),
    .philox4x32_lanes = ZO_FN(philox4x32_lanes),
    .vector_log = ZO_FN(vector_log),
    .vector_cos_sin = ZO_FN(vector_cos_sin),
    .vector_sqrt = ZO_FN(vector_sqrt),
    .gaussian_fill = ZO_FN(gaussian_fill),
    .fused_gaussian_update = ZO_FN(fused_gaussian_update),
    .decode_blocks = ZO_FN(decode_blocks),
    .skinny_blocks = ZO_FN(skinny_blocks),
};
