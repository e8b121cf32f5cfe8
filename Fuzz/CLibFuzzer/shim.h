// libFuzzer's driver entry point (compiler-rt, linked by -sanitize=fuzzer). Declared here
// so the fuzz harness can start the driver itself: SwiftPM links executables with their
// own `main`, which would otherwise replace libFuzzer's. No link line: plain builds never
// call it (see Fuzz/CodecFuzz/main.swift).
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
