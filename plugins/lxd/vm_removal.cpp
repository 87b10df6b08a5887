// LxdPlugin::remove: release the VM if it is held, then delete it (MAAS decomposes it and frees
// the host's resources); done only when MAAS no longer lists it.
#include <string>
#include <vector>

#include "lxd_plugin.hpp"
#include "maasprov_common.hpp"

namespace maasprov::lxd {

namespace state = common::machine_state;

RemoveResult LxdPlugin::remove(const Request& req, Host& host) {
  RemoveResult out;
  const std::string uid = req.metadata().getString("uid");
  if (uid.empty()) {
    out.done = true;  // nothing can have been composed without a uid to name it
    return out;
  }
  clearRetries(uid);
  ledger_.forget(uid);
  const MaasClient maas = host.maas();
  const std::string hostname = vmHostname(req.ns(), req.name(), uid);
  // Ours: the VM with our hostname (composed, maybe never allocated) and whatever agent_name
  // marks as held by the uid.
  auto collect = [&]() {
    std::vector<common::MaasMachineView> found;
    MaasResponse r = maas.get("machines/", {{"hostname", hostname}});
    r.expectOk();
    json::Value list = r.json();
    if (list.isArray()) {
      for (const auto& m : list.asArray()) {
        common::MaasMachineView v = common::MaasMachineView::fromJson(m);
        auto it = v.workloadAnnotations.find(common::kAnnotationMachine);
        bool others = it != v.workloadAnnotations.end() && it->second != req.name();
        if (!v.podName.empty() && !others) found.push_back(v);
      }
    }
    for (auto& v : common::listHeld(maas, uid)) {
      bool seen = false;
      for (const auto& f : found) seen = seen || f.systemId == v.systemId;
      if (!seen) found.push_back(v);
    }
    return found;
  };

  // The poller's fresh read of the VM we recorded (it woke this reconcile: the release
  // finished) stands in for the first look; whatever else might be ours is still found by the
  // confirming look below, which runs whenever this pass leaves nothing to wait for.
  std::vector<common::MaasMachineView> found;
  const json::Value* seen = common::observedMachine(req, req.status().getString("systemID"));
  if (seen != nullptr && seen->getString("hostname") == hostname) {
    common::MaasMachineView v = common::MaasMachineView::fromJson(*seen);
    auto it = v.workloadAnnotations.find(common::kAnnotationMachine);
    if (!v.podName.empty() && (it == v.workloadAnnotations.end() || it->second == req.name())) {
      found.push_back(std::move(v));
      ++observedUsed_;
    }
  }
  if (found.empty()) found = collect();

  bool waiting = false;
  std::string what;
  for (const auto& m : found) {
    const std::string comment = "maasprov: MaasMachine " + req.ns() + "/" + req.name() + " deleted";
    if (m.is(state::kReleasing) || m.is(state::kDiskErasing)) {
      waiting = true;
      what = "MAAS is releasing VM " + m.hostname;
    } else if (m.is(state::kAllocated) || m.is(state::kDeploying) || m.is(state::kDeployed) ||
               m.is(state::kFailedDeployment) || m.podName.empty()) {
      if (common::release(maas, m.systemId, comment)) {
        waiting = true;
        what = "released VM " + m.hostname + "; it is deleted once MAAS has released it";
        host.info("released " + m.systemId + " (" + m.hostname + ")");
      }
    } else {
      decompose(maas, m.systemId);
      host.info("deleted VM " + m.systemId + " (" + m.hostname + ") from " + m.podName);
    }
  }
  // Done only when MAAS confirms: nothing of ours is listed any more.
  if (!waiting && !collect().empty()) {
    waiting = true;
    what = "MAAS still lists VM " + hostname;
  }
  const common::Condition md{
      common::kMachineDeployed, common::kConditionFalse, common::reason::kReleasing,
      waiting ? what : "the VM is deleted and its host's resources freed", common::kSeverityInfo};
  out.status = driver_.withDeployedCondition(req.status(), md);
  out.status.set("machinePowered", false);
  LxdConditions lc = beforeVm(falseCondition(kHostSelected, "Deleting", "the machine is deleted"));
  lc.resources = falseCondition(kResourcesAllocated, "Released",
                                waiting ? what : "the VM's resources were returned to its host");
  lc.vmCreated = falseCondition(kVMCreated, waiting ? "Deleting" : "VMDeleted", md.message);
  lc.vmDeployed = falseCondition(kVMDeployed, waiting ? "Deleting" : "VMDeleted", md.message);
  setConditions(out.status, req.status(), lc);
  if (waiting) {
    out.status.set("machineState", state::kReleasing);
    out.requeueAfterSeconds = std::min<int64_t>(settings_.deploy.pollSeconds, 5);
  } else {
    out.status.set("vmResourceUsage", nullptr);
    out.status.set("machineState", nullptr);
    out.done = true;
  }
  return out;
}

}  // namespace maasprov::lxd
