// Affine-warp sampling loops; see include/CImageKernels.h.
#include "CImageKernels.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define CIK_SSE2 1
#else
#define CIK_SSE2 0
#endif

int cik_has_kernels(void) { return CIK_SSE2; }

ptrdiff_t cik_bilinear_interior_run(const float *src, ptrdiff_t width, ptrdiff_t height, float *dst,
                                    ptrdiff_t count, int64_t *fixed_u, int64_t *fixed_v,
                                    int64_t step_u, int64_t step_v) {
#if CIK_SSE2
    const uint64_t last_x = (uint64_t)(width - 1), last_y = (uint64_t)(height - 1);
    const ptrdiff_t pixel_count = width * height;
    const ptrdiff_t row_floats = width * 3;
    const float fraction = 1.0f / 4294967296.0f;
    int64_t u = *fixed_u, v = *fixed_v;
    ptrdiff_t k = 0;
    for (; k < count; k++) {
        const int64_t tx = u >> 32, ty = v >> 32;
        const ptrdiff_t i00 = (ptrdiff_t)ty * width + (ptrdiff_t)tx;
        if (!((uint64_t)tx < last_x && (uint64_t)ty < last_y && i00 + width + 1 < pixel_count - 1)) break;
        const __m128 dx = _mm_set1_ps((float)(uint32_t)u * fraction);
        const __m128 dy = _mm_set1_ps((float)(uint32_t)v * fraction);
        const float *p = src + i00 * 3;
        const __m128 p00 = _mm_loadu_ps(p), p01 = _mm_loadu_ps(p + 3);
        const __m128 p10 = _mm_loadu_ps(p + row_floats), p11 = _mm_loadu_ps(p + row_floats + 3);
        const __m128 top = _mm_add_ps(p00, _mm_mul_ps(_mm_sub_ps(p01, p00), dx));
        const __m128 bottom = _mm_add_ps(p10, _mm_mul_ps(_mm_sub_ps(p11, p10), dx));
        _mm_storeu_ps(dst + k * 3, _mm_add_ps(top, _mm_mul_ps(_mm_sub_ps(bottom, top), dy)));
        u += step_u;
        v += step_v;
    }
    *fixed_u = u;
    *fixed_v = v;
    return k;
#else
    (void)src; (void)width; (void)height; (void)dst; (void)count;
    (void)fixed_u; (void)fixed_v; (void)step_u; (void)step_v;
    return 0;
#endif
}
