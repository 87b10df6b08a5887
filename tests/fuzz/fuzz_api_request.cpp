// libFuzzer target: the REST API's request path in-process, piece by piece as the handler
// runs it: the Authorization header, the URL path (routing and path segments), the label
// selector query and the body (decoded by Content-Type into the model, then validated). The
// first byte picks the stage; for bodies the second byte picks the Content-Type.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "framework/api/request_body.hpp"
#include "framework/api/resource_service.hpp"
#include "framework/api/routes.hpp"
#include "framework/api/token_auth.hpp"
#include "framework/model/validation.hpp"

namespace api = maasprov::api;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 2, size - 2);
  static const api::TokenAuth auth("fuzz-token-0123456789");
  try {
    switch (data[0] % 5) {
      case 0:
        (void)auth.check(text);
        break;
      case 1:
        (void)api::matchRoute(text);
        break;
      case 2:
        api::checkPathSegment("name", text);
        break;
      case 3:
        (void)api::labelPredicate(text);
        break;
      default: {
        static const char* types[] = {"application/json", "application/yaml", "text/plain", ""};
        (void)maasprov::model::validate(api::decodeBody(text, types[data[1] % 4]));
        break;
      }
    }
  } catch (const std::exception&) {  // the handler maps these to 4xx
  }
  return 0;
}
