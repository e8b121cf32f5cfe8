// Row kernels of the exact (interpolation-free) transforms. They live in C because a
// horizontal flip of 3-byte pixels needs a byte shuffle (SSSE3 `pshufb`) to run at memory
// speed, and Swift cannot select an instruction set per function. No state, no allocation.
#include "CImageCodecs.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
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

/// Reversal of 12-byte pixels (RGB float32) with one 16-byte move per pixel.
///
/// The move reads 4 bytes of the next source pixel and writes 4 bytes into the next
/// destination pixel (overwritten by the following move), so the first and last pixels of
/// the row, whose neighbours lie outside it, are copied exactly.
static void ic_reverse_12(const uint8_t *source, uint8_t *destination, size_t count) {
    if (count == 0) return;
    memcpy(destination, source + 12 * (count - 1), 12);
    for (size_t i = 1; i + 1 < count; i++) {
        uint8_t block[16];
        memcpy(block, source + 12 * (count - 1 - i), 16);
        memcpy(destination + 12 * i, block, 16);
    }
    if (count > 1) memcpy(destination + 12 * (count - 1), source, 12);
}

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
    if (pixel_bytes == 12) {
        ic_reverse_12(source, destination, count);
        return;
    }
    const uint8_t *s = source + pixel_bytes * count;
    for (size_t i = 0; i < count; i++) {
        s -= pixel_bytes;
        memcpy(destination + pixel_bytes * i, s, pixel_bytes);
    }
}
