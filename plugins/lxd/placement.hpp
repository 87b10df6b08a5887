// Which LXD VM hosts may take a machine's VM, before capacity is considered. Filters in this
// order, each failing with an error that names what is missing and where it was looked for:
//
//   1. type lxd; lxdConfig.vmHost (name or id)      unknown: InvalidSpec, retried after 300 s
//   2. zone (spec.failureDomain, else the cluster's spec.failureDomains), resource pool
//      (spec.resourcePool), tags (spec.tags, all)    none: HostUnavailable (retryable)
//   3. lxdConfig.project (VM host parameters)        none: ProjectNotFound (terminal)
//   4. lxdConfig.profile (tag lxd-profile-<name>)    none: ProfileNotFound (terminal)
//   5. lxdConfig.storage.pool (storage_pools)        none: InvalidSpec (terminal)
//   6. lxdConfig.network bridge/devices (interfaces of the backing machine)
//                                                    none: InvalidSpec (terminal)
//   7. usable now: backing machine Deployed and powered on, no maintenance tag on the VM host
//      or its backing machine                        none: HostUnavailable (retryable)
//
// Capabilities (3-6) are judged before health (7), so a host that is down for maintenance still
// proves that the project or pool exists: the error is then retryable, not terminal.
//
// The listing (1, 2, 4, 5) may come from the instance's VmHostCache, backing machines (6, 7)
// from its BackingMachineCache (at most its TTL old); a failure of 6 or 7 decided on cached
// machines is decided again on a fresh read here, any failure on a cached listing by the caller.
//
// Ownership: values; borrows the MaasClient and the caches for the call.
// Thread-safety: stateless itself; ProjectCache and BackingMachineCache are thread-safe.
#pragma once

#include <string>
#include <vector>

#include "lxd_spec.hpp"
#include "maasprov/error.hpp"
#include "maasprov/host.hpp"
#include "machine_spec.hpp"
#include "vm_hosts.hpp"

namespace maasprov::lxd {

// A placement failure: a PluginError plus the LXDHostSelected condition reason users see.
class PlacementError : public PluginError {
 public:
  PlacementError(ErrorType type, std::string reason, const std::string& message,
                 std::string host = {})
      : PluginError(type, message, std::move(host)), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

struct PlacementRules {
  std::vector<std::string> unschedulableTags;  // e.g. maasprov-maintenance
  std::string profileTagPrefix;                // e.g. lxd-profile-
};

struct PlacementRequest {
  const LxdSpec& lxd;
  const common::AllocateConstraints& constraints;  // zone, pool, tags
  const std::vector<std::string>& clusterZones;    // MaasCluster spec.failureDomains
};

// The hosts of `listed` (a GET vm-hosts/ answer, perhaps shared with other composes: see
// VmHostCache; left untouched) that may take the VM: copies of the survivors, with backing
// machines and, with a project, projects filled in. Projects come from `projects` (read from
// MAAS once per host), backing machines from `backing` (read at most once per its TTL).
// Throws PlacementError; a caller whose `listed` is not fresh decides again on a fresh one.
std::vector<VmHostInfo> qualifyingHosts(const MaasClient& maas,
                                        const std::vector<VmHostInfo>& listed,
                                        const PlacementRequest& req, const PlacementRules& rules,
                                        ProjectCache& projects, BackingMachineCache& backing);

}  // namespace maasprov::lxd
