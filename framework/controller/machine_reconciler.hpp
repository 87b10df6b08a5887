// The MaasMachine reconcile: finalizer, waiting for the cluster and the bootstrap data, routing
// by spec.provisioningMode to the plugin that serves it, writing status back conflict-safely,
// and the deletion flow (the plugin's remove until it reports done, then the finalizer goes).
// docs/controller.md describes each step, the conditions and when the machine is looked at
// again.
//
// Ownership: borrows the ReconcileContext, which must outlive it.
// Thread-safety: reconcile() may run concurrently for different keys.
#pragma once

#include "framework/controller/reconcile_context.hpp"

namespace maasprov::controller {

// Ready condition reasons the controller itself sets on MaasMachines.
inline constexpr const char* kReasonWaitingForCluster = "WaitingForCluster";
inline constexpr const char* kReasonWaitingForBootstrapData = "WaitingForBootstrapData";
inline constexpr const char* kReasonNoProvisioner = "NoProvisioner";
inline constexpr const char* kReasonProvisioning = "Provisioning";
inline constexpr const char* kReasonDeleting = "Deleting";

// The phase shown in metrics, derived from the stored object: Pending, Provisioning, Ready,
// Failed or Deleting.
std::string machinePhase(Json machine);

class MachineReconciler {
 public:
  explicit MachineReconciler(const ReconcileContext& ctx) : ctx_(ctx) {}
  ReconcileOutcome reconcile(const store::ObjectKey& key);

 private:
  ReconcileOutcome reconcileDelete(const store::ObjectKey& key, Json machine);
  // Sets the Ready condition to False with `reason` (and observedGeneration), nothing else.
  void setWaiting(const store::ObjectKey& key, const std::string& reason,
                  const std::string& message, const std::string& severity);
  // Writes the plugin's status and the controller's summary; returns the stored object.
  // `latest`: the object as the reconcile last read or wrote it (reconcile_context.hpp).
  Json applyOutcome(const store::ObjectKey& key, const plugin::CallOutcome& outcome, bool deleting,
                    LatestObject& latest);
  Json writeOutcome(const store::ObjectKey& key, const plugin::CallOutcome& outcome, bool deleting,
                    LatestObject& latest);
  // Hands the machine to the poller (or takes it away once settled). After a failed reconcile
  // the poller keeps what it last saw (see StatusPoller::trackUnlessWatched).
  void updatePoller(const std::string& queue, Json machine, bool failed);

  const ReconcileContext& ctx_;
};

}  // namespace maasprov::controller
