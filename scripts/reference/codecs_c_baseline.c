// The C floor of the codec benchmark: plain libjpeg-turbo / libpng calls with default settings,
// timed in the same run as AugLab's codecs (Benchmarks/CodecBenchmarks compiles and runs this),
// so the ratio is measured side by side under the same machine load.
//
// Build: cc -O2 codecs_c_baseline.c -lpng16 -ljpeg -o codecs_c_baseline
// Usage: codecs_c_baseline MODE FILE RUNS
//   MODE: decode-jpeg, decode-png (FILE is the encoded image),
//         encode-jpeg (quality 90, libjpeg defaults: 4:2:0), encode-png (level 6, default filters)
//         (FILE is raw 1024x1024 RGB)
// Prints one line per run: the wall time in milliseconds (after 2 untimed warm-up runs).
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include <png.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

typedef struct {
    const unsigned char *data;
    size_t length, offset;
} source;

static void png_read_memory(png_structp png, png_bytep out, size_t count) {
    source *s = (source *)png_get_io_ptr(png);
    if (count > s->length - s->offset) png_error(png, "truncated");
    memcpy(out, s->data + s->offset, count);
    s->offset += count;
}

static void png_silent(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void decode_png(const unsigned char *data, size_t length) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, png_silent);
    png_infop info = png_create_info_struct(png);
    source s = {data, length, 0};
    png_set_read_fn(png, &s, png_read_memory);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    png_read_update_info(png, info);
    unsigned char *out = malloc((size_t)w * h * 3);
    png_bytep *rows = malloc(h * sizeof *rows);
    for (png_uint_32 y = 0; y < h; y++) rows[y] = out + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(out);
}

static void decode_jpeg(const unsigned char *data, size_t length) {
    struct jpeg_decompress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, data, (unsigned long)length);
    jpeg_read_header(&c, TRUE);
    c.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c);
    size_t stride = (size_t)c.output_width * 3;
    unsigned char *out = malloc(stride * c.output_height);
    while (c.output_scanline < c.output_height) {
        JSAMPROW row = out + stride * c.output_scanline;
        jpeg_read_scanlines(&c, &row, 1);
    }
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
    free(out);
}

typedef struct {
    unsigned char *data;
    size_t length, capacity;
} sink;

static void png_write_memory(png_structp png, png_bytep bytes, size_t count) {
    sink *s = (sink *)png_get_io_ptr(png);
    if (s->length + count > s->capacity) {
        s->capacity = (s->length + count) * 2;
        s->data = realloc(s->data, s->capacity);
    }
    memcpy(s->data + s->length, bytes, count);
    s->length += count;
}

static void png_flush_none(png_structp png) { (void)png; }

static void encode_png(const unsigned char *rgb, int w, int h) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    sink s = {NULL, 0, 0};
    png_set_write_fn(png, &s, png_write_memory, png_flush_none);
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 6);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) png_write_row(png, rgb + (size_t)y * w * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(s.data);
}

static void encode_jpeg(const unsigned char *rgb, int w, int h) {
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &out, &size);
    c.image_width = w;
    c.image_height = h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * w * 3);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(out);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s decode-jpeg|decode-png|encode-jpeg|encode-png FILE RUNS\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL) return 3;
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)length);
    if (fread(data, 1, (size_t)length, f) != (size_t)length) return 3;
    fclose(f);
    int runs = atoi(argv[3]);
    const char *mode = argv[1];
    for (int run = -2; run < runs; run++) {
        double start = now_ms();
        if (strcmp(mode, "decode-jpeg") == 0) decode_jpeg(data, (size_t)length);
        else if (strcmp(mode, "decode-png") == 0) decode_png(data, (size_t)length);
        else if (strcmp(mode, "encode-jpeg") == 0) encode_jpeg(data, 1024, 1024);
        else if (strcmp(mode, "encode-png") == 0) encode_png(data, 1024, 1024);
        else return 2;
        double elapsed = now_ms() - start;
        if (run >= 0) printf("%.4f\n", elapsed);
    }
    free(data);
    return 0;
}
