// The standard-normal stream z(seed, tensor, kind, i): Philox4x32-10 with key = seed and counter =
// (block low, block high, tensor, kind), four normals per block by Box–Muller. Elements come in
// groups of 64 so that one 16-lane pass of 16 blocks fills them without shuffling: element
// 64g + 16j + l is normal j of block 16g + l. ZORandom's GaussianStream documents the transform.
#ifndef ZO_GAUSSIAN_STREAM_H
#define ZO_GAUSSIAN_STREAM_H

#include "LaneMath.h"
#include "Philox.h"

typedef struct normal_group {
    f32x16 n0, n1, n2, n3;
} normal_group;

/// Box–Muller: the radius word gives a 23-bit uniform u ∈ (0, 1] and √(−2 ln u); the angle word's top
/// two bits pick the quadrant and the next 23 a point in [−π/4, π/4).
ZO_INLINE void box_muller(u32x16 radius, u32x16 angle, f32x16 *first, f32x16 *second) {
    const uint32_t one = 0x3F800000u;
    // 2 − [1, 2) = (0, 1]: never 0, so the log is finite.
    f32x16 uniform = 2.0f - from_bits(one | (radius >> 9));
    f32x16 r = vector_sqrt(vector_log(uniform) * -2.0f);
    f32x16 fraction = from_bits(one | ((angle << 2) >> 9)) - 1.5f;
    f32x16 cosine, sine;
    // 0x1.921fb4p+0 is Swift's `Float.pi / 2` (Float.pi is π rounded toward zero).
    vector_cos_sin(fraction * 0x1.921fb4p+0f, &cosine, &sine);
    // Rotate by quadrant q: q odd swaps (cos, sin); signs follow (cos, sin) of qπ/2.
    u32x16 quadrant = angle >> 30;
    u32x16 swap = 0u - (quadrant & 1u);
    u32x16 cosine_bits = bits(cosine), sine_bits = bits(sine);
    u32x16 x = (cosine_bits & ~swap) | (sine_bits & swap);
    u32x16 y = (sine_bits & ~swap) | (cosine_bits & swap);
    x ^= ((quadrant ^ (quadrant >> 1)) & 1u) << 31;
    y ^= (quadrant >> 1) << 31;
    *first = r * from_bits(x);
    *second = r * from_bits(y);
}

ZO_INLINE philox_words group_counters(zo_gaussian_stream stream, ptrdiff_t group) {
    uint64_t block = (uint64_t)group * 16;
    // 16·group is a multiple of 16, so adding 0…15 never carries into the high word.
    const u32x16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return (philox_words){splat_u32((uint32_t)block) + lanes, splat_u32((uint32_t)(block >> 32)),
                          splat_u32(stream.tensor), splat_u32(stream.kind)};
}

ZO_INLINE normal_group normals_from_words(philox_words w) {
    normal_group n;
    box_muller(w.w0, w.w1, &n.n0, &n.n1);
    box_muller(w.w2, w.w3, &n.n2, &n.n3);
    return n;
}

/// The stream kind whose elements are random signs ±1 instead of normals (FZOO's Rademacher
/// directions): element 64g + 16j + l is +1 or −1 by the top bit of word j of block 16g + l.
#define ZO_RADEMACHER_KIND 7u

ZO_INLINE f32x16 signs_from_word(u32x16 word) { return from_bits(0x3F800000u | (word & 0x80000000u)); }

/// The group's elements from its Philox words: signs for the Rademacher kind, normals otherwise.
ZO_INLINE normal_group elements_from_words(zo_gaussian_stream stream, philox_words w) {
    if (stream.kind == ZO_RADEMACHER_KIND)
        return (normal_group){signs_from_word(w.w0), signs_from_word(w.w1), signs_from_word(w.w2),
                              signs_from_word(w.w3)};
    return normals_from_words(w);
}

/// The 64 elements of group `group`: vector j holds elements 64·group + 16j + 0…15.
ZO_INLINE normal_group normals(zo_gaussian_stream stream, ptrdiff_t group) {
    return elements_from_words(stream, philox_lanes(group_counters(stream, group), stream.key0, stream.key1));
}

/// Groups `group` and `group + 1` through two interleaved Philox chains (same values as two calls).
ZO_INLINE void normals_pair(zo_gaussian_stream stream, ptrdiff_t group, normal_group *a, normal_group *b) {
    philox_words wa = group_counters(stream, group), wb = group_counters(stream, group + 1);
    philox_lanes_pair(&wa, &wb, stream.key0, stream.key1);
    *a = elements_from_words(stream, wa);
    *b = elements_from_words(stream, wb);
}

ZO_INLINE float normal_lane(const normal_group *n, ptrdiff_t offset) {
    f32x16 v = offset < 16 ? n->n0 : offset < 32 ? n->n1 : offset < 48 ? n->n2 : n->n3;
    return v[offset & 15];
}

static void ZO_FN(gaussian_fill)(zo_gaussian_stream stream, float *out, ptrdiff_t lower, ptrdiff_t upper) {
    float *base = out - lower;
    for (ptrdiff_t index = lower; index < upper;) {
        ptrdiff_t group = index >> 6, start = group << 6, end = start + 64 < upper ? start + 64 : upper;
        normal_group n = normals(stream, group);
        if (index == start && end == start + 64) {
            store(base + start, n.n0);
            store(base + start + 16, n.n1);
            store(base + start + 32, n.n2);
            store(base + start + 48, n.n3);
        } else {
            for (; index < end; index++) base[index] = normal_lane(&n, index - start);
        }
        index = end;
    }
}

/// The lane functions over buffers (tests check their accuracy through these).
static void ZO_FN(vector_log)(const float *x, float *out, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i + 16 <= count; i += 16) store(out + i, vector_log(load(x + i)));
    for (ptrdiff_t j = count / 16 * 16; j < count; j++) out[j] = vector_log(splat(x[j]))[0];
}

static void ZO_FN(vector_cos_sin)(const float *x, float *cosines, float *sines, ptrdiff_t count) {
    f32x16 c, s;
    for (ptrdiff_t i = 0; i + 16 <= count; i += 16) {
        vector_cos_sin(load(x + i), &c, &s);
        store(cosines + i, c);
        store(sines + i, s);
    }
    for (ptrdiff_t j = count / 16 * 16; j < count; j++) {
        vector_cos_sin(splat(x[j]), &c, &s);
        cosines[j] = c[0];
        sines[j] = s[0];
    }
}

static void ZO_FN(vector_sqrt)(const float *x, float *out, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i + 16 <= count; i += 16) store(out + i, vector_sqrt(load(x + i)));
    for (ptrdiff_t j = count / 16 * 16; j < count; j++) out[j] = vector_sqrt(splat(x[j]))[0];
}

#endif
