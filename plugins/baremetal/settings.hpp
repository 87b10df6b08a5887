// The bare-metal plugin's configuration (the JSON object the host passes to create()).
//
//   pollSeconds          requeue while deploying or powering on (default 15)
//   maxDeployAttempts    deployments tried before a terminal failure (default 3)
//   retryBaseSeconds     backoff after a failed deployment, doubled per attempt (default 30)
//   retryMaxSeconds      cap of that backoff (default 600)
//   noMatchRetrySeconds  requeue when no MAAS machine matches the spec (default 60)
//   bootstrapWaitSeconds requeue while waiting for bootstrap data (default 30)
//   listFirst            false (default): try MAAS's own pick with not_pod_type=lxd first, and
//                        list Ready machines only when that offers a VM or nothing; true: always
//                        list and pin, for MAAS releases that read pod filters as "VMs only"
//                        (3.2), where the first try is a wasted request
// Unknown keys are refused, naming the key, so a typo never silently falls back to a default.
//
// Ownership: a value type. Thread-safety: immutable after construction.
#pragma once

#include <cstdint>

#include "deployment.hpp"
#include "maasprov/json.hpp"

namespace maasprov::baremetal {

struct Settings {
  common::DeploySettings deploy;
  int64_t noMatchRetrySeconds = 60;
  int64_t bootstrapWaitSeconds = 30;
  bool listFirst = false;

  // Throws PluginError (InvalidSpec) naming the offending key.
  static Settings fromConfig(const json::Value& config);
  json::Value toJson() const;
};

}  // namespace maasprov::baremetal
