// The MaasCluster reconcile: finalizer, failure domains into status, the cluster endpoint
// provider (the DNS plugin) with the cluster's machines, per-machine status the provider
// reports (dnsAttached, DNSAttached), the Ready summary; on deletion, wait for the cluster's
// machines to be gone, then the provider's remove, then drop the finalizer.
//
// Ownership: borrows the ReconcileContext, which must outlive it.
// Thread-safety: reconcile() may run concurrently for different keys.
#pragma once

#include "framework/controller/reconcile_context.hpp"

namespace maasprov::controller {

inline constexpr const char* kReasonNoEndpointProvider = "NoEndpointProvider";
inline constexpr const char* kReasonWaitingForMachines = "WaitingForMachines";

class ClusterReconciler {
 public:
  explicit ClusterReconciler(const ReconcileContext& ctx) : ctx_(ctx) {}
  ReconcileOutcome reconcile(const store::ObjectKey& key);

 private:
  ReconcileOutcome reconcileDelete(const store::ObjectKey& key, Json cluster);
  std::vector<Json> machinesOf(const store::ObjectKey& key) const;
  // Applies a provider's per-machine status patches ({"<machine name>": {status...}}).
  void applyMachineStatus(const store::ObjectKey& key, Json patches);

  const ReconcileContext& ctx_;
};

}  // namespace maasprov::controller
