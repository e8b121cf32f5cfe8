#include <zlib.h>

/// inflateInit2 is a macro, which Swift cannot call: this wraps it for gzip streams
/// (window bits 15 + 16 = expect a gzip header and trailer).
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
