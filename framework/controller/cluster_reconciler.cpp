#include "framework/controller/cluster_reconciler.hpp"

#include <Poco/JSON/Array.h>
#include <spdlog/spdlog.h>

#include "framework/controller/status_writer.hpp"
#include "framework/model/condition.hpp"
#include "framework/model/maas_cluster.hpp"
#include "framework/model/maas_machine.hpp"
#include "framework/model/object_meta.hpp"
#include "framework/plugin/request_document.hpp"

namespace maasprov::controller {
namespace {

const std::string kFinalizer(model::kClusterFinalizer);
const std::string kReady(model::kConditionReady);

}  // namespace

// From the store, not the index: deleting the endpoint while a machine the index has not seen
// yet still uses it would break that machine.
std::vector<Json> ClusterReconciler::machinesOf(const store::ObjectKey& key) const {
  const std::string label(model::kClusterNameLabel);
  return ctx_.store
      .list(std::string(model::kMaasMachineKind), key.ns,
            [&](const store::Labels& labels) {
              auto it = labels.find(label);
              return it != labels.end() && it->second == key.name;
            })
      .items;
}

void ClusterReconciler::applyMachineStatus(const store::ObjectKey& key, Json patches) {
  if (!patches) return;
  const auto now = model::now();
  for (const auto& [name, value] : *patches) {
    Json patch;
    try {
      patch = value.extract<Json>();
    } catch (const Poco::Exception&) {
      continue;
    }
    store::ObjectKey machineKey{std::string(model::kMaasMachineKind), key.ns, name};
    try {
      writeWithRetry(ctx_.store, machineKey, WritePart::Status, [&](Json obj) {
        // Only machines of this cluster: a provider cannot write to anyone else's machines.
        auto labels = objectAt(objectAt(obj, "metadata"), "labels");
        if (!labels ||
            labels->optValue<std::string>(std::string(model::kClusterNameLabel), "") != key.name) {
          return false;
        }
        // The provider reports every machine on every call: most reports change nothing, and
        // then nothing is written.
        return mergeStatus(ensureStatus(obj), patch, now);
      });
    } catch (const store::StoreError& e) {
      ctx_.logger->warn("MaasCluster {}/{}: could not update MaasMachine {}: {}", key.ns, key.name,
                        name, e.what());
    }
  }
}

ReconcileOutcome ClusterReconciler::reconcile(const store::ObjectKey& key) {
  Json cluster;
  try {
    cluster = ctx_.store.get(key);
  } catch (const store::NotFound&) {
    return ReconcileOutcome::done("gone");
  }
  if (isBeingDeleted(cluster)) return reconcileDelete(key, cluster);
  if (!hasFinalizer(cluster, kFinalizer)) {
    cluster = writeWithRetry(ctx_.store, key, WritePart::Object,
                             [](Json obj) { return addFinalizer(obj, kFinalizer); });
    if (!cluster) return ReconcileOutcome::done("gone");
    if (isBeingDeleted(cluster)) return reconcileDelete(key, cluster);
  }

  // Failure domains: every zone the spec names, usable by the control plane.
  Json domains = new Poco::JSON::Object;
  if (Json spec = objectAt(cluster, "spec"); spec && spec->has("failureDomains")) {
    try {
      auto zones = spec->getArray("failureDomains");
      for (std::size_t i = 0; i < zones->size(); ++i) {
        Json fd = new Poco::JSON::Object;
        fd->set("controlPlane", true);
        domains->set(zones->get(static_cast<unsigned>(i)).toString(), fd);
      }
    } catch (const Poco::Exception&) {
    }
  }

  plugin::Lookup lookup = ctx_.registry.endpointProvider();
  plugin::CallOutcome outcome;
  std::string providerName;
  if (lookup) {
    providerName = lookup.instance->name();
    plugin::RequestParts parts;
    parts.object = cluster;
    parts.cluster = cluster;
    plugin::MachinesFn machines = plugin::offerMachines(lookup.instance->library(), parts,
                                                        ctx_.index->peers(key.ns, key.name, ""));
    std::string request = plugin::makeRequestDocument(parts);
    auto gate = ctx_.gate;
    plugin::CheckpointFn checkpoint = [gate, key](const Poco::JSON::Object::Ptr& status) {
      gate->checkpoint(key, status);
    };
    outcome =
        ctx_.caller.call(lookup.instance, PluginOp::Reconcile, request,
                         queueKey(key.kind, key.ns, key.name), checkpoint, std::move(machines));
    recordMaasCalls(ctx_, providerName, key, outcome);
    if (outcome.error) {
      ctx_.logger->warn("MaasCluster {}/{}: endpoint provider '{}' failed: {}", key.ns, key.name,
                        providerName, describeFailure(*outcome.error));
    }
  }

  // Per-machine status: the result's top-level "machineStatus", or the same key inside
  // "status" (what the SDK's Result can carry), which is never stored on the cluster.
  Json machinePatches = outcome.document ? objectAt(outcome.document, "machineStatus") : nullptr;
  Json statusPatch = outcome.status ? deepCopy(outcome.status) : nullptr;
  if (statusPatch && statusPatch->has("machineStatus")) {
    if (!machinePatches) machinePatches = objectAt(statusPatch, "machineStatus");
    statusPatch->remove("machineStatus");
  }

  const auto now = model::now();
  Json stored = writeWithRetry(ctx_.store, key, WritePart::Status, [&](Json obj) {
    Json status = ensureStatus(obj);
    if (domains->size() > 0) {
      status->set("failureDomains", domains);
    } else {
      status->remove("failureDomains");
    }
    if (statusPatch) mergeStatus(status, statusPatch, now);
    status->set("observedGeneration", intAt(obj, {"metadata", "generation"}));
    bool hasEndpoint = stringAt(obj, {"spec", "controlPlaneEndpoint", "host"}).has_value();
    if (!lookup) {
      status->set("ready", hasEndpoint);
      if (hasEndpoint) {
        setCondition(status, {kReady, std::string(model::kConditionTrue), "", "", ""}, now);
      } else {
        setCondition(
            status,
            {kReady, std::string(model::kConditionFalse), kReasonNoEndpointProvider,
             "no spec.controlPlaneEndpoint and no endpoint provider plugin: " + lookup.reason,
             std::string(model::kSeverityError)},
            now);
      }
    } else if (outcome.error) {
      const auto& e = *outcome.error;
      setCondition(status,
                   {kReady, std::string(model::kConditionFalse), plugin::errorTypeName(e.type),
                    describeFailure(e),
                    std::string(e.retryable ? model::kSeverityWarning : model::kSeverityError)},
                   now);
    } else {
      if (!statusPatch || !statusPatch->has("ready")) status->set("ready", true);
      if (boolAt(obj, {"status", "ready"})) {
        setCondition(status, {kReady, std::string(model::kConditionTrue), "", "", ""}, now);
      } else {
        setCondition(status,
                     {kReady, std::string(model::kConditionFalse), "EndpointPending",
                      "the endpoint provider has not made the endpoint available yet",
                      std::string(model::kSeverityInfo)},
                     now);
      }
    }
    return true;
  });
  if (!stored) return ReconcileOutcome::done("gone");
  applyMachineStatus(key, machinePatches);
  if (!lookup) return ReconcileOutcome::done();
  return nextFromOutcome(outcome, std::nullopt);
}

ReconcileOutcome ClusterReconciler::reconcileDelete(const store::ObjectKey& key, Json cluster) {
  if (!hasFinalizer(cluster, kFinalizer)) return ReconcileOutcome::done("deleted");
  const auto now = model::now();
  auto machines = machinesOf(key);
  if (!machines.empty()) {
    // The endpoint stays while machines may still use it; their deletion wakes the cluster.
    writeWithRetry(ctx_.store, key, WritePart::Status, [&](Json obj) {
      setCondition(ensureStatus(obj),
                   {kReady, std::string(model::kConditionFalse), kReasonWaitingForMachines,
                    "waiting for " + std::to_string(machines.size()) +
                        " MaasMachine(s) of the cluster to be deleted",
                    std::string(model::kSeverityInfo)},
                   now);
      return true;
    });
    return ReconcileOutcome::done("waiting");
  }
  auto drop = [&] {
    writeWithRetry(ctx_.store, key, WritePart::Object,
                   [](Json obj) { return removeFinalizer(obj, kFinalizer); });
    ctx_.logger->info("MaasCluster {}/{}: deleted", key.ns, key.name);
    return ReconcileOutcome::done("deleted");
  };
  plugin::Lookup lookup = ctx_.registry.endpointProvider();
  if (!lookup) return drop();
  auto gate = ctx_.gate;
  plugin::CheckpointFn checkpoint = [gate, key](const Poco::JSON::Object::Ptr& status) {
    gate->checkpoint(key, status);
  };
  // Its machines are gone by now (it waits for them): none to offer.
  plugin::RequestParts parts;
  parts.object = cluster;
  parts.cluster = cluster;
  plugin::MachinesFn none = plugin::offerMachines(lookup.instance->library(), parts, {});
  std::string request = plugin::makeRequestDocument(parts);
  plugin::CallOutcome outcome =
      ctx_.caller.call(lookup.instance, PluginOp::Remove, request,
                       queueKey(key.kind, key.ns, key.name), checkpoint, std::move(none));
  recordMaasCalls(ctx_, lookup.instance->name(), key, outcome);
  if (outcome.ok() && outcome.done) return drop();
  writeWithRetry(ctx_.store, key, WritePart::Status, [&](Json obj) {
    Json status = ensureStatus(obj);
    if (outcome.status) {
      Json patch = deepCopy(outcome.status);
      patch->remove("machineStatus");
      mergeStatus(status, patch, now);
    }
    std::string message = outcome.error
                              ? describeFailure(*outcome.error)
                              : "waiting for the endpoint provider to remove the endpoint";
    setCondition(status,
                 {kReady, std::string(model::kConditionFalse), "Deleting", message,
                  std::string(outcome.error ? model::kSeverityWarning : model::kSeverityInfo)},
                 now);
    return true;
  });
  if (outcome.error && outcome.error->requeueAfter.count() > 0) {
    return ReconcileOutcome::requeue(outcome.error->requeueAfter, "error");
  }
  if (outcome.ok() && outcome.requeueAfter) {
    return ReconcileOutcome::requeue(
        std::chrono::duration_cast<std::chrono::milliseconds>(*outcome.requeueAfter));
  }
  return ReconcileOutcome::backoff(outcome.error ? "error" : "success");
}

}  // namespace maasprov::controller
