// Row kernels of the exact (interpolation-free) transforms. They live in C because a
// horizontal flip of 3-byte pixels needs a byte shuffle (SSSE3 `pshufb`) to run at memory
// speed, and Swift cannot select an instruction set per function (the package targets the
// x86-64 baseline). No state, no allocation; portable fallbacks elsewhere.
#include "CImageCodecs.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define IC_HAVE_X86 1
#endif

/// Portable reversal of 3-byte pixels.
static void ic_reverse_rgb8_scalar(const uint8_t *source, uint8_t *destination, size_t count) {
    const uint8_t *s = source + 3 * count;
    for (size_t i = 0; i < count; i++) {
        s -= 3;
        destination[0] = s[0];
        destination[1] = s[1];
        destination[2] = s[2];
        destination += 3;
    }
}

#ifdef IC_HAVE_X86
/// Reversal of 3-byte pixels, five at a time with one SSSE3 shuffle.
///
/// Each step loads the 15 bytes of five source pixels (plus one byte before them, so the
/// load never reads past the row) and stores 16 bytes; the 16th byte lands on the next
/// destination pixel, which the next step or the scalar tail overwrites.
__attribute__((target("ssse3")))
static void ic_reverse_rgb8_ssse3(const uint8_t *source, uint8_t *destination, size_t count) {
    // Destination pixel j (0...4) of a step = loaded pixel 4 - j, at byte 1 + 3 (4 - j).
    const __m128i shuffle = _mm_setr_epi8(13, 14, 15, 10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3, 0);
    size_t i = 0;
    for (; i + 11 <= count; i += 10) {
        __m128i a = _mm_loadu_si128((const __m128i *)(source + 3 * (count - 5 - i) - 1));
        __m128i b = _mm_loadu_si128((const __m128i *)(source + 3 * (count - 10 - i) - 1));
        _mm_storeu_si128((__m128i *)(destination + 3 * i), _mm_shuffle_epi8(a, shuffle));
        _mm_storeu_si128((__m128i *)(destination + 3 * i + 15), _mm_shuffle_epi8(b, shuffle));
    }
    for (; i + 6 <= count; i += 5) {
        __m128i a = _mm_loadu_si128((const __m128i *)(source + 3 * (count - 5 - i) - 1));
        _mm_storeu_si128((__m128i *)(destination + 3 * i), _mm_shuffle_epi8(a, shuffle));
    }
    ic_reverse_rgb8_scalar(source, destination + 3 * i, count - i);
}
#endif

#ifdef IC_HAVE_X86
/// Reversal of 12-byte pixels, four at a time: three 16-byte loads, six SSE shuffles, three
/// 16-byte stores (SSE is part of every x86-64 CPU). Twice as fast as one overlapping 16-byte
/// move per pixel when the image is cache-resident; both run at memory speed otherwise.
static void ic_reverse_12_sse(const uint8_t *source, uint8_t *destination, size_t count) {
    const float *s = (const float *)(const void *)source;
    float *d = (float *)(void *)destination;
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        // Loaded pixels p0...p3 = source pixels count-4-i ... count-1-i, stored as p3 p2 p1 p0.
        const float *p = s + 3 * (count - 4 - i);
        __m128 v0 = _mm_loadu_ps(p), v1 = _mm_loadu_ps(p + 4), v2 = _mm_loadu_ps(p + 8);
        __m128 t = _mm_shuffle_ps(v2, v1, _MM_SHUFFLE(2, 2, 3, 3));
        __m128 u = _mm_shuffle_ps(v1, v2, _MM_SHUFFLE(0, 0, 3, 3));
        __m128 w = _mm_shuffle_ps(v0, v1, _MM_SHUFFLE(0, 0, 3, 3));
        __m128 x = _mm_shuffle_ps(v1, v0, _MM_SHUFFLE(0, 0, 1, 1));
        _mm_storeu_ps(d + 3 * i, _mm_shuffle_ps(v2, t, _MM_SHUFFLE(2, 0, 2, 1)));
        _mm_storeu_ps(d + 3 * i + 4, _mm_shuffle_ps(u, w, _MM_SHUFFLE(2, 0, 2, 0)));
        _mm_storeu_ps(d + 3 * i + 8, _mm_shuffle_ps(x, v0, _MM_SHUFFLE(2, 1, 2, 0)));
    }
    for (; i < count; i++) memcpy(d + 3 * i, s + 3 * (count - 1 - i), 12);
}
#endif

void ic_reverse_pixels(const uint8_t *source, uint8_t *destination, size_t count, size_t pixel_bytes) {
    if (source == NULL || destination == NULL || count == 0 || pixel_bytes == 0) return;
    if (pixel_bytes == 3) {
#ifdef IC_HAVE_X86
        if (__builtin_cpu_supports("ssse3")) {
            ic_reverse_rgb8_ssse3(source, destination, count);
            return;
        }
#endif
        ic_reverse_rgb8_scalar(source, destination, count);
        return;
    }
#ifdef IC_HAVE_X86
    if (pixel_bytes == 12) {
        ic_reverse_12_sse(source, destination, count);
        return;
    }
#endif
    const uint8_t *s = source + pixel_bytes * count;
    for (size_t i = 0; i < count; i++) {
        s -= pixel_bytes;
        memcpy(destination + pixel_bytes * i, s, pixel_bytes);
    }
}
