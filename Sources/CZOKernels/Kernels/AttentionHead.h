// Self-attention of one head over one sequence: SIMD dot products rather than two small GEMMs (at
// tens to hundreds of tokens, BLAS call overhead dominated; BENCHMARKS.md, attention).
//
// Every output is a fixed sequence of operations on its own inputs: a score is one query's fused
// multiply-adds over the 16-lane chunks of a key, summed by the halving tree, then scaled; an output
// value is its row's fused multiply-adds over the keys in order. Rows are computed two at a time
// (the pair shares each key and value it loads and keeps twice the independent sums in flight), and
// dot products 16 (8 per row of a pair) at a time; neither changes a bit of any output.
#ifndef ZO_ATTENTION_HEAD_H
#define ZO_ATTENTION_HEAD_H

#include "Softmax.h"

/// Whether dot products go 16 at a time: their 16 accumulators fit AVX-512's 32 registers, but on
/// 16-register variants they spill and one key at a time is faster (the bits are the same).
#ifndef ZO_GROUPED_DOTS
#define ZO_GROUPED_DOTS 0
#endif

/// The keys a row sees come in contiguous runs: rows every query sees before its own sequence's (a
/// shared prompt's; a prefix-tuning adapter's keys and values), then the sequence's own; `first` is
/// the score slot of the run's first key.
typedef struct attention_run {
    const float *keys, *values;
    ptrdiff_t stride, count, first;
} attention_run;

