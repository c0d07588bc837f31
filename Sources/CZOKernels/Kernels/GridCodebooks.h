// The codebooks of ggml's grid types (IQ2_XXS … IQ1_M), defined once in GridCodebooks.c, which
// scripts/reference/make_iq_grids.py generates from gguf-py beside ZOFormats' copy.
#ifndef ZO_GRID_CODEBOOKS_H
#define ZO_GRID_CODEBOOKS_H
#include <stdint.h>

/// 256 entries of 8 magnitudes.
extern const uint8_t zo_grid_iq2xxs[2048];
/// 512 entries of 8 magnitudes.
extern const uint8_t zo_grid_iq2xs[4096];
/// 1,024 entries of 8 magnitudes.
extern const uint8_t zo_grid_iq2s[8192];
/// 256 entries of 4 magnitudes.
extern const uint8_t zo_grid_iq3xxs[1024];
/// 512 entries of 4 magnitudes.
extern const uint8_t zo_grid_iq3s[2048];
/// 2,048 entries of 8 values in {−1, 0, 1} (two's complement bytes), for IQ1_S and IQ1_M.
extern const uint8_t zo_grid_iq1s[16384];

#endif
