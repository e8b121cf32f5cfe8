#ifndef AUGLAB_CIMAGECODECS_H
#define AUGLAB_CIMAGECODECS_H
// C side of AugLab's PNG and JPEG codecs. Every setjmp/longjmp stays in this target:
// callers get a status code and a message, never a jump or an exit().
#include <stddef.h>
#include <stdint.h>

/// Frees a buffer returned by any ic_* function.
void ic_free(void *pointer);

#endif
