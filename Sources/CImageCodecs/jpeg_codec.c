// JPEG decoding and encoding through libjpeg-turbo (libjpeg API 6.2). Every libjpeg error
// (and, in strict mode, every corrupt-data warning) longjmps back to a setjmp in this file.
#include "CImageCodecs.h"
#include "internal.h"
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr pub;  // must be first: libjpeg sees only this part
    jmp_buf jump;
    int strict;
    /// IC_ERR_* reported for the next error (set before raising our own errors).
    int error_code;
    char error[IC_MESSAGE_CAPACITY];
    int warning_count;
    char first_warning[IC_MESSAGE_CAPACITY];
} ic_jpeg_error_mgr;

/// Raises an error of our own: formats it, records the code and jumps to the active setjmp.
static void ic_jpeg_raise(ic_jpeg_error_mgr *err, int code, const char *text) {
    err->error_code = code;
    ic_copy_message(err->error, sizeof err->error, text);
    longjmp(err->jump, 1);
}

static void ic_jpeg_error_exit(j_common_ptr cinfo) {
    ic_jpeg_error_mgr *err = (ic_jpeg_error_mgr *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    int code = IC_ERR_CORRUPT;
    switch (err->pub.msg_code) {
    case JERR_BAD_PRECISION:
        snprintf(text, sizeof text, "unsupported JPEG data precision %d (only 8-bit samples are supported)",
                 err->pub.msg_parm.i[0]);
        code = IC_ERR_UNSUPPORTED;
        break;
    case JERR_IMAGE_TOO_BIG:
        code = IC_ERR_LIMIT;
        if (cinfo->is_decompressor) {
            j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
            snprintf(text, sizeof text, "image is %u×%u, over libjpeg's limit of %d pixels per side",
                     (unsigned)dinfo->image_width, (unsigned)dinfo->image_height, err->pub.msg_parm.i[0]);
        } else {
            (*err->pub.format_message)(cinfo, text);
        }
        break;
    case JERR_OUT_OF_MEMORY:
        (*err->pub.format_message)(cinfo, text);
        code = IC_ERR_NOMEM;
        break;
    case JERR_NOT_COMPILED:
    case JERR_ARITH_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
        (*err->pub.format_message)(cinfo, text);
        code = IC_ERR_UNSUPPORTED;
        break;
    default:
        (*err->pub.format_message)(cinfo, text);
        break;
    }
    ic_jpeg_raise(err, code, text);
}

/// Warnings that mean pixels were lost or invented (libjpeg pads missing data with grey).
static int ic_jpeg_warning_loses_data(int msg_code) {
    switch (msg_code) {
    case JWRN_EXTRANEOUS_DATA:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
#if JPEG_LIB_VERSION >= 70 || defined(C_ARITH_CODING_SUPPORTED) || defined(D_ARITH_CODING_SUPPORTED)
    case JWRN_ARITH_BAD_CODE:
#endif
        return 1;
    default:
        return 0;
    }
}

static void ic_jpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    ic_jpeg_error_mgr *err = (ic_jpeg_error_mgr *)cinfo->err;
    if (msg_level >= 0) return;  // trace messages
    char text[JMSG_LENGTH_MAX];
    (*err->pub.format_message)(cinfo, text);
    if (err->warning_count == 0) ic_copy_message(err->first_warning, sizeof err->first_warning, text);
    if (err->warning_count < INT_MAX) err->warning_count += 1;
    err->pub.num_warnings += 1;
    if (err->strict && ic_jpeg_warning_loses_data(err->pub.msg_code)) ic_jpeg_raise(err, IC_ERR_CORRUPT, text);
}

static void ic_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void ic_jpeg_init_error(ic_jpeg_error_mgr *err, int strict) {
    jpeg_std_error(&err->pub);
    err->pub.error_exit = ic_jpeg_error_exit;
    err->pub.emit_message = ic_jpeg_emit_message;
    err->pub.output_message = ic_jpeg_output_message;
    err->strict = strict;
    err->error_code = IC_ERR_CORRUPT;
}

// MARK: - Decoding

