// Philox4x32-10 (Salmon et al., SC 2011) on 16 counters at once; ZORandom's `Philox4x32.block` is
// the scalar reference (checked against the Random123 known answers).
#ifndef ZO_PHILOX_H
#define ZO_PHILOX_H

#include "Lanes.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

typedef struct philox_words {
    u32x16 w0, w1, w2, w3;
} philox_words;

/// Full 64-bit products of 16 lanes with a constant, split into high and low words: the even and
/// odd lanes as 64-bit multiplies of zero-extended 32-bit values (`vpmuludq`).
ZO_INLINE void multiply_high_low(u32x16 a, uint32_t m, u32x16 *high, u32x16 *low) {
    u64x8 wide = (u64x8)a;
    u64x8 even = (wide & 0xFFFFFFFFull) * (uint64_t)m;
    u64x8 odd = (wide >> 32) * (uint64_t)m;
    *high = (u32x16)((even >> 32) | (odd & 0xFFFFFFFF00000000ull));
    *low = a * m;
}

ZO_INLINE philox_words philox_lanes(philox_words c, uint32_t key0, uint32_t key1) {
    for (uint32_t round = 0; round < 10; round++) {
        // Round keys k + round·W (branch-free, so the loop unrolls cleanly).
        uint32_t k0 = key0 + round * PHILOX_W0, k1 = key1 + round * PHILOX_W1;
        u32x16 high0, low0, high1, low1;
        multiply_high_low(c.w0, PHILOX_M0, &high0, &low0);
        multiply_high_low(c.w2, PHILOX_M1, &high1, &low1);
        c = (philox_words){high1 ^ c.w1 ^ k0, low1, high0 ^ c.w3 ^ k1, low0};
    }
    return c;
}

/// Two independent sets of 16 blocks in one loop: the second chain fills the multiplier latency of
/// the first (the rounds of one block are a dependency chain).
ZO_INLINE void philox_lanes_pair(philox_words *a, philox_words *b, uint32_t key0, uint32_t key1) {
    for (uint32_t round = 0; round < 10; round++) {
        uint32_t k0 = key0 + round * PHILOX_W0, k1 = key1 + round * PHILOX_W1;
        u32x16 ha0, la0, hb0, lb0, ha1, la1, hb1, lb1;
        multiply_high_low(a->w0, PHILOX_M0, &ha0, &la0);
        multiply_high_low(b->w0, PHILOX_M0, &hb0, &lb0);
        multiply_high_low(a->w2, PHILOX_M1, &ha1, &la1);
        multiply_high_low(b->w2, PHILOX_M1, &hb1, &lb1);
        *a = (philox_words){ha1 ^ a->w1 ^ k0, la1, ha0 ^ a->w3 ^ k1, la0};
        *b = (philox_words){hb1 ^ b->w1 ^ k0, lb1, hb0 ^ b->w3 ^ k1, lb0};
    }
}

static void ZO_FN(philox4x32_lanes)(const uint32_t *counters, uint32_t key0, uint32_t key1, uint32_t *words) {
    u32x16 c[4];
    memcpy(c, counters, sizeof c);
    philox_words w = philox_lanes((philox_words){c[0], c[1], c[2], c[3]}, key0, key1);
    u32x16 out[4] = {w.w0, w.w1, w.w2, w.w3};
    memcpy(words, out, sizeof out);
}

#endif
