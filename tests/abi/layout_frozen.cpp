// ABI v1 layout as the frozen header declares it (compile-time checks only).
// clang-format off: the header must come before the assertions that use it
#include "v1/maasprov/plugin_abi.h"
#include "layout_asserts.h"
// clang-format on
