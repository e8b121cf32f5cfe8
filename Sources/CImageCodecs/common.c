#include "CImageCodecs.h"
#include <stdlib.h>

void ic_free(void *pointer) { free(pointer); }
