#ifndef AUGLAB_CIMAGECODECS_H
#define AUGLAB_CIMAGECODECS_H
// C side of AugLab's PNG and JPEG codecs. Every setjmp/longjmp stays in this target:
// callers get a status code and a message, never a jump or an exit().
//
// Rules every function here follows:
// - No global or static mutable state: each call owns its libpng/libjpeg structures, so
//   calls are reentrant and may run concurrently on different threads.
// - Every function that returns a status writes a NUL-terminated message into
//   `message` (capacity `message_capacity`, may be 0) when it fails.
// - Sizes from the input are checked before anything proportional to them is allocated.
#include <stddef.h>
#include <stdint.h>

/// Status codes of every ic_* function that can fail.
enum {
    IC_OK = 0,
    /// An argument is out of range (quality, compression level, buffer too small, ...).
    IC_ERR_ARGUMENT = 1,
    /// The data is corrupt or truncated.
    IC_ERR_CORRUPT = 2,
    /// The data is valid but uses a feature the decoder does not support (12-bit JPEG, ...).
    IC_ERR_UNSUPPORTED = 3,
    /// A size limit was hit (too many scans, chunk too large, ...).
    IC_ERR_LIMIT = 4,
    /// Memory could not be allocated.
    IC_ERR_NOMEM = 5,
    /// The encoder failed.
    IC_ERR_ENCODE = 6,
};

/// What a decoder learned from the header, before any pixel memory is allocated.
typedef struct {
    /// Image size in pixels, as stored (before any orientation is applied).
    uint32_t width;
    uint32_t height;
    /// PNG: bit depth per sample (1, 2, 4, 8, 16). JPEG: data precision (8).
    int bit_depth;
    /// PNG: the IHDR colour type (0, 2, 3, 4, 6). JPEG: the libjpeg J_COLOR_SPACE of the file.
    int color_type;
    /// PNG: 1 for Adam7 interlacing. JPEG: 1 for progressive.
    int interlaced;
    /// JPEG: number of components. PNG: channels before any transformation.
    int components;
    /// JPEG: 1 for arithmetic coding. PNG: 0.
    int arithmetic;
    /// JPEG: 1 if an Adobe APP14 marker was seen. PNG: 1 if a tRNS chunk was seen.
    int flag;
} ic_image_info;

/// Frees a buffer returned by any ic_* function (NULL is fine).
void ic_free(void *pointer);

// MARK: - PNG

/// An open PNG decoder; create with ic_png_open, release with ic_png_close.
typedef struct ic_png_reader ic_png_reader;

/// Reads the PNG signature and every chunk up to the first IDAT and reports the header.
///
/// `data` must stay valid and unchanged until ic_png_close. Ancillary chunks other than tRNS
/// are skipped unread (no decompression, no allocation); they cannot change the RGB pixels.
/// libpng warnings are counted, not fatal. On success `*reader` must be closed by the caller;
/// on failure `*reader` is NULL.
int ic_png_open(const uint8_t *data, size_t length, ic_png_reader **reader, ic_image_info *info,
                char *message, size_t message_capacity);

/// Decodes the whole image as 8-bit RGB into `rgb` (`width * height * 3` bytes, row-major),
/// as Pillow's `convert("RGB")` does: palette expanded, grey replicated, alpha and tRNS dropped,
/// 16-bit samples reduced to their high byte, no gamma. Then reads the chunks after the image
/// data up to IEND, so a CRC error or truncation there is an error too.
int ic_png_read_rgb8(ic_png_reader *reader, uint8_t *rgb, size_t capacity,
                     char *message, size_t message_capacity);

/// Number of libpng warnings so far and the first one (into `message`, may be empty).
int ic_png_warnings(const ic_png_reader *reader, char *message, size_t message_capacity);

/// Destroys the decoder (NULL is fine).
void ic_png_close(ic_png_reader *reader);

