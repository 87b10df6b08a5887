#include "lxd_status.hpp"

#include <cmath>

#include "deployment.hpp"

namespace maasprov::lxd {

using common::Condition;

Condition falseCondition(const char* type, const std::string& reason, const std::string& message,
                         const char* severity) {
  return {type, common::kConditionFalse, reason, message, severity};
}

Condition trueCondition(const char* type, const std::string& reason, const std::string& message) {
  return {type, common::kConditionTrue, reason, message, ""};
}

LxdConditions beforeVm(const Condition& hostSelected, const Condition& resources) {
  LxdConditions c;
  c.hostSelected = hostSelected;
  c.resources = resources.type.empty()
                    ? falseCondition(kResourcesAllocated, "WaitingForHostSelection",
                                     "no VM host selected yet")
                    : resources;
  c.vmCreated = falseCondition(kVMCreated, "WaitingForHostSelection", "no VM composed yet");
  c.vmDeployed = falseCondition(kVMDeployed, "WaitingForVM", "no VM composed yet");
  return c;
}

LxdConditions withVm(const std::string& hostText, const std::string& resourcesText,
                     const Condition& vmCreated, const Condition& vmDeployed) {
  LxdConditions c;
  c.hostSelected = trueCondition(kHostSelected, "HostSelected", "VM host " + hostText);
  c.resources = trueCondition(kResourcesAllocated, "ResourcesAllocated", resourcesText);
  c.vmCreated = vmCreated;
  c.vmDeployed = vmDeployed;
  return c;
}

Condition vmDeployedFrom(const json::Value& status) {
  const json::Value* md = common::findCondition(status, common::kMachineDeployed);
  if (md == nullptr) return falseCondition(kVMDeployed, "WaitingForVM", "not deployed yet");
  Condition c;
  c.type = kVMDeployed;
  c.status = md->getString("status", common::kConditionUnknown);
  c.reason = md->getString("reason");
  c.message = md->getString("message");
  c.severity = md->getString("severity");
  namespace reason = common::reason;
  if (c.reason == reason::kDeploymentRetrying) c.reason = "Recomposing";
  if (c.reason == reason::kDeploymentFailed) c.reason = "VMDeploymentFailed";
  if (c.reason == reason::kMachineReleased) c.reason = "VMDeleted";
  return c;
}

void setConditions(json::Value& status, const json::Value& current, const LxdConditions& c,
                   const Condition& machineDeployed) {
  json::Value list = json::Value::array();
  for (const Condition* cond : {&c.hostSelected, &c.resources, &c.vmCreated, &c.vmDeployed}) {
    list.push_back(common::conditionPatch(current, *cond).asArray().front());
  }
  const json::Value* existing = common::findCondition(status, common::kMachineDeployed);
  if (existing != nullptr) {
    list.push_back(*existing);
  } else if (!machineDeployed.type.empty()) {
    list.push_back(common::conditionPatch(current, machineDeployed).asArray().front());
  }
  status.set("conditions", list);
}

void setVmFields(json::Value& status, const json::Value& machine, const std::string& host,
                 const std::string& project) {
  if (!host.empty()) status.set("lxdHost", host);
  if (!project.empty()) status.set("lxdProject", project);
  json::Value usage = json::Value::object();
  auto num = [&machine](const char* key) {
    const json::Value* v = machine.find(key);
    return v != nullptr && v->isNumber() ? v->asDouble() : 0.0;
  };
  usage.set("allocatedCores", static_cast<int64_t>(num("cpu_count")));
  usage.set("allocatedMemory", static_cast<int64_t>(num("memory")));
  // MAAS reports storage in MB (a float); the status holds whole GB.
  usage.set("allocatedDisk", static_cast<int64_t>(std::llround(num("storage") / 1000.0)));
  status.set("vmResourceUsage", usage);
}

}  // namespace maasprov::lxd
