#include "maas_machine.hpp"

#include "maasprov/error.hpp"

namespace maasprov::common {
namespace {

std::string stringMember(const json::Value& v, std::string_view key) {
  const json::Value* m = v.find(key);
  return m != nullptr && m->isString() ? m->asString() : std::string();
}

// MAAS renders zone, pool and pod as objects with a "name".
std::string nameOf(const json::Value& v, std::string_view key) {
  const json::Value* m = v.find(key);
  if (m == nullptr) return {};
  if (m->isString()) return m->asString();
  return m->isObject() ? stringMember(*m, "name") : std::string();
}

// The members fromJson reads.
bool read(std::string_view key) {
  for (std::string_view k : {"system_id", "hostname", "fqdn", "status_name", "power_state", "zone",
                             "pool", "pod", "ip_addresses", "workload_annotations"}) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace

bool MaasMachineView::beingReleased() const {
  return is(machine_state::kReleasing) || is(machine_state::kReady) ||
         is(machine_state::kDiskErasing);
}

MaasMachineView MaasMachineView::fromJson(const json::Value& machine) {
  if (!machine.isObject()) {
    throw PluginError(ErrorType::Transient, std::string("MAAS answered a ") +
                                                json::typeName(machine.type()) +
                                                " where a machine object was expected");
  }
  MaasMachineView out;
  const json::Value* id = machine.find("system_id");
  if (id == nullptr || !id->isString() || id->asString().empty()) {
    throw PluginError(ErrorType::Transient,
                      "MAAS answered a machine without a \"system_id\" string");
  }
  out.systemId = id->asString();
  out.hostname = stringMember(machine, "hostname");
  out.fqdn = stringMember(machine, "fqdn");
  out.statusName = stringMember(machine, "status_name");
  out.powerState = stringMember(machine, "power_state");
  out.zone = nameOf(machine, "zone");
  out.pool = nameOf(machine, "pool");
  out.podName = nameOf(machine, "pod");
  if (const json::Value* ips = machine.find("ip_addresses"); ips != nullptr && ips->isArray()) {
    for (const auto& ip : ips->asArray()) {
      if (ip.isString() && !ip.asString().empty()) out.ipAddresses.push_back(ip.asString());
    }
  }
  if (const json::Value* a = machine.find("workload_annotations"); a != nullptr && a->isObject()) {
    for (const auto& [k, v] : a->asObject()) {
      if (v.isString()) out.workloadAnnotations[k] = v.asString();
    }
  }
  return out;
}

MaasMachineView MaasMachineView::fromText(std::string_view machine) {
  json::Object members;
  for (auto& [key, text] : json::objectMembers(machine)) {
    if (read(key)) members.emplace_back(std::move(key), json::parse(text));
  }
  return fromJson(json::Value(std::move(members)));
}

MaasMachineView MaasMachineView::fromResponse(const MaasResponse& response) {
  try {
    return fromText(response.body);
  } catch (const json::ParseError&) {
    return fromJson(response.json());  // throws the error naming the call (or what MAAS sent)
  }
}

std::vector<MaasMachineView> MaasMachineView::listFromResponse(const MaasResponse& response) {
  std::vector<std::string_view> machines;
  try {
    machines = json::arrayElements(response.body);
  } catch (const json::ParseError&) {
    const json::Value list = response.json();  // throws when the body is not JSON
    throw PluginError(ErrorType::Transient, "MAAS answered " + response.what + " with a " +
                                                json::typeName(list.type()) + ", not a list");
  }
  std::vector<MaasMachineView> out;
  out.reserve(machines.size());
  for (std::size_t i = 0; i < machines.size(); ++i) {
    try {
      out.push_back(fromText(machines[i]));
    } catch (const json::ParseError&) {
      // Not an object, or a fault deeper inside: the whole answer's checks name it.
      out.push_back(fromJson(response.json().asArray()[i]));
    }
  }
  return out;
}

}  // namespace maasprov::common