struct ic_jpeg_reader {
    struct jpeg_decompress_struct cinfo;
    ic_jpeg_error_mgr err;
    struct jpeg_progress_mgr progress;
    int max_scans;
    /// 1 once jpeg_create_decompress has run (so close must destroy).
    int created;
    /// 1 when libjpeg outputs CMYK that we convert to RGB.
    int cmyk;
};

static void ic_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    ic_jpeg_reader *reader = (ic_jpeg_reader *)cinfo->client_data;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > reader->max_scans) {
        char text[IC_MESSAGE_CAPACITY];
        snprintf(text, sizeof text, "JPEG has more than %d scans (refused to avoid a very long decode)",
                 reader->max_scans);
        ic_jpeg_raise(&reader->err, IC_ERR_LIMIT, text);
    }
}

void ic_jpeg_close(ic_jpeg_reader *reader) {
    if (reader == NULL) return;
    if (reader->created) jpeg_destroy_decompress(&reader->cinfo);
    free(reader);
}

int ic_jpeg_open(const uint8_t *data, size_t length, int strict, int max_scans, ic_jpeg_reader **reader_out,
                 ic_image_info *info, char *message, size_t message_capacity) {
    if (reader_out == NULL || info == NULL || (data == NULL && length > 0)) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "ic_jpeg_open: missing argument");
    }
    *reader_out = NULL;
    memset(info, 0, sizeof *info);
    if (length < 2 || data[0] != 0xFF || data[1] != 0xD8) {
        return ic_fail(IC_ERR_CORRUPT, message, message_capacity, "not a JPEG file (no SOI marker)");
    }
    if (length > ULONG_MAX) return ic_fail(IC_ERR_LIMIT, message, message_capacity, "JPEG data too large");
    ic_jpeg_reader *reader = (ic_jpeg_reader *)calloc(1, sizeof *reader);
    if (reader == NULL) return ic_fail(IC_ERR_NOMEM, message, message_capacity, "out of memory");
    reader->max_scans = max_scans > 0 ? max_scans : 1;
    reader->cinfo.err = &reader->err.pub;
    ic_jpeg_init_error(&reader->err, strict);
    if (setjmp(reader->err.jump)) {
        int code = reader->err.error_code;
        ic_copy_message(message, message_capacity, reader->err.error);
        ic_jpeg_close(reader);
        return code;
    }
    jpeg_create_decompress(&reader->cinfo);
    reader->created = 1;
    reader->cinfo.client_data = reader;
    reader->progress.progress_monitor = ic_jpeg_progress;
    reader->cinfo.progress = &reader->progress;
    jpeg_mem_src(&reader->cinfo, data, (unsigned long)length);
    jpeg_read_header(&reader->cinfo, TRUE);

    switch (reader->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        reader->cmyk = 0;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        reader->cmyk = 1;
        break;
    default: {
        char text[IC_MESSAGE_CAPACITY];
        snprintf(text, sizeof text, "unsupported JPEG colour space (%d components, libjpeg colour space %d)",
                 reader->cinfo.num_components, (int)reader->cinfo.jpeg_color_space);
        ic_jpeg_raise(&reader->err, IC_ERR_UNSUPPORTED, text);
    }
    }
    info->width = reader->cinfo.image_width;
    info->height = reader->cinfo.image_height;
    info->bit_depth = reader->cinfo.data_precision;
    info->color_type = (int)reader->cinfo.jpeg_color_space;
    info->interlaced = reader->cinfo.progressive_mode ? 1 : 0;
    info->components = reader->cinfo.num_components;
    info->arithmetic = reader->cinfo.arith_code ? 1 : 0;
    info->flag = reader->cinfo.saw_Adobe_marker ? 1 : 0;
    *reader_out = reader;
    return IC_OK;
}

/// (a × b) / 255, rounded, for a, b in 0...255: Pillow's MULDIV255.
static inline unsigned ic_muldiv255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

