// PNG decoding and encoding through libpng 1.6. Every libpng error longjmps back to a
// setjmp in this file; nothing here exits or jumps out to the caller.
#include "CImageCodecs.h"
#include "internal.h"
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/// Largest ancillary chunk libpng may allocate while reading (bytes). The decoder skips every
/// ancillary chunk except tRNS unread, so this only bounds tRNS/PLTE-sized allocations.
#define IC_PNG_CHUNK_MALLOC_MAX (8u << 20)
/// Most ancillary chunks libpng may keep per file.
#define IC_PNG_CHUNK_CACHE_MAX 1000u

struct ic_png_reader {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t length;
    size_t offset;
    /// IC_ERR_* reported for the next libpng error (set before raising our own errors).
    int error_code;
    char error[IC_MESSAGE_CAPACITY];
    int warning_count;
    char first_warning[IC_MESSAGE_CAPACITY];
};

static int ic_png_code_for_message(const char *text) {
    if (text != NULL && (strstr(text, "ut of memory") != NULL || strstr(text, "nsufficient memory") != NULL)) {
        return IC_ERR_NOMEM;
    }
    return IC_ERR_CORRUPT;
}

static void ic_png_error_fn(png_structp png, png_const_charp text) {
    ic_png_reader *reader = (ic_png_reader *)png_get_error_ptr(png);
    if (reader != NULL) {
        ic_copy_message(reader->error, sizeof reader->error, text);
        if (reader->error_code == IC_ERR_CORRUPT) reader->error_code = ic_png_code_for_message(text);
    }
    png_longjmp(png, 1);
}

static void ic_png_warning_fn(png_structp png, png_const_charp text) {
    ic_png_reader *reader = (ic_png_reader *)png_get_error_ptr(png);
    if (reader == NULL) return;
    if (reader->warning_count == 0) ic_copy_message(reader->first_warning, sizeof reader->first_warning, text);
    if (reader->warning_count < INT_MAX) reader->warning_count += 1;
}

