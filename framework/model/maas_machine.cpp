#include "framework/model/maas_machine.hpp"

namespace maasprov::model {

std::string_view toString(ProvisioningMode mode) {
  return mode == ProvisioningMode::Lxd ? "lxd" : "bare-metal";
}

std::optional<ProvisioningMode> parseProvisioningMode(std::string_view text) {
  if (text == "bare-metal") return ProvisioningMode::BareMetal;
  if (text == "lxd") return ProvisioningMode::Lxd;
  return std::nullopt;
}

ProvisioningMode provisioningModeOf(const MaasMachineSpec& spec) {
  return spec.provisioningMode.value_or(ProvisioningMode::BareMetal);
}

}  // namespace maasprov::model