/// Pillow's "CMYK;I" unpacking (invert every sample) followed by its `cmyk2rgb`.
static void ic_inverted_cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, size_t count) {
    for (size_t i = 0; i < count; i++) {
        // Inverted sample s' = 255 - s; Pillow's nk = 255 - k' = k.
        unsigned nk = cmyk[3];
        rgb[0] = (uint8_t)(nk - ic_muldiv255(255u - cmyk[0], nk));
        rgb[1] = (uint8_t)(nk - ic_muldiv255(255u - cmyk[1], nk));
        rgb[2] = (uint8_t)(nk - ic_muldiv255(255u - cmyk[2], nk));
        cmyk += 4;
        rgb += 3;
    }
}

int ic_jpeg_read_rgb8(ic_jpeg_reader *reader, uint8_t *rgb, size_t capacity, char *message, size_t message_capacity) {
    if (reader == NULL || rgb == NULL) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "ic_jpeg_read_rgb8: missing argument");
    }
    uint32_t width = reader->cinfo.image_width, height = reader->cinfo.image_height;
    if (width == 0 || height == 0 || (uint64_t)width * height > (uint64_t)(capacity / 3)) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity,
                       "output buffer of %zu bytes is too small for %ux%u RGB", capacity,
                       (unsigned)width, (unsigned)height);
    }
    if (setjmp(reader->err.jump)) {
        ic_copy_message(message, message_capacity, reader->err.error);
        return reader->err.error_code;
    }
    j_decompress_ptr cinfo = &reader->cinfo;
    cinfo->out_color_space = reader->cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(cinfo);
    int expected_components = reader->cmyk ? 4 : 3;
    if (cinfo->output_width != width || cinfo->output_height != height
        || cinfo->output_components != expected_components) {
        ic_jpeg_raise(&reader->err, IC_ERR_UNSUPPORTED, "libjpeg output does not match the JPEG header");
    }
    size_t stride = (size_t)width * 3;
    if (reader->cmyk) {
        JSAMPARRAY row = (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE, (JDIMENSION)width * 4, 1);
        while (cinfo->output_scanline < height) {
            uint8_t *out = rgb + (size_t)cinfo->output_scanline * stride;
            if (jpeg_read_scanlines(cinfo, row, 1) != 1) {
                ic_jpeg_raise(&reader->err, IC_ERR_CORRUPT, "libjpeg returned no scanline");
            }
            ic_inverted_cmyk_to_rgb(row[0], out, width);
        }
    } else {
        enum { batch = 16 };
        JSAMPROW rows[batch];
        while (cinfo->output_scanline < height) {
            JDIMENSION first = cinfo->output_scanline;
            JDIMENSION count = height - first < batch ? height - first : batch;
            for (JDIMENSION i = 0; i < count; i++) rows[i] = rgb + (size_t)(first + i) * stride;
            if (jpeg_read_scanlines(cinfo, rows, count) == 0) {
                ic_jpeg_raise(&reader->err, IC_ERR_CORRUPT, "libjpeg returned no scanline");
            }
        }
    }
    // Reads to EOI: trailing corruption (extraneous bytes, missing EOI) is reported here.
    jpeg_finish_decompress(cinfo);
    return IC_OK;
}

int ic_jpeg_warnings(const ic_jpeg_reader *reader, char *message, size_t message_capacity) {
    if (reader == NULL) return 0;
    ic_copy_message(message, message_capacity, reader->err.first_warning);
    return reader->err.warning_count;
}

// MARK: - Encoding

typedef struct {
    struct jpeg_destination_mgr pub;  // must be first
    uint8_t *data;
    size_t capacity;
} ic_jpeg_destination;

typedef struct {
    struct jpeg_compress_struct cinfo;
    ic_jpeg_error_mgr err;
    ic_jpeg_destination destination;
    int created;
} ic_jpeg_writer;

static void ic_jpeg_init_destination(j_compress_ptr cinfo) {
    ic_jpeg_destination *dest = (ic_jpeg_destination *)cinfo->dest;
    dest->pub.next_output_byte = dest->data;
    dest->pub.free_in_buffer = dest->capacity;
}

