// A low-cardinality name for a MAAS API call, used in logs, error messages and metrics.
//
// Free function, no state; thread-safe.
#pragma once

#include <string>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

// "METHOD path" with every object ID folded to {id}, plus "?op=NAME" when the call has an op:
// "GET machines/{id}/", "POST machines/?op=allocate", "POST vm-hosts/{id}/?op=compose".
// Parameters are never included (they may hold hostnames, user data or other private values).
std::string endpointLabel(const Request& request);

}  // namespace maasprov::maas
