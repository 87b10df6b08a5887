#include "framework/maas/vm_hosts.hpp"

#include <stdexcept>

#include "framework/maas/call.hpp"
#include "framework/maas/json_fields.hpp"

namespace maasprov::maas {
namespace {

VmHostResources parseResources(const Poco::JSON::Object::Ptr& o, const std::string& key,
                               const std::string& what) {
  VmHostResources r;
  if (const auto nested = json::object(o, key, what)) {
    const std::string w = what + " " + key;
    r.cores = json::integer(nested, "cores", w);
    r.memory = json::integer(nested, "memory", w);
    r.localStorage = json::integer(nested, "local_storage", w);
  }
  return r;
}

void checkToken(const std::string& field, const std::string& value, const std::string& forbidden) {
  if (value.empty() || value.find_first_of(forbidden) != std::string::npos) {
    throw std::invalid_argument(field + ": expected a non-empty value without any of \"" +
                                forbidden + "\", got '" + value + "'");
  }
}

std::string hostPath(std::int64_t id) {
  return "vm-hosts/" + std::to_string(id) + "/";
}

}  // namespace

VmHost parseVmHost(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  VmHost h;
  h.id = json::requiredInteger(o, "id", what);
  const std::string w = what + " " + std::to_string(h.id);
  h.name = json::string(o, "name", w);
  h.type = json::string(o, "type", w);
  if (const auto zone = json::object(o, "zone", w)) h.zone = parseZone(zone, w + " zone");
  if (const auto pool = json::object(o, "pool", w)) h.pool = parseResourcePool(pool, w + " pool");
  h.tags = json::strings(o, "tags", w);
  if (const auto host = json::object(o, "host", w))
    h.hostSystemId = json::string(host, "system_id", w);
  h.project = json::string(o, "project", w);
  h.total = parseResources(o, "total", w);
  h.used = parseResources(o, "used", w);
  h.available = parseResources(o, "available", w);
  h.cpuOverCommitRatio = json::number(o, "cpu_over_commit_ratio", w, 1.0);
  h.memoryOverCommitRatio = json::number(o, "memory_over_commit_ratio", w, 1.0);
  for (const auto& p : json::objects(json::array(o, "storage_pools", w), w + " storage pool")) {
    const std::string pw = w + " storage pool";
    StoragePool pool;
    pool.id = json::string(p, "id", pw);
    pool.name = json::requiredString(p, "name", pw);
    pool.type = json::string(p, "type", pw);
    pool.path = json::string(p, "path", pw);
    pool.total = json::integer(p, "total", pw);
    pool.used = json::integer(p, "used", pw);
    pool.available = json::integer(p, "available", pw);
    pool.isDefault = json::boolean(p, "default", pw);
    h.storagePools.push_back(std::move(pool));
  }
  h.capabilities = json::strings(o, "capabilities", w);
  h.architectures = json::strings(o, "architectures", w);
  return h;
}

std::string formatStorage(const std::vector<StorageSpec>& storage) {
  std::string out;
  for (const auto& disk : storage) {
    checkToken("storage label", disk.label, ":,;()= ");
    if (disk.sizeGB <= 0) {
      throw std::invalid_argument("storage size of '" + disk.label +
                                  "': expected a positive number of GB, got " +
                                  std::to_string(disk.sizeGB));
    }
    if (!out.empty()) out += ',';
    out += disk.label + ':' + std::to_string(disk.sizeGB);
    if (!disk.pool.empty()) {
      checkToken("storage pool of '" + disk.label + "'", disk.pool, ":,;()= ");
      out += '(' + disk.pool + ')';
    }
  }
  return out;
}

std::string formatInterfaces(const std::vector<InterfaceSpec>& interfaces) {
  std::string out;
  for (const auto& nic : interfaces) {
    checkToken("interface label", nic.label, ":,;= ");
    if (nic.attributes.empty()) {
      throw std::invalid_argument("interface '" + nic.label +
                                  "': expected at least one key=value such as subnet_cidr=...");
    }
    if (!out.empty()) out += ';';
    out += nic.label + ':';
    bool first = true;
    for (const auto& [key, value] : nic.attributes) {
      checkToken("interface '" + nic.label + "' key", key, ":,;= ");
      checkToken("interface '" + nic.label + "' value of " + key, value, ",;= ");
      if (!first) out += ',';
      out += key + '=' + value;
      first = false;
    }
  }
  return out;
}

std::vector<VmHost> VmHosts::list(bool withProjects) {
  std::vector<VmHost> out;
  for (const auto& o :
       json::objects(callForArray(transport_, {"GET", "vm-hosts/", "", {}, false}), "VM host")) {
    out.push_back(parseVmHost(o));
  }
  if (withProjects) {
    for (auto& host : out) host.project = parameters(host.id).project;
  }
  return out;
}

VmHost VmHosts::get(std::int64_t id, bool withProject) {
  VmHost host = parseVmHost(callForObject(transport_, {"GET", hostPath(id), "", {}, false}));
  if (withProject) host.project = parameters(id).project;
  return host;
}

VmHostParameters VmHosts::parameters(std::int64_t id) {
  const auto o = callForObject(transport_, {"GET", hostPath(id), "parameters", {}, false});
  const std::string what = "VM host " + std::to_string(id) + " parameters";
  return VmHostParameters{json::string(o, "power_address", what), json::string(o, "project", what)};
}

ComposedMachine VmHosts::compose(std::int64_t id, const ComposeRequest& r) {
  Request request{"POST", hostPath(id), "compose", {}, false};
  Params& p = request.params;
  if (r.cores) p.emplace_back("cores", std::to_string(*r.cores));
  if (r.memory) p.emplace_back("memory", std::to_string(*r.memory));
  if (r.cpuSpeed) p.emplace_back("cpu_speed", std::to_string(*r.cpuSpeed));
  if (!r.architecture.empty()) p.emplace_back("architecture", r.architecture);
  if (!r.storage.empty()) p.emplace_back("storage", formatStorage(r.storage));
  if (!r.interfaces.empty()) p.emplace_back("interfaces", formatInterfaces(r.interfaces));
  if (!r.hostname.empty()) p.emplace_back("hostname", r.hostname);
  if (r.zoneId) p.emplace_back("zone", std::to_string(*r.zoneId));
  if (r.poolId) p.emplace_back("pool", std::to_string(*r.poolId));
  if (r.domainId) p.emplace_back("domain", std::to_string(*r.domainId));
  if (r.skipCommissioning)
    p.emplace_back("skip_commissioning", *r.skipCommissioning ? "true" : "false");
  const auto o = callForObject(transport_, request);
  const std::string what = "VM host " + std::to_string(id) + " compose response";
  return ComposedMachine{json::requiredString(o, "system_id", what),
                         json::string(o, "resource_uri", what)};
}

}  // namespace maasprov::maas
