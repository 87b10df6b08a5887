#include "machine_ops.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>

#include "maasprov/error.hpp"

namespace maasprov::common {
namespace {

std::string excerpt(const std::string& body) {
  std::string out = body.substr(0, 300);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// Maps MAAS's form-error keys of allocate to the spec fields that produced them.
std::string specFieldFor(const std::string& key) {
  if (key == "tags") return "spec.tags";
  if (key == "zone") return "spec.failureDomain";
  if (key == "pool") return "spec.resourcePool";
  if (key == "system_id") return "spec.systemID";
  if (key == "cpu_count") return "spec.minCPU";
  if (key == "mem") return "spec.minMemory";
  return "allocate constraint " + key;
}

// A 400 from allocate or the machine list names the constraints MAAS refused:
// {"tags": ["No such tag(s): 'x'."]}. InvalidSpec naming the spec field, retryable after 300 s
// because an operator may create the tag, zone or pool.
[[noreturn]] void throwRefusedConstraints(const MaasResponse& r) {
  std::string message;
  try {
    json::Value errors = json::parse(r.body);
    if (errors.isObject()) {
      for (const auto& [key, value] : errors.asObject()) {
        std::string text =
            value.isArray() && !value.asArray().empty() && value.asArray()[0].isString()
                ? value.asArray()[0].asString()
                : value.dump();
        message += (message.empty() ? "" : "; ") + specFieldFor(key) + ": MAAS refused it: " + text;
      }
    }
  } catch (const json::ParseError&) {
  }
  if (message.empty()) message = "MAAS refused " + r.what + ": " + excerpt(r.body);
  throw PluginError(ErrorType::InvalidSpec, message).retryable(true).requeueAfterSeconds(300);
}

// splitmix64's finalizer: spreads a combined hash over all bits, so every key orders a cost
// group differently.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string machinePath(const std::string& systemId) {
  return "machines/" + systemId + "/";
}

}  // namespace

std::vector<MaasMachineView> listHeld(const MaasClient& maas, const std::string& agentName) {
  MaasResponse r = maas.get("machines/", {{"agent_name", agentName}});
  r.expectOk();
  return MaasMachineView::listFromResponse(r);
}

const json::Value* observedMachine(const Request& req, const std::string& systemId) {
  const json::Value* m = req.observed();
  if (m == nullptr || systemId.empty()) return nullptr;
  const json::Value* id = m->find("system_id");
  return id != nullptr && id->isString() && id->asString() == systemId ? m : nullptr;
}

Params allocateParams(const AllocateConstraints& c, const std::string& agentName) {
  Params p;
  p.emplace_back("cpu_count", std::to_string(c.minCPU));
  p.emplace_back("mem", std::to_string(c.minMemoryMB));
  for (const auto& t : c.tags) p.emplace_back("tags", t);
  if (!c.zone.empty()) p.emplace_back("zone", c.zone);
  if (!c.pool.empty()) p.emplace_back("pool", c.pool);
  if (!c.systemId.empty()) p.emplace_back("system_id", c.systemId);
  for (const auto& t : c.notPodTypes) p.emplace_back("not_pod_type", t);
  p.emplace_back("agent_name", agentName);
  return p;
}

std::string describeConstraints(const AllocateConstraints& c) {
  std::string out =
      "cpu_count=" + std::to_string(c.minCPU) + " mem=" + std::to_string(c.minMemoryMB);
  if (!c.tags.empty()) {
    out += " tags=";
    for (size_t i = 0; i < c.tags.size(); ++i) out += (i ? "," : "") + c.tags[i];
  }
  if (!c.zone.empty()) out += " zone=" + c.zone;
  if (!c.pool.empty()) out += " pool=" + c.pool;
  if (!c.systemId.empty()) out += " system_id=" + c.systemId;
  return out;
}

std::vector<ReadyMachine> listReadyBareMetal(const MaasClient& maas, const AllocateConstraints& c) {
  AllocateConstraints unpinned = c;
  unpinned.systemId.clear();
  Params p = {{"status", "ready"}};
  for (auto& kv : allocateParams(unpinned, "")) {
    if (kv.first != "agent_name") p.push_back(std::move(kv));
  }
  MaasResponse r = maas.get("machines/", p);
  if (r.status == 400) throwRefusedConstraints(r);
  r.expectOk();
  json::Value list = r.json();
  if (!list.isArray()) {
    throw PluginError(ErrorType::Transient, "MAAS answered " + r.what + " with a " +
                                                json::typeName(list.type()) + ", not a list");
  }
  std::vector<ReadyMachine> out;
  for (const auto& m : list.asArray()) {
    MaasMachineView v = MaasMachineView::fromJson(m);
    const json::Value* owner = m.find("owner");
    const json::Value* locked = m.find("locked");
    if (inVmHost(v) || !v.is(machine_state::kReady) || (owner != nullptr && owner->isString()) ||
        (locked != nullptr && locked->isBool() && locked->asBool()) || v.systemId.empty()) {
      continue;
    }
    const json::Value* cores = m.find("cpu_count");
    const json::Value* memory = m.find("memory");
    double cost = (cores != nullptr && cores->isNumber() ? cores->asDouble() : 0) +
                  (memory != nullptr && memory->isNumber() ? memory->asDouble() / 1024.0 : 0);
    const uint64_t idHash = std::hash<std::string>{}(v.systemId);
    out.push_back({std::move(v.systemId), cost, idHash});
  }
  std::sort(out.begin(), out.end(), [](const ReadyMachine& a, const ReadyMachine& b) {
    return a.cost != b.cost ? a.cost < b.cost : a.systemId < b.systemId;
  });
  return out;
}

std::vector<std::string> cheapestSpread(const std::vector<ReadyMachine>& byCost,
                                        const std::string& spreadKey, size_t n,
                                        const std::function<bool(size_t index)>& skip) {
  const uint64_t keyHash = std::hash<std::string>{}(spreadKey);
  std::vector<std::string> out;
  std::vector<std::pair<uint64_t, size_t>> group;  // (spread, index in byCost)
  size_t i = 0;
  while (i < byCost.size() && out.size() < n) {
    group.clear();
    const double cost = byCost[i].cost;
    for (; i < byCost.size() && byCost[i].cost == cost; ++i) {
      if (skip && skip(i)) continue;
      group.emplace_back(mix(keyHash ^ (byCost[i].idHash * 0x9e3779b97f4a7c15ULL)), i);
    }
    // Only the first few of a group of thousands are wanted.
    const size_t want = std::min(group.size(), n - out.size());
    std::partial_sort(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(want),
                      group.end());
    for (size_t g = 0; g < want; ++g) out.push_back(byCost[group[g].second].systemId);
  }
  return out;
}

AllocateResult allocate(const MaasClient& maas, const AllocateConstraints& c,
                        const std::string& agentName) {
  // Not idempotent: a repeated allocate could take a second machine. A lost answer is found
  // again through agent_name instead.
  MaasResponse r = maas.post("machines/", "allocate", allocateParams(c, agentName), false);
  AllocateResult out;
  if (r.ok()) {
    MaasMachineView m = MaasMachineView::fromResponse(r);
    if (c.bareMetalOnly && inVmHost(m)) {
      // MAAS has no "physical only" allocate parameter; give the VM straight back.
      release(maas, m.systemId,
              "maasprov: bare-metal allocation got VM " + m.hostname + " in VM host " + m.podName +
                  "; giving it back");
      out.releasedVm = std::move(m);
      return out;
    }
    out.machine = std::move(m);
    return out;
  }
  if (r.status == 409 && (r.body.find("No available machine") != std::string::npos ||
                          r.body.find("No machine available") != std::string::npos ||
                          r.body.find("No machine with system ID") != std::string::npos)) {
    out.noMatch = excerpt(r.body);
    return out;
  }
  if (r.status == 400) throwRefusedConstraints(r);
  r.expectOk();  // throws Transient naming the call and status
  return out;
}

void annotate(const MaasClient& maas, const std::string& systemId, const Owner& owner) {
  maas.post(machinePath(systemId), "set_workload_annotations", owner.annotations(), true)
      .expectOk();
}

DeployResult deploy(const MaasClient& maas, const std::string& systemId,
                    const std::string& userDataBase64, const DistroSeries& image,
                    const std::string& agentName) {
  Params p = {
      {"user_data", userDataBase64}, {"distro_series", image.value}, {"agent_name", agentName}};
  MaasResponse r = maas.post(machinePath(systemId), "deploy", p, false);
  DeployResult out;
  if (r.ok()) {
    out.machine = MaasMachineView::fromResponse(r);
    return out;
  }
  out.httpStatus = r.status;
  out.error = excerpt(r.body);
  return out;
}

bool release(const MaasClient& maas, const std::string& systemId, const std::string& comment) {
  MaasResponse r = maas.post(machinePath(systemId), "release", {{"comment", comment}}, true);
  if (r.status == 404) return false;
  r.expectOk();
  return true;
}

MaasMachineView powerOn(const MaasClient& maas, const std::string& systemId) {
  MaasResponse r = maas.post(machinePath(systemId), "power_on", {}, true);
  r.expectOk();
  return MaasMachineView::fromResponse(r);
}

}  // namespace maasprov::common