static boolean ic_jpeg_empty_output_buffer(j_compress_ptr cinfo) {
    // libjpeg calls this only when the buffer is completely full.
    ic_jpeg_destination *dest = (ic_jpeg_destination *)cinfo->dest;
    size_t used = dest->capacity;
    if (used > SIZE_MAX / 2) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
    size_t capacity = used * 2;
    uint8_t *grown = (uint8_t *)realloc(dest->data, capacity);
    if (grown == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
    dest->data = grown;
    dest->capacity = capacity;
    dest->pub.next_output_byte = grown + used;
    dest->pub.free_in_buffer = capacity - used;
    return TRUE;
}

static void ic_jpeg_term_destination(j_compress_ptr cinfo) { (void)cinfo; }

int ic_jpeg_encode_rgb8(const uint8_t *rgb, uint32_t width, uint32_t height, int quality, int subsampling,
                        uint8_t **output, size_t *output_length, char *message, size_t message_capacity) {
    if (rgb == NULL || output == NULL || output_length == NULL) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "ic_jpeg_encode_rgb8: missing argument");
    }
    *output = NULL;
    *output_length = 0;
    if (quality < 1 || quality > 100) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "JPEG quality %d is out of range 1...100", quality);
    }
    if (subsampling < IC_JPEG_SUBSAMPLING_420 || subsampling > IC_JPEG_SUBSAMPLING_444) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity, "unknown JPEG subsampling %d", subsampling);
    }
    if (width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        return ic_fail(IC_ERR_ARGUMENT, message, message_capacity,
                       "JPEG size %ux%u is out of range (1...%d per side)", (unsigned)width, (unsigned)height,
                       (int)JPEG_MAX_DIMENSION);
    }
    ic_jpeg_writer *writer = (ic_jpeg_writer *)calloc(1, sizeof *writer);
    if (writer == NULL) return ic_fail(IC_ERR_NOMEM, message, message_capacity, "out of memory");
    // A first guess of the output size; the destination doubles it when it runs out.
    size_t guess = (size_t)width * height / 2 + 16384;
    writer->destination.capacity = guess < ((size_t)64 << 20) ? guess : ((size_t)64 << 20);
    writer->destination.data = (uint8_t *)malloc(writer->destination.capacity);
    if (writer->destination.data == NULL) {
        free(writer);
        return ic_fail(IC_ERR_NOMEM, message, message_capacity, "out of memory (JPEG output buffer)");
    }
    writer->cinfo.err = &writer->err.pub;
    ic_jpeg_init_error(&writer->err, 0);
    if (setjmp(writer->err.jump)) {
        ic_copy_message(message, message_capacity, writer->err.error);
        int code = writer->err.error_code == IC_ERR_NOMEM ? IC_ERR_NOMEM : IC_ERR_ENCODE;
        if (writer->created) jpeg_destroy_compress(&writer->cinfo);
        free(writer->destination.data);
        free(writer);
        return code;
    }
    jpeg_create_compress(&writer->cinfo);
    writer->created = 1;
    j_compress_ptr cinfo = &writer->cinfo;
    writer->destination.pub.init_destination = ic_jpeg_init_destination;
    writer->destination.pub.empty_output_buffer = ic_jpeg_empty_output_buffer;
    writer->destination.pub.term_destination = ic_jpeg_term_destination;
    cinfo->dest = &writer->destination.pub;
    cinfo->image_width = width;
    cinfo->image_height = height;
    cinfo->input_components = 3;
    cinfo->in_color_space = JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality, TRUE);
    int h = subsampling == IC_JPEG_SUBSAMPLING_444 ? 1 : 2;
    int v = subsampling == IC_JPEG_SUBSAMPLING_420 ? 2 : 1;
    cinfo->comp_info[0].h_samp_factor = h;
    cinfo->comp_info[0].v_samp_factor = v;
    for (int c = 1; c < 3; c++) {
        cinfo->comp_info[c].h_samp_factor = 1;
        cinfo->comp_info[c].v_samp_factor = 1;
    }
    jpeg_start_compress(cinfo, TRUE);
    size_t stride = (size_t)width * 3;
    while (cinfo->next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo->next_scanline * stride);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
    *output_length = writer->destination.capacity - writer->destination.pub.free_in_buffer;
    *output = writer->destination.data;
    jpeg_destroy_compress(cinfo);
    free(writer);
    return IC_OK;
}
