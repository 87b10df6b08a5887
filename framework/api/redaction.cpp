#include "framework/api/redaction.hpp"

#include <string>

#include "framework/api/api_error.hpp"

namespace maasprov::api {

Poco::JSON::Object::Ptr redact(Poco::JSON::Object::Ptr document) {
  if (document.isNull()) return document;
  const std::string kind = document->optValue<std::string>("kind", "");
  if (kind == model::kSecretKind) {
    if (auto data = document->getObject("data"); !data.isNull()) {
      for (const auto& key : data->getNames()) data->set(key, std::string(kRedacted));
    }
    if (auto data = document->getObject("stringData"); !data.isNull()) {
      for (const auto& key : data->getNames()) data->set(key, std::string(kRedacted));
    }
  } else if (kind == model::kMaasMachineKind) {
    if (auto spec = document->getObject("spec"); !spec.isNull() && spec->has("userData")) {
      spec->set("userData", std::string(kRedacted));
    }
  }
  return document;
}

namespace {

ApiError nothingToKeep(const std::string& field) {
  return {400, "BadRequest",
          field + ": \"" + std::string(kRedacted) +
              "\" keeps the stored value, but the stored object has none; send the real value"};
}

}  // namespace

void restoreRedacted(model::Object& incoming, const model::Object& stored) {
  if (auto* secret = std::get_if<model::Secret>(&incoming)) {
    const auto* old = std::get_if<model::Secret>(&stored);
    for (auto& [key, value] : secret->data) {
      if (value != kRedacted) continue;
      if (old == nullptr || !old->data.contains(key)) throw nothingToKeep("data[" + key + "]");
      value = old->data.at(key);
    }
  } else if (auto* machine = std::get_if<model::MaasMachine>(&incoming)) {
    if (machine->spec.userData != kRedacted) return;
    const auto* old = std::get_if<model::MaasMachine>(&stored);
    if (old == nullptr || !old->spec.userData) throw nothingToKeep("spec.userData");
    machine->spec.userData = old->spec.userData;
  }
}

}  // namespace maasprov::api
