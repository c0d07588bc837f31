// Self-attention of one head over one sequence: SIMD dot products rather than two small GEMMs (at
// tens to hundreds of tokens, BLAS call overhead dominated; BENCHMARKS.md, attention).
#ifndef ZO_ATTENTION_HEAD_H
#define ZO_ATTENTION_HEAD_H

#include "Softmax.h"

/// The keys a row sees come in contiguous runs: rows every query sees before its own sequence's (a
/// shared prompt's; a prefix-tuning adapter's keys and values), then the sequence's own; `first` is
/// the score slot of the run's first key.
typedef struct attention_run {
    const float *keys, *values;
    ptrdiff_t stride, count, first;
} attention_run;

static void ZO_FN(attention_head)(const float *query, const float *key, const float *value, ptrdiff_t stride,
                                  float *output, ptrdiff_t output_stride, ptrdiff_t length, ptrdiff_t head_dim,
                                  float scale, float *scores, bool causal, const zo_key_value_rows *earlier,
                                  ptrdiff_t earlier_count) {
    ptrdiff_t chunks = head_dim / 16;
    ptrdiff_t vector_dim = chunks * 16;
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
    for (ptrdiff_t i = 0; i < length; i++) {
        const float *q = query + i * stride;
        runs[own].count = causal ? i + 1 : length;
        ptrdiff_t keys = earlier_keys + runs[own].count;
        for (int r = 0; r < run_count; r++) {
            for (ptrdiff_t j = 0; j < runs[r].count; j++) {
                const float *k = runs[r].keys + j * runs[r].stride;
                f32x16 acc = splat(0.0f);
                for (ptrdiff_t c = 0; c < chunks; c++) acc = adding_product(acc, load(q + 16 * c), load(k + 16 * c));
                float dot = horizontal_sum(acc);
                for (ptrdiff_t d = vector_dim; d < head_dim; d++) dot += q[d] * k[d];
                scores[runs[r].first + j] = dot * scale;
            }
        }
        ZO_FN(softmax)(scores, keys);
        float *o = output + i * output_stride;
        ptrdiff_t c = 0;
        for (; c + 64 <= vector_dim; c += 64) {
            f32x16 a0 = splat(0.0f), a1 = splat(0.0f), a2 = splat(0.0f), a3 = splat(0.0f);
            for (int r = 0; r < run_count; r++) {
                for (ptrdiff_t j = 0; j < runs[r].count; j++) {
                    f32x16 p = splat(scores[runs[r].first + j]);
                    const float *v = runs[r].values + j * runs[r].stride + c;
                    a0 = adding_product(a0, p, load(v));
                    a1 = adding_product(a1, p, load(v + 16));
                    a2 = adding_product(a2, p, load(v + 32));
                    a3 = adding_product(a3, p, load(v + 48));
                }
            }
            store(o + c, a0);
            store(o + c + 16, a1);
            store(o + c + 32, a2);
            store(o + c + 48, a3);
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
}

#endif
