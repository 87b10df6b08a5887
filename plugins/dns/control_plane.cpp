#include "control_plane.hpp"

#include <algorithm>

#include "conditions.hpp"

namespace maasprov::dns {
namespace {

std::string str(const json::Value& v, const char* key) {
  const json::Value* m = v.find(key);
  return m != nullptr && m->isString() ? m->asString() : std::string();
}

std::optional<IpAddress> pickAddress(const json::Value& status,
                                     const std::vector<Cidr>& preferred) {
  const json::Value* list = status.find("addresses");
  if (list == nullptr || !list->isArray()) return std::nullopt;
  for (const char* type : {"ExternalIP", "InternalIP"}) {
    for (const auto& a : list->asArray()) {
      if (str(a, "type") != type) continue;
      auto ip = IpAddress::parse(str(a, "address"));
      if (!ip) continue;
      if (preferred.empty()) return ip;
      for (const auto& cidr : preferred) {
        if (cidr.contains(*ip)) return ip;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<ControlPlaneMachine> controlPlaneMachines(const json::Array& machines,
                                                      const std::vector<Cidr>& preferred) {
  static const json::Value empty = json::Value::object();
  std::vector<ControlPlaneMachine> out;
  for (const auto& m : machines) {
    const json::Value* meta = m.find("metadata");
    if (meta == nullptr || !meta->isObject()) continue;
    const json::Value* labels = meta->find("labels");
    if (labels == nullptr || !labels->isObject() || !labels->contains(kControlPlaneLabel)) {
      continue;
    }
    ControlPlaneMachine c;
    c.name = str(*meta, "name");
    c.ns = str(*meta, "namespace");
    if (c.ns.empty()) c.ns = "default";
    c.uid = str(*meta, "uid");
    const json::Value* status = m.find("status");
    c.status = status != nullptr && status->isObject() ? status : &empty;
    c.address = pickAddress(*c.status, preferred);
    const json::Value* powered = c.status->find("machinePowered");
    const std::string state = str(*c.status, "machineState");
    if (meta->find("deletionTimestamp") != nullptr && !meta->find("deletionTimestamp")->isNull()) {
      c.notRunning = "MachineDeleting";
      c.detail = "the machine is being deleted";
    } else if (powered == nullptr || !powered->isBool() || !powered->asBool()) {
      c.notRunning = "MachinePoweredOff";
      c.detail = "MAAS reports the machine powered off";
    } else if (state != "Deploying" && state != "Deployed") {
      c.notRunning = "MachineNotRunning";
      c.detail = "the machine is " + (state.empty() ? std::string("not deployed") : state);
    } else if (!c.address) {
      c.notRunning = preferred.empty() ? "NoAddress" : "NoAddressInPreferredSubnets";
      c.detail = preferred.empty() ? "the machine has no IP address yet"
                                   : "none of the machine's addresses is in a preferred subnet";
    } else {
      c.running = true;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<IpAddress> desiredAddresses(const std::vector<ControlPlaneMachine>& machines) {
  std::vector<IpAddress> out;
  for (const auto& m : machines) {
    if (m.running && m.address) out.push_back(*m.address);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

json::Value attachmentReport(const std::vector<ControlPlaneMachine>& machines,
                             const std::vector<IpAddress>& record, const std::string& fqdn,
                             bool custom) {
  json::Value out = json::Value::object();
  for (const auto& m : machines) {
    common::Condition c{kDnsAttached, common::kConditionTrue, "", "", ""};
    bool attached = false;
    if (custom) {
      attached = true;
      c.reason = "CustomEndpoint";
      c.message = "the control-plane endpoint " + fqdn + " is provided by the user";
    } else if (m.address && std::find(record.begin(), record.end(), *m.address) != record.end()) {
      attached = true;
      c.reason = "Attached";
      c.message = m.address->toString() + " is in the DNS record " + fqdn;
    } else {
      c.status = common::kConditionFalse;
      c.severity = common::kSeverityInfo;
      c.reason = m.notRunning.empty() ? "NotInRecord" : m.notRunning;
      c.message = (m.detail.empty() ? "its address is not in the record yet" : m.detail) +
                  "; not behind " + fqdn;
    }
    json::Value status = json::Value::object();
    status.set("dnsAttached", attached);
    // Only DNSAttached: the controller merges it by type into the machine's conditions.
    status.set("conditions", common::conditionPatch(*m.status, c));
    out.set(m.name, std::move(status));
  }
  return out;
}

}  // namespace maasprov::dns
