// The FMA peak probe: 12 independent 16-lane fused multiply-add chains, enough to keep two FMA pipes
// busy. Returns a value that depends on every chain, so none is optimised away.
#ifndef ZO_PEAK_THROUGHPUT_H
#define ZO_PEAK_THROUGHPUT_H

#include "Lanes.h"

static float ZO_FN(fma_chains)(int64_t iterations) {
    f32x16 b = splat(1.0000001f), c = splat(1e-7f);
    f32x16 a[12];
    for (int i = 0; i < 12; i++) a[i] = splat((float)i);
    for (int64_t n = 0; n < iterations; n++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < 12; i++) a[i] = adding_product(c, a[i], b);
    }
    f32x16 sum = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])) + ((a[8] + a[9]) + (a[10] + a[11]));
    return horizontal_sum(sum);
}

#endif
