// AVX2 + FMA kernels; see include/CTensorKernels.h. Formulas mirror Sources/Tensors/Kernels.
#include "CTensorKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CTK_X86 1
#define CTK_AVX2 __attribute__((target("avx2,fma")))
#else
#define CTK_X86 0
#endif

int ctk_has_avx2_fma(void) {
#if CTK_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

#if CTK_X86

// e^x per lane, inputs clamped to [-87, 88]; Cody-Waite reduction and a degree-7 Taylor polynomial
// (VectorMath.exp). NaN lanes stay NaN (MAXPS/MINPS return the second operand when either is NaN).
static inline CTK_AVX2 __m256 exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-87.0f), x);
    x = _mm256_min_ps(_mm256_set1_ps(88.0f), x);
    const __m256 shifter = _mm256_set1_ps(12582912.0f);
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), shifter);
    __m256 n = _mm256_sub_ps(shifted, shifter);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_fmadd_ps(r, _mm256_set1_ps(1.0f / 5040), _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i integer = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(integer, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, scale);
}

// GELU per lane (VectorMath.gelu): erfc(z) = t e^(P(t) - z^2), t = 1/(1 + z/2), fitted P of degree 9.
static inline CTK_AVX2 __m256 gelu8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(0.707106781f));
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(z, _mm256_set1_ps(0.5f), _mm256_set1_ps(1.0f)));
    __m256 p = _mm256_fmadd_ps(t, _mm256_set1_ps(1.449302137e-1f), _mm256_set1_ps(-6.808272004e-1f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.156733751f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-6.962519288e-1f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-8.028043061e-2f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.267585438e-3f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(3.460279852e-2f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(3.866403997e-1f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(9.986327887e-1f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.265447974f));
    __m256 tail = _mm256_mul_ps(_mm256_mul_ps(t, exp8(_mm256_fnmadd_ps(z, z, p))), _mm256_set1_ps(0.5f));
    __m256 upper = _mm256_sub_ps(_mm256_set1_ps(1.0f), tail);
    __m256 nonNegative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    return _mm256_mul_ps(x, _mm256_blendv_ps(tail, upper, nonNegative));
}

static inline CTK_AVX2 __m256 quick_gelu8(__m256 x) {
    __m256 e = exp8(_mm256_mul_ps(x, _mm256_set1_ps(-1.702f)));
    return _mm256_div_ps(x, _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
}

// A lane mask selecting the first `count` (0...8) lanes.
static inline CTK_AVX2 __m256i first_lanes(ptrdiff_t count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), index);
}

#define CTK_MAP(name, op)                                                              \
    CTK_AVX2 void name(float *x, ptrdiff_t n) {                                        \
        ptrdiff_t i = 0;                                                               \
        for (; i + 16 <= n; i += 16) {                                                 \
            __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);        \
            _mm256_storeu_ps(x + i, op(a));                                            \
            _mm256_storeu_ps(x + i + 8, op(b));                                        \
        }                                                                              \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, op(_mm256_loadu_ps(x + i))); \
        if (i < n) {                                                                   \
            __m256i mask = first_lanes(n - i);                                         \
            _mm256_maskstore_ps(x + i, mask, op(_mm256_maskload_ps(x + i, mask)));     \
        }                                                                              \
    }

CTK_MAP(ctk_gelu_avx2, gelu8)
CTK_MAP(ctk_quick_gelu_avx2, quick_gelu8)

