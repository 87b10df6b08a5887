// The LXD plugin's configuration (the JSON object the host passes to create()).
//
//   pollSeconds            requeue while commissioning, deploying or powering on (15)
//   maxDeployAttempts      VMs composed and deployed before VMDeploymentFailed (3)
//   retryBaseSeconds       wait before recomposing after a failed deployment, doubled per
//   retryMaxSeconds        attempt up to the max (30, 600)
//   bootstrapWaitSeconds   requeue while waiting for user data (30)
//   backoffInitialSeconds  retryable errors (HostUnavailable, InsufficientResources,
//   backoffCeilingSeconds  VMCreationFailed, Transient) requeue after initial x 2^(n-1), at most
//   backoffMaxSeconds      the ceiling for the first `backoffFirstRetries` retries, then doubling
//   backoffFirstRetries    further up to the max (5, 30, 300, 5)
//   unschedulableTags      VM hosts (or their backing machines) with any of these tags get no
//                          new VMs (["maasprov-maintenance", "maasprov-no-schedule"])
//   profileTagPrefix       a VM host advertises LXD profile P with the tag <prefix>P
//                          ("lxd-profile-")
//   skipCommissioning      compose with skip_commissioning (false: wait for commissioning)
//   backingMachineCacheMillis  how long composes reuse a read of the VM hosts' backing machines
//                          (2000; 0: every compose reads them; at most 600000)
//   vmHostCacheMillis      how long composes reuse a read of GET vm-hosts/ (2000, or 10x the
//                          read's time up to 60 s if longer; 0: every compose reads it; at most
//                          600000)
// Unknown keys are refused, naming the key.
//
// Ownership: a value type. Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "deployment.hpp"
#include "maasprov/json.hpp"
#include "vm_host_cache.hpp"
#include "vm_hosts.hpp"

namespace maasprov::lxd {

struct Settings {
  common::DeploySettings deploy;
  int64_t bootstrapWaitSeconds = 30;
  int64_t backoffInitialSeconds = 5;
  int64_t backoffCeilingSeconds = 30;
  int64_t backoffMaxSeconds = 300;
  int64_t backoffFirstRetries = 5;
  std::vector<std::string> unschedulableTags = {"maasprov-maintenance", "maasprov-no-schedule"};
  std::string profileTagPrefix = "lxd-profile-";
  bool skipCommissioning = false;
  int64_t backingMachineCacheMillis = BackingMachineCache::kTtl.count();
  int64_t vmHostCacheMillis = VmHostCache::kTtl.count();

  // Throws PluginError (InvalidSpec) naming the offending key.
  static Settings fromConfig(const json::Value& config);
  json::Value toJson() const;
  // Requeue after the n-th consecutive retryable error (n >= 1).
  int64_t backoffSeconds(int64_t n) const;
};

}  // namespace maasprov::lxd
