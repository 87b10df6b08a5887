// The LXD VM provisioner (plugin "lxd", provisioningMode "lxd"): selects an LXD VM host in MAAS,
// composes a VM there with a hostname derived from the object, waits for commissioning,
// allocates it by system_id with the object's uid as agent_name, deploys it as bare metal is
// deployed (plugins/common), and on delete releases and deletes (decomposes) it.
// See docs/plugins/lxd.md for the behaviour users see.
//
// Ownership: the SDK owns the instance; it owns its settings, the reservation ledger, the
// VM hosts' projects (read once per host), their backing machines (read at most once per
// backingMachineCacheMillis), the VM host list (shared for vmHostCacheMillis, with a ledger
// snapshot), the per-object retry counts and counters.
// Thread-safety: reconcile/remove/describe run concurrently for different machines. The ledger
// serialises host selection with reservation (so concurrent composes never over-commit a host),
// the three caches and the retry counts are behind mutexes, the counters are atomics;
// everything else is per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "deployment.hpp"
#include "lxd_spec.hpp"
#include "lxd_status.hpp"
#include "maasprov/plugin.hpp"
#include "machine_spec.hpp"
#include "ownership.hpp"
#include "reservations.hpp"
#include "settings.hpp"
#include "vm_host_cache.hpp"
#include "vm_hosts.hpp"

namespace maasprov::lxd {

class LxdPlugin {
 public:
  explicit LxdPlugin(const json::Value& config);

  Result reconcile(const Request& req, Host& host);
  RemoveResult remove(const Request& req, Host& host);
  json::Value describe(Host& host);

 private:
  struct Call;
  struct Vm {
    common::MaasMachineView view;
    json::Value raw;
    int podId = -1;
  };

  Result step(const Call& c);
  Result composeNew(const Call& c);
  Result driveVm(const Call& c, const Vm& vm);
  Result waitForBootstrapData(const Call& c, const Vm* vm) const;
  // `vm` (found by hostname, nothing recorded) was given up after a failed deployment: delete it
  // again and wait until MAAS no longer lists it; never adopt it.
  Result waitForDiscardedVm(const Call& c, const Vm& vm) const;
  std::optional<Vm> findVm(const Call& c) const;
  // The VM MAAS just composed, as asked (compose answers only its system_id).
  static Vm composedVm(const std::string& systemId, const VmHostInfo& host, int64_t cores,
                       int64_t memoryMB, int64_t diskGB, const std::string& hostname);
  std::string projectOf(const Call& c, const Vm& vm) const;
  void decompose(const MaasClient& maas, const std::string& systemId) const;
  // True when the status records a state only an allocation by this plugin leads to.
  static bool allocatedByUs(const json::Value& status);
  // MAAS says someone allocated `m` (Allocated, Deploying, Deployed, Failed deployment).
  static bool heldByMaas(const common::MaasMachineView& m);
  // `m` is held under this object's agent_name (asks MAAS).
  static bool heldUnder(const Call& c, const common::MaasMachineView& m);
  void noteRetry(const std::string& uid, PluginError& e);
  void clearRetries(const std::string& uid);

  Settings settings_;
  common::DeploymentDriver driver_;
  Ledger ledger_;
  mutable ProjectCache projects_;  // VM host id -> LXD project (const paths fill it too)
  BackingMachineCache backing_;    // system_id -> backing machine, shared by composes
  // GET vm-hosts/, shared by composes. After ledger_ (it holds snapshots of it) and the two
  // caches (its reads prune them): destroyed before them.
  VmHostCache hostCache_;
  std::mutex retryMu_;
  std::unordered_map<std::string, int64_t> retries_;  // uid -> consecutive retryable errors
  std::atomic<uint64_t> composes_{0};
  std::atomic<uint64_t> adoptions_{0};
  mutable std::atomic<uint64_t> decomposes_{0};  // counted in decompose() (const)
  std::atomic<uint64_t> insufficient_{0};
  mutable std::atomic<uint64_t> observedUsed_{0};  // lookups replaced by the request's observed
};

}  // namespace maasprov::lxd