static inline CTK_AVX2 float horizontal_max(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

static inline CTK_AVX2 float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

CTK_AVX2 void ctk_softmax_avx2(float *x, ptrdiff_t n) {
    __m256 maxv = _mm256_set1_ps(-INFINITY);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) maxv = _mm256_max_ps(maxv, _mm256_loadu_ps(x + i));
    ptrdiff_t rest = n - i;
    __m256i tailMask = first_lanes(rest);
    if (rest > 0) {
        __m256 tail = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(x + i, tailMask),
                                       _mm256_castsi256_ps(tailMask));
        maxv = _mm256_max_ps(maxv, tail);
    }
    __m256 shift = _mm256_set1_ps(horizontal_max(maxv));
    __m256 sumv = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), shift));
        _mm256_storeu_ps(x + i, e);
        sumv = _mm256_add_ps(sumv, e);
    }
    if (rest > 0) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_maskload_ps(x + i, tailMask), shift));
        e = _mm256_and_ps(e, _mm256_castsi256_ps(tailMask));
        _mm256_maskstore_ps(x + i, tailMask, e);
        sumv = _mm256_add_ps(sumv, e);
    }
    __m256 inverse = _mm256_set1_ps(1.0f / horizontal_sum(sumv));
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inverse));
    if (rest > 0) _mm256_maskstore_ps(x + i, tailMask, _mm256_mul_ps(_mm256_maskload_ps(x + i, tailMask), inverse));
}

// One 6-point B^T step (Winograd.input4).
#define CTK_INPUT4(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                          \
    do {                                                                                      \
        __m256 a_ = _mm256_fnmadd_ps(_mm256_set1_ps(4.0f), d2, d4);                         \
        __m256 b_ = _mm256_fnmadd_ps(_mm256_set1_ps(4.0f), d1, d3);                         \
        __m256 e_ = _mm256_sub_ps(d4, d2);                                                   \
        __m256 f_ = _mm256_mul_ps(_mm256_set1_ps(2.0f), _mm256_sub_ps(d3, d1));             \
        o0 = _mm256_add_ps(_mm256_fnmadd_ps(_mm256_set1_ps(5.0f), d2, _mm256_mul_ps(_mm256_set1_ps(4.0f), d0)), d4); \
        o1 = _mm256_add_ps(a_, b_);                                                          \
        o2 = _mm256_sub_ps(a_, b_);                                                          \
        o3 = _mm256_add_ps(e_, f_);                                                          \
        o4 = _mm256_sub_ps(e_, f_);                                                          \
        o5 = _mm256_add_ps(_mm256_fnmadd_ps(_mm256_set1_ps(5.0f), d3, _mm256_mul_ps(_mm256_set1_ps(4.0f), d1)), d5); \
    } while (0)

CTK_AVX2 void ctk_winograd4_input_avx2(const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                                       ptrdiff_t top, ptrdiff_t left, float *out, ptrdiff_t position_stride) {
    int inside = top >= 0 && left >= 0 && top + 6 <= height && left + 6 <= width;
    for (ptrdiff_t c = 0; c < channels; c += 8) {
        ptrdiff_t lanes = channels - c < 8 ? channels - c : 8;
        __m256i mask = first_lanes(lanes);
        __m256 d[6][6];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                ptrdiff_t y = top + i, x = left + j;
                if (!inside && (y < 0 || y >= height || x < 0 || x >= width)) {
                    d[i][j] = _mm256_setzero_ps();
                    continue;
                }
                const float *p = image + (y * width + x) * channels + c;
                d[i][j] = lanes == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
            }
        }
        __m256 col[6][6];  // col[j][i]: B^T applied down column j
        for (int j = 0; j < 6; j++) {
            CTK_INPUT4(d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j],
                       col[j][0], col[j][1], col[j][2], col[j][3], col[j][4], col[j][5]);
        }
        for (int i = 0; i < 6; i++) {
            __m256 v[6];
            CTK_INPUT4(col[0][i], col[1][i], col[2][i], col[3][i], col[4][i], col[5][i], v[0], v[1], v[2], v[3], v[4], v[5]);
            for (int j = 0; j < 6; j++) {
                float *dst = out + (6 * i + j) * position_stride + c;
                if (lanes == 8) _mm256_storeu_ps(dst, v[j]); else _mm256_maskstore_ps(dst, mask, v[j]);
            }
        }
    }
}

