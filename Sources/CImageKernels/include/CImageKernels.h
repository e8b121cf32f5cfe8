// Hot inner loops of AugLab's image operations, in C for dependable vector code generation.
//
// The formulas are exactly those of the Swift fallbacks in Sources/Imaging/Operations (same
// operations in the same order, no fused multiply-adds), so results are bit-identical on every
// platform; see AffineWarp.swift.
#ifndef CIMAGEKERNELS_H
#define CIMAGEKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this build has the vector kernels below (x86-64 with SSE2), else 0.
int cik_has_kernels(void);

/// Bilinear samples of an interleaved RGB float image for a run of output pixels.
///
/// `src` is `width` × `height` pixels of 3 floats. Output pixel k of the run samples the
/// source with its top-left tap at (fixed_u >> 32, fixed_v >> 32) and fractions
/// (fixed_u & 0xffffffff) / 2^32, (fixed_v & 0xffffffff) / 2^32, in 32.32 fixed point, then
/// the positions advance by step_u, step_v. The run stops before the first pixel whose four
/// taps are not all inside the image (or whose 4-float load of the last tap would pass the last
/// pixel); *fixed_u and *fixed_v are left at that pixel. Each pixel is written with one
/// 4-float store at dst + 3k, so the float after the run is overwritten (the caller's buffer
/// must allow it, and later writes repair it).
///
/// Returns the number of pixels written (0 ... count).
ptrdiff_t cik_bilinear_interior_run(const float *src, ptrdiff_t width, ptrdiff_t height, float *dst,
                                    ptrdiff_t count, int64_t *fixed_u, int64_t *fixed_v,
                                    int64_t step_u, int64_t step_v);

#ifdef __cplusplus
}
#endif

#endif