/// Lane t of the result is `horizontal_sum(v[t])`, bit for bit: the same halving tree (lanes 0–7 +
/// 8–15, then 0–3 + 4–7, 0–1 + 2–3, 0 + 1), run on 16 vectors at once by shuffles that pair the same
/// lanes, so 16 dot products cost 15 vector adds instead of 16 dependent trees.
ZO_INLINE f32x16 horizontal_sums(const f32x16 v[16]) {
    f32x16 halves[8], quarters[4], eighths[2];
    for (int p = 0; p < 8; p++)
        halves[p] = __builtin_shufflevector(v[2 * p], v[2 * p + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +
                    __builtin_shufflevector(v[2 * p], v[2 * p + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    for (int p = 0; p < 4; p++)
        quarters[p] = __builtin_shufflevector(halves[2 * p], halves[2 * p + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +
                      __builtin_shufflevector(halves[2 * p], halves[2 * p + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    for (int p = 0; p < 2; p++)
        eighths[p] = __builtin_shufflevector(quarters[2 * p], quarters[2 * p + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29) +
                     __builtin_shufflevector(quarters[2 * p], quarters[2 * p + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    return __builtin_shufflevector(eighths[0], eighths[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) +
           __builtin_shufflevector(eighths[0], eighths[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

/// q·k over `head_dim` values, unscaled: fused multiply-adds over the whole 16-lane chunks, the
/// halving tree, then the leftover values one product and one add at a time.
ZO_INLINE float query_key_dot(const float *q, const float *k, ptrdiff_t head_dim) {
    ptrdiff_t chunks = head_dim / 16;
    f32x16 acc = splat(0.0f);
    for (ptrdiff_t c = 0; c < chunks; c++) acc = adding_product(acc, load(q + 16 * c), load(k + 16 * c));
    float dot = horizontal_sum(acc);
    for (ptrdiff_t d = chunks * 16; d < head_dim; d++) dot += q[d] * k[d];
    return dot;
}

/// Scores of two query rows against the keys j0..<j0+8 of one run (both rows see them):
/// `first_scores[j]` and `second_scores[j]`, each equal to `query_key_dot(·) * scale`.
ZO_INLINE void pair_scores8(const float *q0, const float *q1, const float *keys, ptrdiff_t stride, ptrdiff_t head_dim,
                            float scale, float *first_scores, float *second_scores) {
    ptrdiff_t chunks = head_dim / 16;
    f32x16 acc[16];
    for (int t = 0; t < 16; t++) acc[t] = splat(0.0f);
    for (ptrdiff_t c = 0; c < chunks; c++) {
        f32x16 a = load(q0 + 16 * c), b = load(q1 + 16 * c);
        for (int t = 0; t < 8; t++) {
            f32x16 k = load(keys + t * stride + 16 * c);
            acc[t] = adding_product(acc[t], a, k);
            acc[8 + t] = adding_product(acc[8 + t], b, k);
        }
    }
    f32x16 dots = horizontal_sums(acc);
    for (int t = 0; t < 8; t++) {
        const float *k = keys + t * stride;
        float first = dots[t], second = dots[8 + t];
        for (ptrdiff_t d = chunks * 16; d < head_dim; d++) first += q0[d] * k[d];
        for (ptrdiff_t d = chunks * 16; d < head_dim; d++) second += q1[d] * k[d];
        first_scores[t] = first * scale;
        second_scores[t] = second * scale;
    }
}

/// One query row's scores over every run (the own run's `count` keys as set), 16 keys at a time.
ZO_INLINE void row_scores(const float *q, const attention_run *runs, int run_count, ptrdiff_t head_dim, float scale,
                          float *scores) {
    ptrdiff_t chunks = head_dim / 16;
    for (int r = 0; r < run_count; r++) {
        const attention_run run = runs[r];
        ptrdiff_t j = 0;
        for (; ZO_GROUPED_DOTS && j + 16 <= run.count; j += 16) {
            const float *keys = run.keys + j * run.stride;
            f32x16 acc[16];
            for (int t = 0; t < 16; t++) acc[t] = splat(0.0f);
            for (ptrdiff_t c = 0; c < chunks; c++) {
                f32x16 qc = load(q + 16 * c);
                for (int t = 0; t < 16; t++) acc[t] = adding_product(acc[t], qc, load(keys + t * run.stride + 16 * c));
            }
            f32x16 dots = horizontal_sums(acc);
            for (int t = 0; t < 16; t++) {
                const float *k = keys + t * run.stride;
                float dot = dots[t];
                for (ptrdiff_t d = chunks * 16; d < head_dim; d++) dot += q[d] * k[d];
                scores[run.first + j + t] = dot * scale;
            }
        }
        for (; j < run.count; j++) scores[run.first + j] = query_key_dot(q, run.keys + j * run.stride, head_dim) * scale;
    }
}

/// acc[k] += p · v[16k..<16k+16] for k < 4: one key's weighted value added to a 64-value chunk.
ZO_INLINE void add_weighted_chunk(f32x16 acc[4], float p, const float *v) {
    f32x16 weight = splat(p);
    for (int k = 0; k < 4; k++) acc[k] = adding_product(acc[k], weight, load(v + 16 * k));
}

/// acc[k] → o[16k..<16k+16] for k < 4.
ZO_INLINE void store_chunk(float *o, const f32x16 acc[4]) {
    for (int k = 0; k < 4; k++) store(o + 16 * k, acc[k]);
}

/// o[c..<head_dim] = Σ_j scores[j]·v_j over every run, in key order (the own run's `count` keys).
ZO_INLINE void row_values(const float *scores, const attention_run *runs, int run_count, ptrdiff_t head_dim, ptrdiff_t c,
                          float *o) {
    ptrdiff_t vector_dim = head_dim / 16 * 16;
    for (; c + 64 <= vector_dim; c += 64) {
        f32x16 acc[4] = {splat(0.0f), splat(0.0f), splat(0.0f), splat(0.0f)};
        for (int r = 0; r < run_count; r++)
            for (ptrdiff_t j = 0; j < runs[r].count; j++)
                add_weighted_chunk(acc, scores[runs[r].first + j], runs[r].values + j * runs[r].stride + c);
        store_chunk(o + c, acc);
    }
    for (; c < vector_dim; c += 16) {
        f32x16 a = splat(0.0f);
        for (int r = 0; r < run_count; r++)
            for (ptrdiff_t j = 0; j < runs[r].count; j++)
                a = adding_product(a, splat(scores[runs[r].first + j]), load(runs[r].values + j * runs[r].stride + c));
        store(o + c, a);
    }
    for (ptrdiff_t d = vector_dim; d < head_dim; d++) {
        float a = 0;
        for (int r = 0; r < run_count; r++)
            for (ptrdiff_t j = 0; j < runs[r].count; j++) a += scores[runs[r].first + j] * runs[r].values[j * runs[r].stride + d];
        o[d] = a;
    }
}

/// Two consecutive rows' scores: the first row sees the runs as set, the second also the own run's
/// next `extra` keys (1 when causal, else 0); each score as `row_scores` computes it.
ZO_INLINE void pair_scores(const float *q0, const float *q1, attention_run *runs, int run_count, int own, ptrdiff_t extra,
                           ptrdiff_t head_dim, float scale, float *first_scores, float *second_scores) {
    for (int r = 0; r < run_count; r++) {
        const attention_run run = runs[r];
        ptrdiff_t j = 0;
        for (; ZO_GROUPED_DOTS && j + 8 <= run.count; j += 8)
            pair_scores8(q0, q1, run.keys + j * run.stride, run.stride, head_dim, scale, first_scores + run.first + j,
                         second_scores + run.first + j);
        for (; j < run.count; j++) {
            const float *k = run.keys + j * run.stride;
            first_scores[run.first + j] = query_key_dot(q0, k, head_dim) * scale;
            second_scores[run.first + j] = query_key_dot(q1, k, head_dim) * scale;
        }
        if (r == own)
            for (; j < run.count + extra; j++)
                second_scores[run.first + j] = query_key_dot(q1, run.keys + j * run.stride, head_dim) * scale;
    }
}

/// Two consecutive rows' outputs over the whole 64-value chunks (`row_values` does the rest): each
/// value and weight loaded once for both rows, eight independent sums in flight.
ZO_INLINE ptrdiff_t pair_values(const float *first_scores, const float *second_scores, const attention_run *runs,
                                int run_count, int own, ptrdiff_t extra, ptrdiff_t head_dim, float *o0, float *o1) {
    ptrdiff_t c = 0;
    for (; c + 64 <= head_dim / 16 * 16; c += 64) {
        f32x16 a[4] = {splat(0.0f), splat(0.0f), splat(0.0f), splat(0.0f)}, b[4] = {a[0], a[1], a[2], a[3]};
        for (int r = 0; r < run_count; r++) {
            const attention_run run = runs[r];
            ptrdiff_t j = 0;
            for (; j < run.count; j++) {
                const float *v = run.values + j * run.stride + c;
                add_weighted_chunk(a, first_scores[run.first + j], v);
                add_weighted_chunk(b, second_scores[run.first + j], v);
            }
            if (r == own)
                for (; j < run.count + extra; j++) add_weighted_chunk(b, second_scores[run.first + j], run.values + j * run.stride + c);
        }
        store_chunk(o0 + c, a);
        store_chunk(o1 + c, b);
    }
    return c;
}

/// `scores` holds two rows of scratch, each the earlier rows' count + `length` floats.
static void ZO_FN(attention_head)(const float *query, const float *key, const float *value, ptrdiff_t stride,
                                  float *output, ptrdiff_t output_stride, ptrdiff_t length, ptrdiff_t head_dim,
                                  float scale, float *scores, bool causal, const zo_key_value_rows *earlier,
                                  ptrdiff_t earlier_count) {
    attention_run runs[ZO_ATTENTION_MAX_EARLIER_RUNS + 1];
    int run_count = 0;
    ptrdiff_t earlier_keys = 0;
    for (ptrdiff_t r = 0; r < earlier_count && r < ZO_ATTENTION_MAX_EARLIER_RUNS; r++) {
        if (earlier[r].count == 0) continue;
        runs[run_count++] = (attention_run){earlier[r].keys, earlier[r].values, earlier[r].stride, earlier[r].count, earlier_keys};
        earlier_keys += earlier[r].count;
    }
    int own = run_count++;
    runs[own] = (attention_run){key, value, stride, 0, earlier_keys};
    float *second_scores = scores + earlier_keys + length;
    const ptrdiff_t extra = causal ? 1 : 0;
    ptrdiff_t i = 0;
    for (; i + 1 < length; i += 2) {
        const float *q0 = query + i * stride, *q1 = q0 + stride;
        float *o0 = output + i * output_stride, *o1 = o0 + output_stride;
        runs[own].count = causal ? i + 1 : length;
        pair_scores(q0, q1, runs, run_count, own, extra, head_dim, scale, scores, second_scores);
        ZO_FN(softmax)(scores, earlier_keys + runs[own].count);
        ZO_FN(softmax)(second_scores, earlier_keys + runs[own].count + extra);
        ptrdiff_t c = pair_values(scores, second_scores, runs, run_count, own, extra, head_dim, o0, o1);
        row_values(scores, runs, run_count, head_dim, c, o0);
        runs[own].count += extra;
        row_values(second_scores, runs, run_count, head_dim, c, o1);
    }
    if (i < length) {
        runs[own].count = causal ? i + 1 : length;
        row_scores(query + i * stride, runs, run_count, head_dim, scale, scores);
        ZO_FN(softmax)(scores, earlier_keys + runs[own].count);
        row_values(scores, runs, run_count, head_dim, 0, output + i * output_stride);
    }
}

#endif
