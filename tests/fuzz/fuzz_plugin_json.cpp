// libFuzzer target: the plugin ABI's JSON documents. The SDK's strict parser (what every plugin
// parses its request with) must parse what it printed back to the same value; the host's
// request builder must turn any object into a document the SDK parser accepts; the unbuilt
// views (arrayElements, what the host's status poller reads MAAS's lists with) must agree with
// parse() on every array, and parseDeferring (how a plugin reads its request, peers deferred)
// with parse() on every object.
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "framework/plugin/plugin_instance.hpp"
#include "framework/plugin/request_document.hpp"
#include "maasprov/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bool parsed = false;
  try {
    const auto value = maasprov::json::parse(text);
    parsed = true;
    const std::string printed = value.dump();
    if (maasprov::json::parse(printed).dump() != printed) std::abort();  // round trip is stable
    if (value.isArray()) {
      const auto parts = maasprov::json::arrayElements(text);  // must accept what parse did
      if (parts.size() != value.asArray().size()) std::abort();
      for (size_t i = 0; i < parts.size(); ++i) {
        if (maasprov::json::parse(parts[i]) != value.asArray()[i]) std::abort();
      }
    }
    if (value.isObject()) {
      std::string_view deferred;
      auto built = maasprov::json::parseDeferring(text, "machines", &deferred);  // must accept it
      if (!deferred.empty()) built.set("machines", maasprov::json::parse(deferred));
      if (built != value) std::abort();
    }
  } catch (const std::exception&) {
    if (parsed) std::abort();
  }
  if (!parsed) {
    // What parse() refused, the views refuse too, unless only an element's duplicate key did.
    try {
      for (auto part : maasprov::json::arrayElements(text)) (void)maasprov::json::parse(part);
      std::abort();
    } catch (const maasprov::json::ParseError&) {
    }
    // ... and so does parseDeferring, unless only a duplicate key inside the deferred member did.
    try {
      std::string_view deferred;
      (void)maasprov::json::parseDeferring(text, "machines", &deferred);
      if (!deferred.empty()) (void)maasprov::json::parse(deferred);
      std::abort();
    } catch (const maasprov::json::ParseError&) {
    }
  }
  Poco::JSON::Object::Ptr object;
  try {
    auto parsed = Poco::JSON::Parser().parse(std::string(text));
    if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) {
      object = parsed.extract<Poco::JSON::Object::Ptr>();
    }
  } catch (const std::exception&) {
  }
  if (object) {
    const std::string request =
        maasprov::plugin::makeRequestDocument(object, object, std::string("dXNlcg=="), {object});
    try {
      (void)maasprov::json::parse(request);
    } catch (const std::exception&) {
      std::abort();  // the host built a request a plugin cannot read
    }
  }
  return 0;
}
