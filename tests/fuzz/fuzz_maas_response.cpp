// libFuzzer target: MAAS response parsing (framework/maas): machine and VM host payloads, lists
// of them, and the Retry-After header of an error response. Objects and arrays go through both
// payload parsers, so the real MAAS fixtures seed it as they are.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "framework/maas/errors.hpp"
#include "framework/maas/json_fields.hpp"
#include "framework/maas/machines.hpp"
#include "framework/maas/vm_hosts.hpp"

namespace json = maasprov::maas::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (int parser = 0; parser < 2; ++parser) {
    try {
      std::vector<json::ObjectPtr> items;
      if (!body.empty() && body.front() == '[') {
        items = json::objects(json::parseArray(body, "fuzz"), "fuzz");
      } else {
        items.push_back(json::parseObject(body, "fuzz"));
      }
      for (const auto& o : items) {
        if (parser == 0) {
          (void)maasprov::maas::parseMachine(o);
        } else {
          (void)maasprov::maas::parseVmHost(o);
        }
      }
    } catch (const std::exception&) {  // a clear error naming the field is the expected outcome
    }
  }
  maasprov::maas::Response response;
  response.status = 503;
  response.headers = {{"Retry-After", body.substr(0, 64)}};
  response.body = body;
  (void)maasprov::maas::retryAfterOf(response);
  (void)maasprov::maas::errorFor("GET fuzz", response);
  return 0;
}
