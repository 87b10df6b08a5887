#include "framework/model/object.hpp"

namespace maasprov::model {

std::string_view kindOf(const Object& object) {
  switch (object.index()) {
    case 0:
      return kMaasMachineKind;
    case 1:
      return kMaasClusterKind;
    default:
      return kSecretKind;
  }
}

std::string_view apiVersionOf(const Object& object) {
  return std::holds_alternative<Secret>(object) ? kSecretApiVersion : kInfrastructureApiVersion;
}

ObjectMeta& metadataOf(Object& object) {
  return std::visit([](auto& typed) -> ObjectMeta& { return typed.metadata; }, object);
}

const ObjectMeta& metadataOf(const Object& object) {
  return std::visit([](const auto& typed) -> const ObjectMeta& { return typed.metadata; }, object);
}

}  // namespace maasprov::model
