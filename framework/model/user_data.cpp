#include "framework/model/user_data.hpp"

namespace maasprov::model {

std::optional<std::string> bootstrapSecretName(const MaasMachine& machine) {
  if (machine.spec.userData) return std::nullopt;
  return machine.spec.bootstrapDataSecretName;
}

std::optional<std::string> resolveUserData(const MaasMachine& machine, const Secret* secret) {
  if (machine.spec.userData) return machine.spec.userData;
  const auto name = bootstrapSecretName(machine);
  if (!name || secret == nullptr) return std::nullopt;
  // A Secret from another namespace or with another name is never used, even if handed in.
  if (secret->metadata.name != *name ||
      secret->metadata.namespace_ != machine.metadata.namespace_) {
    return std::nullopt;
  }
  auto value = secretValueBase64(*secret);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace maasprov::model
