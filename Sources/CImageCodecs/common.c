#include "CImageCodecs.h"
#include "internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ic_free(void *pointer) { free(pointer); }

int ic_fail(int code, char *message, size_t capacity, const char *format, ...) {
    if (message != NULL && capacity > 0) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(message, capacity, format, arguments);
        va_end(arguments);
    }
    return code;
}

void ic_copy_message(char *destination, size_t capacity, const char *source) {
    if (destination == NULL || capacity == 0) return;
    snprintf(destination, capacity, "%s", source != NULL ? source : "");
}
