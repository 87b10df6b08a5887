#include "framework/model/maas_machine.hpp"

#include "framework/model/name_rules.hpp"

namespace maasprov::model {

std::string_view toString(const ProvisioningMode& mode) {
  return mode.name();
}

std::optional<ProvisioningMode> parseProvisioningMode(std::string_view text) {
  if (!checkDnsLabel(text).empty()) return std::nullopt;
  return ProvisioningMode(std::string(text));
}

ProvisioningMode provisioningModeOf(const MaasMachineSpec& spec) {
  return spec.provisioningMode.value_or(ProvisioningMode::BareMetal);
}

}  // namespace maasprov::model
