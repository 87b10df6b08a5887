// MAAS machine -> the MaasMachine status fields users read (docs/resource-model.md):
//   systemID, providerID "<scheme>://<zone>/<system_id>" (the zone MAAS actually placed it in),
//   hostname, machineState (MAAS status_name), machinePowered, failureDomain (the zone), and
//   addresses: ExternalIP and InternalIP for each IP, ExternalDNS and InternalDNS for the fqdn.
//
// Ownership: values only. Thread-safety: pure functions.
#pragma once

#include <string>

#include "maas_machine.hpp"
#include "maasprov/json.hpp"

namespace maasprov::common {

inline constexpr const char* kBareMetalScheme = "maas";
inline constexpr const char* kLxdScheme = "maas-lxd";

std::string providerId(const std::string& scheme, const std::string& zone,
                       const std::string& systemId);

// [{type, address}...] in MAAS's IP order, then the fqdn entries.
json::Value machineAddresses(const MaasMachineView& m);

// The fields above as a status object (no "ready", no "conditions").
json::Value machineStatusFields(const MaasMachineView& m, const std::string& scheme);

}  // namespace maasprov::common
