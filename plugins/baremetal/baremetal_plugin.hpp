// The bare-metal provisioner (plugin "baremetal", provisioningMode "bare-metal"): allocates a
// physical MAAS machine matching the MaasMachine spec (never a VM), deploys it with the
// machine's cloud-init user data and image, and releases it when the object is deleted.
// See docs/plugins/baremetal.md for the behaviour users see.
//
// Ownership: the SDK owns the instance; it holds its settings and counters only.
// Thread-safety: reconcile/remove/describe run concurrently for different machines; the shared
// mutable state is the atomic counters and the Ready machine cache (thread-safe, see
// ready_cache.hpp). MAAS itself arbitrates machines (allocate is atomic), and agent_name = uid
// keeps every object's machines apart.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "deployment.hpp"
#include "maasprov/plugin.hpp"
#include "machine_ops.hpp"
#include "ready_cache.hpp"
#include "settings.hpp"

namespace maasprov::baremetal {

class BareMetalPlugin {
 public:
  explicit BareMetalPlugin(const json::Value& config);

  Result reconcile(const Request& req, Host& host);
  RemoveResult remove(const Request& req, Host& host);
  json::Value describe(Host& host);

 private:
  Result waitForBootstrapData(const Request& req) const;
  Result waitForBackoff(long long secondsLeft) const;
  // True when `r` makes the object ready and `current` did not.
  static bool becomesReady(const json::Value& current, const Result& r);
  // Releases every machine in `held` (MAAS's list under the object's agent_name) but `keep` and
  // those already on their way back: allocate is not idempotent, so one whose answer was lost
  // (the daemon killed, the call timed out) can land after the object allocated another.
  void releaseOthers(const Host& host, const MaasClient& maas,
                     const std::vector<common::MaasMachineView>& held, const common::Owner& owner,
                     const std::string& keep);
  // A physical machine for c, allocated under uid, or none: Ready bare metal listed with c's
  // constraints (a list shared through ready_) and pinned by system_id, so MAAS never hands
  // over or composes a VM.
  common::AllocateResult allocatePhysical(const Host& host, const MaasClient& maas,
                                          const common::AllocateConstraints& c,
                                          const std::string& uid);

  static constexpr size_t kPinAttempts = 5;  // candidates tried per round (others take some first)
  static constexpr int kListRounds = 2;      // rounds before reporting; only the first may reuse

  Settings settings_;
  common::DeploymentDriver driver_;
  ReadyMachineCache ready_;
  std::atomic<uint64_t> allocations_{0};
  std::atomic<uint64_t> releases_{0};
  std::atomic<uint64_t> noMatch_{0};
  std::atomic<uint64_t> observedUsed_{0};  // reconciles that used the request's `observed`
};

}  // namespace maasprov::baremetal
