// NaN/±∞ detection at memory speed: x − x is 0 for every finite x and NaN otherwise, so a sum of
// those differences is NaN exactly when some value is not finite (in any summation order).
#ifndef ZO_NON_FINITE_SCAN_H
#define ZO_NON_FINITE_SCAN_H

#include <math.h>
#include "Lanes.h"

static bool ZO_FN(has_non_finite)(const float *x, ptrdiff_t count) {
    ptrdiff_t vector_count = count / 16 * 16;
    f32x16 accumulator = splat(0.0f);
    for (ptrdiff_t i = 0; i < vector_count; i += 16) {
        f32x16 v = load(x + i);
        accumulator += v - v;
    }
    float tail = 0;
    for (ptrdiff_t j = vector_count; j < count; j++) tail += x[j] - x[j];
    return isnan(horizontal_sum(accumulator) + tail);
}

#endif
