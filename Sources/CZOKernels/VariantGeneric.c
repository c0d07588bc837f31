// The kernels for the platform's baseline instruction set (SSE2 on x86-64, NEON on arm64): runs on
// any CPU of the architecture. Where the baseline has no FMA instruction (x86-64), the fused
// multiply-adds become libm `fmaf` calls: slow, but the same bits as the other variants.
#include <math.h>
#include <string.h>

#define ZO_VARIANT generic
#include "Variant.h"
