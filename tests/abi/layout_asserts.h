/* Expands layout_v1.inc into static assertions against whichever plugin_abi.h was included
 * before this file. C++ only (static_assert, offsetof on standard-layout types). */
#include <cstddef>

#if defined(__x86_64__) || defined(__aarch64__)
#define MAASPROV_SIZE(type, size) \
  static_assert(sizeof(type) == (size), "ABI v1: sizeof(" #type ") changed");
#define MAASPROV_FIELD(type, field, offset) \
  static_assert(offsetof(type, field) == (offset), "ABI v1: " #type "." #field " moved");
#define MAASPROV_CONST(name, value) static_assert((name) == (value), "ABI v1: " #name " changed");
#include "layout_v1.inc"
#undef MAASPROV_SIZE
#undef MAASPROV_FIELD
#undef MAASPROV_CONST
#else
#error "ABI v1 layout is pinned for LP64 Linux (x86_64, aarch64) only"
#endif
