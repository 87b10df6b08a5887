// One MAAS call over any Transport, with MAAS's error statuses turned into typed errors.
//
// Free functions; as thread-safe as the Transport they use.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

// Sends the request; returns the response when 2xx, else throws the error errors.hpp maps it to.
// TransportError passes through.
Response call(Transport& transport, const Request& request);

// As call(), then parses the body as a JSON object or array (ProtocolError when it is not one).
Poco::JSON::Object::Ptr callForObject(Transport& transport, const Request& request);
Poco::JSON::Array::Ptr callForArray(Transport& transport, const Request& request);

}  // namespace maasprov::maas
