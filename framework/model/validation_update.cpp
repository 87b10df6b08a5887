// Update rules: what may not change between the stored object and its replacement.
#include <string>

#include "framework/model/validation.hpp"

namespace maasprov::model {
namespace {

constexpr const char* kImmutable = "field is immutable once set";

// A field that was set must keep its value; setting an unset field is allowed.
template <typename T>
void once(std::vector<FieldError>& errors, const char* path, const std::optional<T>& current,
          const std::optional<T>& updated) {
  if (current && current != updated) errors.push_back({path, kImmutable});
}

void machineRules(const MaasMachine& current, const MaasMachine& updated,
                  std::vector<FieldError>& errors) {
  once(errors, "spec.image", current.spec.image, updated.spec.image);
  once(errors, "spec.minCPU", current.spec.minCPU, updated.spec.minCPU);
  once(errors, "spec.minMemory", current.spec.minMemory, updated.spec.minMemory);
  once(errors, "spec.provisioningMode", current.spec.provisioningMode,
       updated.spec.provisioningMode);
  once(errors, "spec.lxdConfig", current.spec.lxdConfig, updated.spec.lxdConfig);
}

}  // namespace

std::vector<FieldError> validateUpdate(const Object& current, const Object& updated) {
  std::vector<FieldError> errors;
  if (current.index() != updated.index()) {
    errors.push_back({"kind", "cannot change from " + std::string(kindOf(current)) + " to " +
                                  std::string(kindOf(updated))});
  }
  const auto& before = metadataOf(current);
  const auto& after = metadataOf(updated);
  if (before.name != after.name) errors.push_back({"metadata.name", "field is immutable"});
  if (before.namespace_ != after.namespace_) {
    errors.push_back({"metadata.namespace", "field is immutable"});
  }
  if (const auto* machine = std::get_if<MaasMachine>(&current)) {
    if (const auto* next = std::get_if<MaasMachine>(&updated))
      machineRules(*machine, *next, errors);
  }
  if (const auto* cluster = std::get_if<MaasCluster>(&current)) {
    if (const auto* next = std::get_if<MaasCluster>(&updated)) {
      once(errors, "spec.dnsDomain", cluster->spec.dnsDomain, next->spec.dnsDomain);
    }
  }
  auto rest = validate(updated);
  errors.insert(errors.end(), rest.begin(), rest.end());
  return errors;
}

}  // namespace maasprov::model
