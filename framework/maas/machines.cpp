#include "framework/maas/machines.hpp"

#include <Poco/Base64Encoder.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "framework/maas/call.hpp"
#include "framework/maas/json_fields.hpp"

namespace maasprov::maas {
namespace {

void addAll(Params& params, const std::string& key, const std::vector<std::string>& values) {
  for (const auto& value : values) params.emplace_back(key, value);
}

void addIfSet(Params& params, const std::string& key, const std::string& value) {
  if (!value.empty()) params.emplace_back(key, value);
}

void addIfSet(Params& params, const std::string& key, const std::optional<bool>& value) {
  if (value) params.emplace_back(key, *value ? "true" : "false");
}

std::string base64(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);  // MAAS wants one unbroken string
  encoder << text;
  encoder.close();
  return out.str();
}

std::string itemPath(const std::string& systemId) {
  if (systemId.empty() || systemId.find('/') != std::string::npos) {
    throw std::invalid_argument("system_id: expected a MAAS system ID such as 'abc123', got '" +
                                systemId + "'");
  }
  return "machines/" + systemId + "/";
}

}  // namespace

Machine parseMachine(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  Machine m;
  m.systemId = json::requiredString(o, "system_id", what);
  const std::string w = what + " " + m.systemId;
  m.hostname = json::string(o, "hostname", w);
  m.fqdn = json::string(o, "fqdn", w);
  m.status = static_cast<int>(json::integer(o, "status", w, -1));
  m.statusName = json::string(o, "status_name", w);
  m.statusMessage = json::string(o, "status_message", w);
  m.powerState = json::string(o, "power_state", w);
  m.powerType = json::string(o, "power_type", w);
  if (const auto zone = json::object(o, "zone", w)) m.zone = parseZone(zone, w + " zone");
  if (const auto pool = json::object(o, "pool", w)) m.pool = parseResourcePool(pool, w + " pool");
  if (const auto domain = json::object(o, "domain", w)) m.domain = json::string(domain, "name", w);
  if (const auto pod = json::object(o, "pod", w)) {
    m.pod = PodRef{json::integer(pod, "id", w + " pod"), json::string(pod, "name", w + " pod")};
  }
  m.ipAddresses = json::strings(o, "ip_addresses", w);
  m.tagNames = json::strings(o, "tag_names", w);
  m.cpuCount = json::integer(o, "cpu_count", w);
  m.memory = json::integer(o, "memory", w);
  m.storage = json::number(o, "storage", w);
  m.owner = json::string(o, "owner", w);
  m.architecture = json::string(o, "architecture", w);
  m.osystem = json::string(o, "osystem", w);
  m.distroSeries = json::string(o, "distro_series", w);
  m.hweKernel = json::string(o, "hwe_kernel", w);
  m.description = json::string(o, "description", w);
  m.locked = json::boolean(o, "locked", w);
  // MAAS 2.9 renamed owner_data to workload_annotations; older regions send only the former.
  m.workloadAnnotations =
      json::stringMap(o, o->has("workload_annotations") ? "workload_annotations" : "owner_data", w);
  for (const auto& i : json::objects(json::array(o, "interface_set", w), w + " interface")) {
    m.interfaces.push_back(parseInterface(i, w + " interface"));
  }
  return m;
}

std::vector<Machine> Machines::list(const MachineFilter& f) {
  Params common;
  addAll(common, "hostname", f.hostnames);
  addAll(common, "mac_address", f.macAddresses);
  addAll(common, "tags", f.tags);
  addAll(common, "zone", f.zones);
  addAll(common, "pool", f.pools);
  addAll(common, "status", f.statuses);
  addAll(common, "pod", f.pods);
  addAll(common, "domain", f.domains);
  addIfSet(common, "agent_name", f.agentName);
  addIfSet(common, "owner", f.owner);
  common.insert(common.end(), f.extra.begin(), f.extra.end());

  // Many IDs go in batches so the query string stays within what HTTP servers and proxies
  // accept; MAAS ORs the IDs and ANDs the other filters, so the batches' answers simply add up.
  std::vector<Machine> out;
  std::size_t next = 0;
  do {
    Request request{"GET", "machines/", "", {}, false};
    const std::size_t end = std::min(f.ids.size(), next + kMaxIdsPerList);
    for (; next < end; ++next) request.params.emplace_back("id", f.ids[next]);
    request.params.insert(request.params.end(), common.begin(), common.end());
    for (const auto& o : json::objects(callForArray(transport_, request), "machine")) {
      out.push_back(parseMachine(o));
    }
  } while (next < f.ids.size());
  return out;
}

