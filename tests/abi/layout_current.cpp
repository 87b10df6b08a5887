// The current header must still lay out every v1 field where v1 put it (compile-time checks).
// Growing a struct at its end is allowed, so the current sizes may only be larger.
#include <cstddef>

#include "../../sdk/include/maasprov/plugin_abi.h"

#define MAASPROV_SIZE(type, size) \
  static_assert(sizeof(type) >= (size), "ABI: " #type " shrank below its v1 size");
#define MAASPROV_FIELD(type, field, offset) \
  static_assert(offsetof(type, field) == (offset), "ABI: v1 field " #type "." #field " moved");
#define MAASPROV_CONST(name, value) static_assert((name) == (value), "ABI: v1 " #name " changed");
#include "layout_v1.inc"

// ABI v2 appended one host service right after v1's last; it stays there from now on.
MAASPROV_FIELD(maasprov_host_services, cluster_machines, 64)
MAASPROV_CONST(MAASPROV_ABI_VERSION_2, 2)
