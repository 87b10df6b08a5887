// Defaulting: fills in what a manifest may leave out, as the API server does before storing.
// Idempotent: applying it twice changes nothing the second time.
//
//   metadata.namespace                    -> "default"
//   MaasMachine spec.provisioningMode     -> bare-metal
//   MaasMachine (lxd) lxdConfig.storage.size -> kDefaultLxdStorageSize ("20G")
//   MaasCluster controlPlaneEndpoint.port -> 6443 when a host is given without a port
//   Secret stringData                     -> merged into data (base64), then cleared
//
// Ownership: modifies the object in place. Thread-safety: reentrant; the caller must own the
// object exclusively while it runs.
#pragma once

#include "framework/model/object.hpp"

namespace maasprov::model {

inline constexpr std::string_view kDefaultNamespace = "default";

void applyDefaults(Object& object);
void applyDefaults(MaasMachine& machine);
void applyDefaults(MaasCluster& cluster);
void applyDefaults(Secret& secret);

}  // namespace maasprov::model
