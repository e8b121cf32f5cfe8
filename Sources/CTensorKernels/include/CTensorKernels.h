// AVX2 + FMA versions of AugLab's hottest element-wise and Winograd kernels.
//
// Each function is compiled for AVX2/FMA only (function target attributes, no global flags), so the
// library itself runs anywhere; callers must check ctk_has_avx2_fma() first. The portable versions
// live in Swift (Sources/Tensors/Kernels); both implement the same formulas (see VectorMath.swift
// and Winograd.swift) and differ only in rounding (fused multiply-adds here).
#ifndef CTENSORKERNELS_H
#define CTENSORKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the processor (and OS) support AVX2 and FMA, else 0.
int ctk_has_avx2_fma(void);

/// Exact GELU x·Φ(x) on n floats in place.
void ctk_gelu_avx2(float *x, ptrdiff_t n);

/// QuickGELU x·σ(1.702x) on n floats in place.
void ctk_quick_gelu_avx2(float *x, ptrdiff_t n);

/// Softmax of one row of n >= 1 floats in place.
void ctk_softmax_avx2(float *x, ptrdiff_t n);

/// Winograd F(4x4, 3x3) input transform B^T d B of the 6x6 patch at (top, left) of a
/// [height, width, channels] image (zero outside), all channels; position k goes to out + k * position_stride.
void ctk_winograd4_input_avx2(const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                              ptrdiff_t top, ptrdiff_t left, float *out, ptrdiff_t position_stride);

/// Winograd F(4x4, 3x3) output transform A^T M A of one tile (position k at m + k * position_stride),
/// all channels, written to the 4x4 block at (top, left) of a [height, width, channels] image
/// (pixels outside are dropped). If scale is not NULL each value becomes value * scale[c] + shift[c]
/// (a folded batch norm), then max(value, 0) if relu is non-zero.
void ctk_winograd4_output_avx2(const float *m, ptrdiff_t position_stride, ptrdiff_t channels,
                               float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top, ptrdiff_t left,
                               const float *scale, const float *shift, int relu);

#ifdef __cplusplus
}
#endif

#endif
