#include "machine_status.hpp"

namespace maasprov::common {

std::string providerId(const std::string& scheme, const std::string& zone,
                       const std::string& systemId) {
  return scheme + "://" + zone + "/" + systemId;
}

json::Value machineAddresses(const MaasMachineView& m) {
  json::Value out = json::Value::array();
  auto add = [&out](const char* type, const std::string& address) {
    json::Value a = json::Value::object();
    a.set("type", type);
    a.set("address", address);
    out.push_back(std::move(a));
  };
  for (const auto& ip : m.ipAddresses) {
    add("ExternalIP", ip);
    add("InternalIP", ip);
  }
  if (!m.fqdn.empty()) {
    add("ExternalDNS", m.fqdn);
    add("InternalDNS", m.fqdn);
  }
  return out;
}

json::Value machineStatusFields(const MaasMachineView& m, const std::string& scheme) {
  json::Value s = json::Value::object();
  s.set("systemID", m.systemId);
  s.set("providerID", providerId(scheme, m.zone, m.systemId));
  if (!m.hostname.empty()) s.set("hostname", m.hostname);
  s.set("machineState", m.statusName);
  s.set("machinePowered", m.poweredOn());
  s.set("addresses", machineAddresses(m));
  if (!m.zone.empty()) s.set("failureDomain", m.zone);
  return s;
}

}  // namespace maasprov::common
