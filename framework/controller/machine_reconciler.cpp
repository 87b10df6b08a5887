#include "framework/controller/machine_reconciler.hpp"

#include <spdlog/spdlog.h>

#include "framework/controller/status_writer.hpp"
#include "framework/model/condition.hpp"
#include "framework/model/maas_cluster.hpp"
#include "framework/model/maas_machine.hpp"
#include "framework/model/object_meta.hpp"
#include "framework/plugin/request_document.hpp"
#include "framework/store/object_rules.hpp"

namespace maasprov::controller {
namespace {

const std::string kFinalizer(model::kMachineFinalizer);
const std::string kClusterLabel(model::kClusterNameLabel);
const std::string kReady(model::kConditionReady);

// States in which nothing changes in MAAS without us asking; everything else is polled.
bool settled(Json machine) {
  if (isBeingDeleted(machine)) return false;
  return boolAt(machine, {"status", "ready"}) &&
         stringAt(machine, {"status", "machineState"}).value_or("") == "Deployed";
}

std::string systemIDOf(Json machine) {
  return stringAt(machine, {"status", "systemID"}).value_or("");
}

std::string label(Json obj, const std::string& key) {
  Json labels = objectAt(objectAt(obj, "metadata"), "labels");
  return labels ? labels->optValue<std::string>(key, "") : std::string();
}

}  // namespace

std::string machinePhase(Json machine) {
  if (isBeingDeleted(machine)) return "Deleting";
  if (boolAt(machine, {"status", "ready"})) return "Ready";
  if (stringAt(machine, {"status", "failureReason"})) return "Failed";
  if (stringAt(machine, {"status", "systemID"})) return "Provisioning";
  return "Pending";
}

void MachineReconciler::setWaiting(const store::ObjectKey& key, const std::string& reason,
                                   const std::string& message, const std::string& severity) {
  writeWithRetry(ctx_.store, key, WritePart::Status, [&](Json obj) {
    Json status = ensureStatus(obj);
    const bool changed = setCondition(
        status, {kReady, std::string(model::kConditionFalse), reason, message, severity},
        model::now());
    return setIfDifferent(status, "observedGeneration", intAt(obj, {"metadata", "generation"})) ||
           changed;
  });
}

void MachineReconciler::updatePoller(const std::string& queue, Json machine, bool failed) {
  if (ctx_.poller == nullptr) return;
  auto systemID = stringAt(machine, {"status", "systemID"});
  if (!machine || !systemID || systemID->empty() || settled(machine)) {
    ctx_.poller->untrack(queue);
    return;
  }
  const std::string state = stringAt(machine, {"status", "machineState"}).value_or("");
  const bool powered = boolAt(machine, {"status", "machinePowered"});
  if (failed) {
    ctx_.poller->trackUnlessWatched(queue, *systemID, state, powered);
  } else {
    ctx_.poller->track(queue, *systemID, state, powered);
  }
}

Json MachineReconciler::applyOutcome(const store::ObjectKey& key,
                                     const plugin::CallOutcome& outcome, bool deleting,
                                     LatestObject& latest) {
  try {
    return writeOutcome(key, outcome, deleting, latest);
  } catch (const store::Invalid& e) {
    // The plugin's status cannot be stored: keep the object's status and say why instead.
    plugin::CallOutcome refused;
    plugin::PluginFailure f;
    f.type = plugin::ErrorType::Internal;
    f.message = "the plugin returned a status the store refused: " + std::string(e.what());
    refused.error = f;
    refused.maasCalls = outcome.maasCalls;
    return writeOutcome(key, refused, deleting, latest);  // the refused write took `latest`
  }
}

Json MachineReconciler::writeOutcome(const store::ObjectKey& key,
                                     const plugin::CallOutcome& outcome, bool deleting,
                                     LatestObject& latest) {
  const auto now = model::now();
  // Returns whether the object changed: an outcome that says what the object already says (a
  // machine still deploying, looked at again) writes nothing.
  const auto mutate = [&](Json obj) {
    Json status = ensureStatus(obj);
    bool changed = outcome.status && mergeStatus(status, outcome.status, now);
    bool patchHasFailure = outcome.status && (outcome.status->has("failureReason") ||
                                              outcome.status->has("failureMessage"));
    if (outcome.error && !outcome.error->retryable) {
      changed = setIfDifferent(status, "failureReason",
                               std::string(plugin::errorTypeName(outcome.error->type))) ||
                changed;
      changed =
          setIfDifferent(status, "failureMessage", printable(outcome.error->message)) || changed;
    } else if (!outcome.error && !patchHasFailure) {
      // A success clears an earlier terminal failure (the spec was changed and now works).
      changed = status->has("failureReason") || status->has("failureMessage") || changed;
      status->remove("failureReason");
      status->remove("failureMessage");
    }
    changed =
        setIfDifferent(status, "observedGeneration", intAt(obj, {"metadata", "generation"})) ||
        changed;

    ConditionValue ready;
    if (outcome.error) {
      const auto& e = *outcome.error;
      ready = {kReady, std::string(model::kConditionFalse), plugin::errorTypeName(e.type),
               describeFailure(e),
               std::string(e.retryable ? model::kSeverityWarning : model::kSeverityError)};
    } else if (deleting) {
      ready = {kReady, std::string(model::kConditionFalse), kReasonDeleting,
               outcome.done ? "released in MAAS" : "waiting for MAAS to release the machine",
               std::string(model::kSeverityInfo)};
    } else if (boolAt(obj, {"status", "ready"})) {
      ready = {kReady, std::string(model::kConditionTrue), "", "", ""};
    } else {
      // Not ready yet: say why in the plugin's own words when it gave any.
      Json deployed = findCondition(status, model::kConditionMachineDeployed);
      std::string reason = deployed ? deployed->optValue<std::string>("reason", "") : "";
      std::string message = deployed ? deployed->optValue<std::string>("message", "") : "";
      ready = {kReady, std::string(model::kConditionFalse),
               reason.empty() ? kReasonProvisioning : reason, message,
               std::string(model::kSeverityInfo)};
    }
    return setCondition(status, ready, now) || changed;
  };
  return writeWithRetry(ctx_.store, key, WritePart::Status, mutate, 10, latest.take());
}

ReconcileOutcome MachineReconciler::reconcile(const store::ObjectKey& key) {
  const std::string queue = queueKey(key.kind, key.ns, key.name);
  Json machine;
  // The stored text goes into the plugin's request as it is, while it is what `machine` says.
  std::shared_ptr<const std::string> machineText;
  try {
    machineText = ctx_.store.getText(key);
    machine = store::rules::parse(*machineText);
  } catch (const store::NotFound&) {
    if (ctx_.poller) ctx_.poller->untrack(queue);
    return ReconcileOutcome::done("gone");
  }
  if (isBeingDeleted(machine)) return reconcileDelete(key, machine);

  if (!hasFinalizer(machine, kFinalizer)) {
    machineText.reset();
    // From the object just read (handed over): a fresh read would parse the same text again.
    machine = writeWithRetry(
        ctx_.store, key, WritePart::Object, [](Json obj) { return addFinalizer(obj, kFinalizer); },
        10, std::move(machine));
    if (!machine) return ReconcileOutcome::done("gone");
    if (isBeingDeleted(machine)) return reconcileDelete(key, machine);
  }

  // The cluster it belongs to.
  const std::string clusterName = label(machine, kClusterLabel);
  if (clusterName.empty()) {
    setWaiting(key, kReasonWaitingForCluster,
               "the label " + kClusterLabel + " does not name the MaasCluster of this machine",
               std::string(model::kSeverityWarning));
    return ReconcileOutcome::done("waiting");
  }
  std::shared_ptr<const std::string> cluster;  // only passed on to the plugin
  try {
    cluster = ctx_.store.getText({std::string(model::kMaasClusterKind), key.ns, clusterName});
  } catch (const store::NotFound&) {
    setWaiting(key, kReasonWaitingForCluster,
               "waiting for MaasCluster " + key.ns + "/" + clusterName + " to exist",
               std::string(model::kSeverityInfo));
    return ReconcileOutcome::done("waiting");
  }

  // The bootstrap data: inline, or from the named Secret.
  std::optional<std::string> userData = stringAt(machine, {"spec", "userData"});
  if (!userData) {
    auto secretName = stringAt(machine, {"spec", "bootstrapDataSecretName"});
    if (!secretName) {
      setWaiting(key, kReasonWaitingForBootstrapData,
                 "waiting for bootstrap data: neither spec.bootstrapDataSecretName nor "
                 "spec.userData is set",
                 std::string(model::kSeverityInfo));
      return ReconcileOutcome::done("waiting");
    }
    try {
      Json secret = ctx_.store.get({kSecretKind, key.ns, *secretName});
      userData = stringAt(secret, {"data", "value"});
    } catch (const store::NotFound&) {
    }
    if (!userData) {
      setWaiting(key, kReasonWaitingForBootstrapData,
                 "waiting for bootstrap data: Secret " + key.ns + "/" + *secretName +
                     " does not exist or has no data.value",
                 std::string(model::kSeverityInfo));
      return ReconcileOutcome::done("waiting");
    }
  }

  const std::string mode =
      stringAt(machine, {"spec", "provisioningMode"})
          .value_or(std::string(model::toString(model::ProvisioningMode::BareMetal)));
  plugin::Lookup lookup = ctx_.registry.provisionerFor(mode);
  if (!lookup) {
    setWaiting(key, kReasonNoProvisioner,
               "no plugin serves provisioningMode '" + mode + "': " + lookup.reason,
               std::string(model::kSeverityError));
    ctx_.logger->warn("MaasMachine {}/{}: no plugin serves provisioningMode '{}'", key.ns, key.name,
                      mode);
    return ReconcileOutcome::done("waiting");
  }

  plugin::RequestParts parts;
  parts.object = machine;
  parts.objectText = std::move(machineText);
  parts.clusterText = std::move(cluster);
  parts.userDataBase64 = userData;
  plugin::MachinesFn machines = plugin::offerMachines(
      lookup.instance->library(), parts, ctx_.index->peers(key.ns, clusterName, key.name));
  if (ctx_.poller) parts.observed = ctx_.poller->takeObservation(queue, systemIDOf(machine));
  std::string request = plugin::makeRequestDocument(parts);
  // Its writes start from the object read above (or the last one written) instead of a re-read.
  auto latest = std::make_shared<LatestObject>(std::move(machine));
  auto gate = ctx_.gate;
  plugin::CheckpointFn checkpoint = [gate, key, latest](const Poco::JSON::Object::Ptr& status) {
    gate->checkpoint(key, status, latest.get());
  };
  ctx_.logger->debug("MaasMachine {}/{}: reconciling with plugin '{}'", key.ns, key.name,
                     lookup.instance->name());
  plugin::CallOutcome outcome = ctx_.caller.call(lookup.instance, PluginOp::Reconcile, request,
                                                 queue, checkpoint, std::move(machines));
  recordMaasCalls(ctx_, lookup.instance->name(), key, outcome);
  if (outcome.error) {
    ctx_.logger->warn("MaasMachine {}/{}: plugin '{}' failed: {}", key.ns, key.name,
                      lookup.instance->name(), describeFailure(*outcome.error));
  }
  Json stored = applyOutcome(key, outcome, false, *latest);
  if (!stored) return ReconcileOutcome::done("gone");
  updatePoller(queue, stored, outcome.error.has_value());
  if (isBeingDeleted(stored)) return ReconcileOutcome::requeue(std::chrono::milliseconds(0));
  // Unfinished machines get looked at again even when the plugin names no time.
  std::optional<std::chrono::milliseconds> fallback;
  if (!settled(stored)) fallback = ctx_.requeueInterval;
  return nextFromOutcome(outcome, fallback);
}

ReconcileOutcome MachineReconciler::reconcileDelete(const store::ObjectKey& key, Json machine) {
  const std::string queue = queueKey(key.kind, key.ns, key.name);
  if (!hasFinalizer(machine, kFinalizer)) return ReconcileOutcome::done("deleted");

  const std::string mode =
      stringAt(machine, {"spec", "provisioningMode"})
          .value_or(std::string(model::toString(model::ProvisioningMode::BareMetal)));
  plugin::Lookup lookup = ctx_.registry.provisionerFor(mode);
  bool holdsSomething = stringAt(machine, {"status", "systemID"}).has_value() ||
                        stringAt(machine, {"status", "providerID"}).has_value();
  auto dropFinalizer = [&] {
    writeWithRetry(ctx_.store, key, WritePart::Object,
                   [](Json obj) { return removeFinalizer(obj, kFinalizer); });
    if (ctx_.poller) ctx_.poller->untrack(queue);
    ctx_.logger->info("MaasMachine {}/{}: deleted", key.ns, key.name);
    return ReconcileOutcome::done("deleted");
  };
  if (!lookup) {
    // Nothing was ever provisioned without a plugin, so nothing can leak by letting it go.
    if (!holdsSomething) return dropFinalizer();
    setWaiting(key, kReasonNoProvisioner,
               "cannot release: no plugin serves provisioningMode '" + mode + "': " + lookup.reason,
               std::string(model::kSeverityError));
    return ReconcileOutcome::backoff("error");
  }

  plugin::RequestParts parts;
  parts.object = machine;
  const std::string clusterName = label(machine, kClusterLabel);
  std::vector<plugin::SharedText> peers;
  if (!clusterName.empty()) {
    try {
      parts.cluster = ctx_.store.get({std::string(model::kMaasClusterKind), key.ns, clusterName});
    } catch (const store::NotFound&) {
    }
    peers = ctx_.index->peers(key.ns, clusterName, key.name);
  }
  plugin::MachinesFn machines =
      plugin::offerMachines(lookup.instance->library(), parts, std::move(peers));
  if (ctx_.poller) parts.observed = ctx_.poller->takeObservation(queue, systemIDOf(machine));
  std::string request = plugin::makeRequestDocument(parts);
  auto latest = std::make_shared<LatestObject>(std::move(machine));
  auto gate = ctx_.gate;
  plugin::CheckpointFn checkpoint = [gate, key, latest](const Poco::JSON::Object::Ptr& status) {
    gate->checkpoint(key, status, latest.get());
  };
  plugin::CallOutcome outcome = ctx_.caller.call(lookup.instance, PluginOp::Remove, request, queue,
                                                 checkpoint, std::move(machines));
  recordMaasCalls(ctx_, lookup.instance->name(), key, outcome);
  if (outcome.error) {
    ctx_.logger->warn("MaasMachine {}/{}: plugin '{}' failed to remove: {}", key.ns, key.name,
                      lookup.instance->name(), describeFailure(*outcome.error));
  }
  Json stored = applyOutcome(key, outcome, true, *latest);
  if (!stored) return ReconcileOutcome::done("gone");
  if (outcome.ok() && outcome.done) return dropFinalizer();
  updatePoller(queue, stored, outcome.error.has_value());
  if (outcome.ok() && !outcome.requeueAfter) return ReconcileOutcome::backoff("success");
  // Deletion cannot wait for a spec change: even a terminal failure is retried with backoff.
  if (outcome.error && outcome.error->requeueAfter.count() == 0) return ReconcileOutcome::backoff();
  return nextFromOutcome(outcome, std::nullopt);
}

}  // namespace maasprov::controller
