#ifndef AUGLAB_CIMAGECODECS_INTERNAL_H
#define AUGLAB_CIMAGECODECS_INTERNAL_H
// Helpers shared by the codec files; not part of the public C API.
#include <stddef.h>

/// Capacity of the message buffers kept inside readers (first warning, last error).
#define IC_MESSAGE_CAPACITY 200

/// Formats a message into `message` (if any) and returns `code`.
int ic_fail(int code, char *message, size_t capacity, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/// Copies a NUL-terminated string, truncating to `capacity`.
void ic_copy_message(char *destination, size_t capacity, const char *source);

#endif
