// How a Request becomes HTTP the way MAAS's API expects it: `op` always in the query string,
// parameters in the query for GET and DELETE and as a form-encoded body for POST and PUT, a key
// that repeats sent once per value (tags=a&tags=b) so that every value reaches MAAS.
//
// Free functions on value types; thread-safe.
#pragma once

#include <string>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct EncodedRequest {
  std::string method;
  std::string pathAndQuery;  // e.g. "/MAAS/api/2.0/machines/?op=allocate"
  std::string contentType;   // empty when there is no body
  std::string body;
};

// apiRootPath is the path of the API root on the server, ending in '/', e.g. "/MAAS/api/2.0/".
// Throws std::invalid_argument for an unknown method or a path that is absolute or climbs up.
EncodedRequest encodeRequest(const Request& request, const std::string& apiRootPath);

}  // namespace maasprov::maas