Machine Machines::get(const std::string& systemId) {
  return parseMachine(callForObject(transport_, {"GET", itemPath(systemId), "", {}, false}));
}

Machine Machines::allocate(const AllocateRequest& r) {
  Request request{"POST", "machines/", "allocate", {}, false};
  Params& p = request.params;
  if (r.cpuCount) p.emplace_back("cpu_count", std::to_string(*r.cpuCount));
  if (r.memory) p.emplace_back("mem", std::to_string(*r.memory));
  addAll(p, "tags", r.tags);
  addAll(p, "not_tags", r.notTags);
  addIfSet(p, "zone", r.zone);
  addAll(p, "not_in_zone", r.notInZone);
  addIfSet(p, "pool", r.pool);
  addAll(p, "not_in_pool", r.notInPool);
  addIfSet(p, "system_id", r.systemId);
  addIfSet(p, "name", r.name);
  addIfSet(p, "arch", r.arch);
  addIfSet(p, "pod", r.pod);
  addIfSet(p, "not_pod", r.notPod);
  addIfSet(p, "pod_type", r.podType);
  addIfSet(p, "not_pod_type", r.notPodType);
  addIfSet(p, "agent_name", r.agentName);
  addIfSet(p, "comment", r.comment);
  if (r.dryRun) p.emplace_back("dry_run", "true");
  p.insert(p.end(), r.extra.begin(), r.extra.end());
  return parseMachine(callForObject(transport_, request));
}

Machine Machines::deploy(const std::string& systemId, const DeployRequest& r) {
  Request request{"POST", itemPath(systemId), "deploy", {}, false};
  Params& p = request.params;
  if (!r.userData.empty()) p.emplace_back("user_data", base64(r.userData));
  addIfSet(p, "distro_series", r.distroSeries);
  addIfSet(p, "hwe_kernel", r.hweKernel);
  addIfSet(p, "osystem", r.osystem);
  addIfSet(p, "agent_name", r.agentName);
  addIfSet(p, "comment", r.comment);
  addIfSet(p, "install_kvm", r.installKvm);
  addIfSet(p, "register_vmhost", r.registerVmhost);
  addIfSet(p, "ephemeral_deploy", r.ephemeralDeploy);
  p.insert(p.end(), r.extra.begin(), r.extra.end());
  return parseMachine(callForObject(transport_, request));
}

Machine Machines::release(const std::string& systemId, const ReleaseRequest& r) {
  // MAAS answers success when the machine is already Releasing or Ready ("may be a redundant
  // retry", maasserver/api/machines.py), so a lost answer may be retried.
  Request request{"POST", itemPath(systemId), "release", {}, true};
  Params& p = request.params;
  addIfSet(p, "comment", r.comment);
  if (r.erase) p.emplace_back("erase", "true");
  if (r.quickErase) p.emplace_back("quick_erase", "true");
  if (r.secureErase) p.emplace_back("secure_erase", "true");
  if (r.force) p.emplace_back("force", "true");
  return parseMachine(callForObject(transport_, request));
}

Machine Machines::powerOn(const std::string& systemId, const std::string& comment) {
  Request request{"POST", itemPath(systemId), "power_on", {}, false};
  addIfSet(request.params, "comment", comment);
  return parseMachine(callForObject(transport_, request));
}

Machine Machines::powerOff(const std::string& systemId, const std::string& comment) {
  Request request{"POST", itemPath(systemId), "power_off", {}, false};
  addIfSet(request.params, "comment", comment);
  return parseMachine(callForObject(transport_, request));
}

Machine Machines::setWorkloadAnnotations(const std::string& systemId,
                                         const std::map<std::string, std::string>& annotations) {
  // Setting the same values twice leaves the same state, so a lost answer may be retried.
  Request request{"POST", itemPath(systemId), "set_workload_annotations", {}, true};
  for (const auto& [key, value] : annotations) request.params.emplace_back(key, value);
  return parseMachine(callForObject(transport_, request));
}

Machine Machines::update(const std::string& systemId, const Params& fields) {
  return parseMachine(callForObject(transport_, {"PUT", itemPath(systemId), "", fields, true}));
}

void Machines::remove(const std::string& systemId) {
  call(transport_, {"DELETE", itemPath(systemId), "", {}, false});
}

}  // namespace maasprov::maas
