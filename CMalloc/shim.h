// glibc's allocator tuning (mallopt), which Swift's Glibc module does not include:
// `serve` uses it to keep its media body buffers in the heap (LibraryServer).
#ifndef PIXSIM_CMALLOC_SHIM_H
#define PIXSIM_CMALLOC_SHIM_H
#include <malloc.h>
#endif
