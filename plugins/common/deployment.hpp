// Drives a MAAS machine an object already holds to Deployed, the same way for bare metal and
// LXD VMs, and reports it as users read it (status fields + the MachineDeployed condition).
//
//   Allocated          -> annotate, deploy with the user data and image; "Deploying"
//   Deploying          -> requeue after pollSeconds (the controller's poller may come earlier)
//   Deployed, off      -> power on; reason "PoweredOff", requeue
//   Deployed, on       -> ready; reason "Deployed", no requeue
//   Failed deployment  -> checkpoint systemID=null with the machine's id appended to
//                         discardedSystemIDs, release (or settings.discard), then retry after a
//                         backoff (reason "DeploymentRetrying"), or after maxAttempts report a
//                         terminal failure (failureReason "CreateError", reason
//                         "DeploymentFailed")
//   deploy refused     -> MAAS answered 4xx (400 bad user data or parameters, 403, 409 wrong
//                         state): the same as a failed deployment, released and counted as an
//                         attempt
//   deploy unanswered  -> a 5xx (503 after the host's client retried what it safely could; also
//                         MAAS's own 503 for "no free IP") or a transport failure: MAAS may or may
//                         not have started, so nothing is given up. PluginError Transient
//                         (retryable) naming the call and status; the machine stays recorded and
//                         the next reconcile acts on its state (Allocated: deploy again;
//                         Deploying: wait). No attempt is spent.
//
// discardedSystemIDs (status, oldest first, at most kMaxDiscarded) lists the machines given
// back. Their release/delete may still be on its way (sent, then the daemon died; or it failed
// and lands later), so a lookup that finds one while nothing is recorded must finish giving it
// back, never adopt it: deployed, it would be taken away when that request lands.
//
// The attempt number and the earliest retry time live in the MachineDeployed condition's
// message ("(attempt 2 of 3)", "not before <RFC 3339 time>"), because the status schema has no
// field for them; attemptOf()/retryNotBefore() read them back.
//
// MachineDeployed reasons: WaitingForBootstrapData, WaitingForMachine, Deploying, Deployed,
// PoweredOff, DeploymentRetrying, DeploymentFailed, MachineReleased, Releasing.
//
// Ownership: a DeploymentDriver holds only its settings; drive() borrows the host for one call.
// Thread-safety: const and stateless; one driver serves concurrent reconciles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "conditions.hpp"
#include "image.hpp"
#include "maas_machine.hpp"
#include "maasprov/host.hpp"
#include "maasprov/plugin.hpp"
#include "ownership.hpp"

namespace maasprov::common {

inline constexpr const char* kMachineDeployed = "MachineDeployed";
inline constexpr const char* kDiscardedSystemIDs = "discardedSystemIDs";
inline constexpr size_t kMaxDiscarded = 16;

namespace reason {
inline constexpr const char* kWaitingForBootstrapData = "WaitingForBootstrapData";
inline constexpr const char* kWaitingForMachine = "WaitingForMachine";
inline constexpr const char* kDeploying = "Deploying";
inline constexpr const char* kDeployed = "Deployed";
inline constexpr const char* kPoweredOff = "PoweredOff";
inline constexpr const char* kDeploymentRetrying = "DeploymentRetrying";
inline constexpr const char* kDeploymentFailed = "DeploymentFailed";
inline constexpr const char* kMachineReleased = "MachineReleased";
inline constexpr const char* kReleasing = "Releasing";
inline constexpr const char* kHeldByAnotherClient = "HeldByAnotherClient";
}  // namespace reason

// Gives a machine whose deployment failed back to MAAS. Default (empty): release it. The LXD
// plugin may delete (decompose) the VM instead. Must be safe to call concurrently.
using DiscardFn = std::function<void(const MaasClient& maas, const std::string& systemId,
                                     const std::string& comment)>;

struct DeploySettings {
  std::string scheme = "maas";                  // providerID scheme ("maas-lxd" for LXD VMs)
  std::string provisioningMode = "bare-metal";  // status.provisioningMode
  int64_t pollSeconds = 15;                     // requeue while deploying or powering on
  int maxAttempts = 3;                          // deployments tried before the failure is terminal
  int64_t retryBaseSeconds = 30;                // backoff before attempt n+1: base * 2^(n-1) ...
  int64_t retryMaxSeconds = 600;                // ... capped here
  DiscardFn discard;                            // empty: release

  // Reads pollSeconds, maxDeployAttempts, retryBaseSeconds, retryMaxSeconds from a plugin
  // configuration object; throws InvalidSpec naming a bad key.
  static DeploySettings fromConfig(const json::Value& config, DeploySettings defaults);
  int64_t backoffSeconds(int failedAttempt) const;
};

// Everything one drive() needs about the object being reconciled.
struct DeployTarget {
  const Request& request;
  const Host& host;
  Owner owner;
  DistroSeries image;
  std::string userData;  // base64, as the controller passed it
};

class DeploymentDriver {
 public:
  explicit DeploymentDriver(DeploySettings settings) : s_(std::move(settings)) {}

  // One step for `machine`, which carries target.owner.uid as agent_name.
  Result drive(const DeployTarget& target, const MaasMachineView& machine) const;

  // Status for a machine MAAS shows in `machine` (fields, ready, MachineDeployed condition).
  json::Value statusFor(const json::Value& current, const MaasMachineView& machine,
                        const Condition& c, bool ready) const;
  // The current status with only the MachineDeployed condition (and ready=false) changed.
  json::Value withDeployedCondition(const json::Value& current, const Condition& c) const;

  // Terminal: the machine we held was released or deleted by someone else.
  Result unexpectedlyReleased(const json::Value& current, const std::string& systemId) const;

  // The attempt number recorded in the MachineDeployed condition (0 when none), and the next
  // attempt to make when allocating/deploying now.
  static int attemptOf(const json::Value& status);
  static int nextAttempt(const json::Value& status);
  // Seconds since the epoch before which no new attempt may start (-1 when none).
  static long long retryNotBefore(const json::Value& status);

  // True when status.discardedSystemIDs lists systemId: the object gave that machine back.
  static bool discarded(const json::Value& status, const std::string& systemId);
  // status.discardedSystemIDs with systemId appended (moved to the end if listed; only the last
  // kMaxDiscarded kept), and without it (for a machine allocated anew).
  static json::Value discardedWith(const json::Value& status, const std::string& systemId);
  static json::Value discardedWithout(const json::Value& status, const std::string& systemId);

  const DeploySettings& settings() const { return s_; }

 private:
  Result deployNow(const DeployTarget& t, const MaasMachineView& m) const;
  Result failed(const DeployTarget& t, const MaasMachineView& m, const std::string& why) const;
  std::string attemptText(int attempt) const;

  DeploySettings s_;
};

}  // namespace maasprov::common