static void ic_png_read_fn(png_structp png, png_bytep out, size_t count) {
    ic_png_reader *reader = (ic_png_reader *)png_get_io_ptr(png);
    if (count > reader->length - reader->offset) {
        reader->error_code = IC_ERR_CORRUPT;
        png_error(png, "data ends early (truncated file)");
    }
    memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

void ic_png_close(ic_png_reader *reader) {
    if (reader == NULL) return;
    if (reader->png != NULL) png_destroy_read_struct(&reader->png, reader->info != NULL ? &reader->info : NULL, NULL);
    free(reader);
}

int ic_png_open(const uint8_t *data, size_t length, ic_png_reader **reader_out, ic_image_info *info,
                char *message, size_t message_capacity) {
    if (reader_out == NULL || info == NULL || (data == NULL && length > 0)) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "ic_png_open: missing argument");
    }
    *reader_out = NULL;
    memset(info, 0, sizeof *info);
    if (length < 8 || png_sig_cmp(data, 0, 8) != 0) {
        return ic_fail(IC_ERR_CORRUPT, message, message_capacity, "not a PNG file (bad signature)");
    }
    ic_png_reader *reader = (ic_png_reader *)calloc(1, sizeof *reader);
    if (reader == NULL) return ic_fail(IC_ERR_NOMEM, message, message_capacity, "out of memory");
    reader->data = data;
    reader->length = length;
    reader->error_code = IC_ERR_CORRUPT;
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, ic_png_error_fn, ic_png_warning_fn);
    if (reader->png == NULL) {
        free(reader);
        return ic_fail(IC_ERR_NOMEM, message, message_capacity, "cannot create the libpng read structure");
    }
    reader->info = png_create_info_struct(reader->png);
    if (reader->info == NULL) {
        ic_png_close(reader);
        return ic_fail(IC_ERR_NOMEM, message, message_capacity, "cannot create the libpng info structure");
    }
    if (setjmp(png_jmpbuf(reader->png))) {
        int code = reader->error_code;
        ic_copy_message(message, message_capacity, reader->error);
        ic_png_close(reader);
        return code;
    }
    png_set_read_fn(reader->png, reader, ic_png_read_fn);
    // The caller enforces its own pixel-count limit on the header; libpng's per-dimension
    // defaults (1,000,000) would refuse valid long thin images first.
    png_set_user_limits(reader->png, 0x7fffffffu, 0x7fffffffu);
    png_set_chunk_malloc_max(reader->png, IC_PNG_CHUNK_MALLOC_MAX);
    png_set_chunk_cache_max(reader->png, IC_PNG_CHUNK_CACHE_MAX);
    // Skip every ancillary chunk except tRNS: none of them changes the RGB samples without a
    // transformation we do not request (gamma, background), and skipped chunks are never
    // decompressed or stored. Their CRCs are still checked (a bad one is a warning).
    png_set_keep_unknown_chunks(reader->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_read_info(reader->png, reader->info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(reader->png, reader->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    info->width = width;
    info->height = height;
    info->bit_depth = bit_depth;
    info->color_type = color_type;
    info->interlaced = interlace != PNG_INTERLACE_NONE;
    info->components = png_get_channels(reader->png, reader->info);
    info->arithmetic = 0;
    info->flag = png_get_valid(reader->png, reader->info, PNG_INFO_tRNS) != 0;
    *reader_out = reader;
    return IC_OK;
}

int ic_png_read_rgb8(ic_png_reader *reader, uint8_t *rgb, size_t capacity, char *message, size_t message_capacity) {
    if (reader == NULL || rgb == NULL) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "ic_png_read_rgb8: missing argument");
    }
    png_uint_32 width = png_get_image_width(reader->png, reader->info);
    png_uint_32 height = png_get_image_height(reader->png, reader->info);
    if (width == 0 || height == 0 || (uint64_t)width * height > (uint64_t)(capacity / 3)) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity,
                       "output buffer of %zu bytes is too small for %ux%u RGB", capacity,
                       (unsigned)width, (unsigned)height);
    }
    size_t stride = (size_t)width * 3;
    png_bytep *rows = (png_bytep *)malloc((size_t)height * sizeof(png_bytep));
    if (rows == NULL) return ic_fail(IC_ERR_NOMEM, message, message_capacity, "out of memory (row table)");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = rgb + (size_t)y * stride;

    if (setjmp(png_jmpbuf(reader->png))) {
        free(rows);
        ic_copy_message(message, message_capacity, reader->error);
        return reader->error_code;
    }
    int color_type = png_get_color_type(reader->png, reader->info);
    int bit_depth = png_get_bit_depth(reader->png, reader->info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(reader->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(reader->png);
    if (bit_depth == 16) png_set_strip_16(reader->png);
    // Alpha (and the alpha palette expansion makes from tRNS) is dropped, not composited.
    png_set_strip_alpha(reader->png);
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(reader->png);
    png_set_interlace_handling(reader->png);
    png_read_update_info(reader->png, reader->info);
    if (png_get_bit_depth(reader->png, reader->info) != 8 || png_get_channels(reader->png, reader->info) != 3
        || png_get_rowbytes(reader->png, reader->info) != stride) {
        reader->error_code = IC_ERR_UNSUPPORTED;
        png_error(reader->png, "PNG layout could not be converted to 8-bit RGB");
    }
    png_read_image(reader->png, rows);
    // Reads the chunks after the image data up to IEND: CRC errors and truncation there count.
    png_read_end(reader->png, NULL);
    free(rows);
    return IC_OK;
}

int ic_png_warnings(const ic_png_reader *reader, char *message, size_t message_capacity) {
    if (reader == NULL) return 0;
    ic_copy_message(message, message_capacity, reader->first_warning);
    return reader->warning_count;
}

// MARK: - Encoding

typedef struct {
    uint8_t *data;
    size_t length;
    size_t capacity;
    char error[IC_MESSAGE_CAPACITY];
} ic_png_writer;

static void ic_png_write_error_fn(png_structp png, png_const_charp text) {
    ic_png_writer *writer = (ic_png_writer *)png_get_error_ptr(png);
    if (writer != NULL) ic_copy_message(writer->error, sizeof writer->error, text);
    png_longjmp(png, 1);
}

static void ic_png_write_warning_fn(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void ic_png_write_fn(png_structp png, png_bytep bytes, size_t count) {
    ic_png_writer *writer = (ic_png_writer *)png_get_io_ptr(png);
    if (count > writer->capacity - writer->length) {
        size_t needed = writer->length + count;
        if (needed < writer->length) png_error(png, "PNG output too large");
        size_t capacity = writer->capacity > 0 ? writer->capacity : 65536;
        while (capacity < needed) {
            if (capacity > SIZE_MAX / 2) {
                capacity = needed;
                break;
            }
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(writer->data, capacity);
        if (grown == NULL) png_error(png, "Out of memory (PNG output buffer)");
        writer->data = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->data + writer->length, bytes, count);
    writer->length += count;
}

static void ic_png_flush_fn(png_structp png) { (void)png; }

int ic_png_encode_rgb8(const uint8_t *rgb, uint32_t width, uint32_t height, int compression_level,
                       int filter, uint8_t **output, size_t *output_length,
                       char *message, size_t message_capacity) {
    if (rgb == NULL || output == NULL || output_length == NULL) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "ic_png_encode_rgb8: missing argument");
    }
    *output = NULL;
    *output_length = 0;
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "PNG size %ux%u is out of range",
                       (unsigned)width, (unsigned)height);
    }
    if (compression_level < 0 || compression_level > 9) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity,
                       "PNG compression level %d is out of range 0...9", compression_level);
    }
    if (filter < -1 || filter > 4) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "PNG filter %d is out of range -1...4", filter);
    }
    ic_png_writer *writer = (ic_png_writer *)calloc(1, sizeof *writer);
    if (writer == NULL) return ic_fail(IC_ERR_NOMEM, message, message_capacity, "out of memory");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, ic_png_write_error_fn,
                                              ic_png_write_warning_fn);
    if (png == NULL) {
        free(writer);
        return ic_fail(IC_ERR_NOMEM, message, message_capacity, "cannot create the libpng write structure");
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        free(writer);
        return ic_fail(IC_ERR_NOMEM, message, message_capacity, "cannot create the libpng info structure");
    }
    if (setjmp(png_jmpbuf(png))) {
        // `png`, `info` and `writer` are not modified after setjmp; the buffer is reached
        // through `writer`, which lives on the heap.
        ic_copy_message(message, message_capacity, writer->error);
        png_destroy_write_struct(&png, &info);
        free(writer->data);
        free(writer);
        return IC_ERR_ENCODE;
    }
    png_set_write_fn(png, writer, ic_png_write_fn, ic_png_flush_fn);
    png_set_user_limits(png, 0x7fffffffu, 0x7fffffffu);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, compression_level);
    if (filter >= 0) png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE << filter);
    png_write_info(png, info);
    size_t stride = (size_t)width * 3;
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(rgb + (size_t)y * stride));
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *output = writer->data;
    *output_length = writer->length;
    free(writer);
    return IC_OK;
}