// One 6-to-4 A^T step (Winograd.output4).
#define CTK_OUTPUT4(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)                                   \
    do {                                                                                      \
        __m256 s12_ = _mm256_add_ps(m1, m2), d12_ = _mm256_sub_ps(m1, m2);                   \
        __m256 s34_ = _mm256_add_ps(m3, m4), d34_ = _mm256_sub_ps(m3, m4);                   \
        y0 = _mm256_add_ps(_mm256_add_ps(m0, s12_), s34_);                                    \
        y1 = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), d34_, d12_);                               \
        y2 = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), s34_, s12_);                               \
        y3 = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.0f), d34_, d12_), m5);            \
    } while (0)

CTK_AVX2 void ctk_winograd4_output_avx2(const float *m, ptrdiff_t position_stride, ptrdiff_t channels,
                                        float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top, ptrdiff_t left,
                                        const float *scale, const float *shift, int relu) {
    ptrdiff_t rows = height - top < 4 ? height - top : 4;
    ptrdiff_t columns = width - left < 4 ? width - left : 4;
    for (ptrdiff_t c = 0; c < channels; c += 8) {
        ptrdiff_t lanes = channels - c < 8 ? channels - c : 8;
        __m256i mask = first_lanes(lanes);
        __m256 col[6][4];  // col[j][i]: A^T applied down column j
        for (int j = 0; j < 6; j++) {
            __m256 v[6];
            for (int i = 0; i < 6; i++) {
                const float *p = m + (6 * i + j) * position_stride + c;
                v[i] = lanes == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
            }
            CTK_OUTPUT4(v[0], v[1], v[2], v[3], v[4], v[5], col[j][0], col[j][1], col[j][2], col[j][3]);
        }
        __m256 s = _mm256_setzero_ps(), b = _mm256_setzero_ps();
        if (scale) {
            s = lanes == 8 ? _mm256_loadu_ps(scale + c) : _mm256_maskload_ps(scale + c, mask);
            b = lanes == 8 ? _mm256_loadu_ps(shift + c) : _mm256_maskload_ps(shift + c, mask);
        }
        for (ptrdiff_t i = 0; i < rows; i++) {
            __m256 y[4];
            CTK_OUTPUT4(col[0][i], col[1][i], col[2][i], col[3][i], col[4][i], col[5][i], y[0], y[1], y[2], y[3]);
            for (ptrdiff_t j = 0; j < columns; j++) {
                __m256 v = y[j];
                if (scale) v = _mm256_add_ps(_mm256_mul_ps(v, s), b);  // x * scale + shift, as Elementwise.channelAffine
                if (relu) v = _mm256_max_ps(v, _mm256_setzero_ps());
                float *dst = image + ((top + i) * width + left + j) * channels + c;
                if (lanes == 8) _mm256_storeu_ps(dst, v); else _mm256_maskstore_ps(dst, mask, v);
            }
        }
    }
}

#else  // not x86: never called (ctk_has_avx2_fma() returns 0)

void ctk_gelu_avx2(float *x, ptrdiff_t n) { (void)x; (void)n; }
void ctk_quick_gelu_avx2(float *x, ptrdiff_t n) { (void)x; (void)n; }
void ctk_softmax_avx2(float *x, ptrdiff_t n) { (void)x; (void)n; }
void ctk_winograd4_input_avx2(const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                              ptrdiff_t top, ptrdiff_t left, float *out, ptrdiff_t position_stride) {
    (void)image; (void)height; (void)width; (void)channels; (void)top; (void)left; (void)out; (void)position_stride;
}
void ctk_winograd4_output_avx2(const float *m, ptrdiff_t position_stride, ptrdiff_t channels,
                               float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top, ptrdiff_t left,
                               const float *scale, const float *shift, int relu) {
    (void)m; (void)position_stride; (void)channels; (void)image; (void)height; (void)width; (void)top; (void)left;
    (void)scale; (void)shift; (void)relu;
}

#endif