/// Encodes 8-bit RGB (`width * height * 3` bytes) as a non-interlaced 8-bit RGB PNG.
///
/// `compression_level` is zlib's 0 (none) ... 9 (smallest); `filter` is -1 for libpng's
/// adaptive choice among all five filters, or 0 ... 4 for one fixed filter on every row.
/// On success `*output` is a malloc'd buffer of `*output_length` bytes; free it with ic_free.
int ic_png_encode_rgb8(const uint8_t *rgb, uint32_t width, uint32_t height, int compression_level,
                       int filter, uint8_t **output, size_t *output_length,
                       char *message, size_t message_capacity);

// MARK: - JPEG

/// An open JPEG decoder; create with ic_jpeg_open, release with ic_jpeg_close.
typedef struct ic_jpeg_reader ic_jpeg_reader;

/// Reads the JPEG header (up to the first SOS) and reports the image.
///
/// With `strict` non-zero, libjpeg's corrupt-data warnings (premature end of file, extraneous
/// bytes, bad Huffman or arithmetic code, ...) are errors; otherwise they are counted and
/// libjpeg's repaired image (grey where data is missing) is returned. Warnings that do not
/// mean lost pixels (unknown JFIF revision, bad ICC marker, unknown Adobe transform) are
/// always just counted. `max_scans` caps the scans of a progressive file (hang protection).
/// `data` must stay valid until ic_jpeg_close. 12-bit files are IC_ERR_UNSUPPORTED.
int ic_jpeg_open(const uint8_t *data, size_t length, int strict, int max_scans,
                 ic_jpeg_reader **reader, ic_image_info *info,
                 char *message, size_t message_capacity);

/// Decodes the whole image as 8-bit RGB into `rgb` (`width * height * 3` bytes), as Pillow's
/// `convert("RGB")` does: YCbCr and RGB through libjpeg, grey replicated, CMYK and YCCK as
/// Adobe-inverted CMYK (Pillow's "CMYK;I") converted with Pillow's `cmyk2rgb` arithmetic.
int ic_jpeg_read_rgb8(ic_jpeg_reader *reader, uint8_t *rgb, size_t capacity,
                      char *message, size_t message_capacity);

/// Number of libjpeg warnings so far and the first one (into `message`, may be empty).
int ic_jpeg_warnings(const ic_jpeg_reader *reader, char *message, size_t message_capacity);

/// Destroys the decoder (NULL is fine).
void ic_jpeg_close(ic_jpeg_reader *reader);

/// Chroma subsampling of the JPEG encoder.
enum {
    /// 2×2 (the libjpeg and Pillow default).
    IC_JPEG_SUBSAMPLING_420 = 0,
    /// 2×1.
    IC_JPEG_SUBSAMPLING_422 = 1,
    /// None.
    IC_JPEG_SUBSAMPLING_444 = 2,
};

/// Encodes 8-bit RGB as a baseline YCbCr JFIF JPEG at `quality` 1 ... 100 (libjpeg's scale,
/// quantisation tables clamped to baseline as Pillow does), islow DCT, standard Huffman tables.
/// On success `*output` is a malloc'd buffer of `*output_length` bytes; free it with ic_free.
int ic_jpeg_encode_rgb8(const uint8_t *rgb, uint32_t width, uint32_t height, int quality,
                        int subsampling, uint8_t **output, size_t *output_length,
                        char *message, size_t message_capacity);

// MARK: - Pixel rows (exact transforms)

/// Writes `count` pixels of `pixel_bytes` bytes each from `source` to `destination` in reverse
/// order (destination pixel i = source pixel count-1-i): one row of a horizontal flip.
///
/// The two ranges must not overlap. Pixel sizes 3 (RGB8) and 12 (RGB float32) use SIMD paths;
/// any other size is copied pixel by pixel.
void ic_reverse_pixels(const uint8_t *source, uint8_t *destination, size_t count, size_t pixel_bytes);

#endif
