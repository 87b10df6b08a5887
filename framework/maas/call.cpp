#include "framework/maas/call.hpp"

#include "framework/maas/endpoint_label.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/json_fields.hpp"

namespace maasprov::maas {

Response call(Transport& transport, const Request& request) {
  Response response = transport.send(request);
  throwIfError(endpointLabel(request), response);
  return response;
}

Poco::JSON::Object::Ptr callForObject(Transport& transport, const Request& request) {
  return json::parseObject(call(transport, request).body, endpointLabel(request) + " response");
}

Poco::JSON::Array::Ptr callForArray(Transport& transport, const Request& request) {
  return json::parseArray(call(transport, request).body, endpointLabel(request) + " response");
}

}  // namespace maasprov::maas
