#include "vm_hosts.hpp"

#include <algorithm>
#include <iterator>
#include <unordered_set>

#include "maasprov/error.hpp"

namespace maasprov::lxd {
namespace {

int64_t intOf(const json::Value* o, const char* key) {
  const json::Value* v = o == nullptr ? nullptr : o->find(key);
  if (v == nullptr || !v->isNumber()) return 0;
  return v->isInt() ? v->asInt() : static_cast<int64_t>(v->asDouble());
}

double doubleOf(const json::Value& o, const char* key, double fallback) {
  const json::Value* v = o.find(key);
  return v != nullptr && v->isNumber() ? v->asDouble() : fallback;
}

std::string stringOf(const json::Value* o, const char* key) {
  const json::Value* v = o == nullptr ? nullptr : o->find(key);
  return v != nullptr && v->isString() ? v->asString() : std::string();
}

std::vector<std::string> strings(const json::Value* list) {
  std::vector<std::string> out;
  if (list == nullptr || !list->isArray()) return out;
  for (const auto& t : list->asArray()) {
    if (t.isString()) out.push_back(t.asString());
  }
  return out;
}

json::Value listOrThrow(const MaasResponse& r) {
  r.expectOk();
  json::Value list = r.json();
  if (!list.isArray()) {
    throw PluginError(ErrorType::Transient, "MAAS answered " + r.what + " with a " +
                                                json::typeName(list.type()) + ", not a list");
  }
  return list;
}

}  // namespace

bool VmHostInfo::hasTag(const std::string& t) const {
  return std::find(tags.begin(), tags.end(), t) != tags.end();
}

const StoragePoolInfo* VmHostInfo::storagePool(const std::string& name) const {
  for (const auto& p : storagePools) {
    if (name.empty() ? p.isDefault : p.name == name) return &p;
  }
  return nullptr;
}

bool VmHostInfo::hasInterface(const std::string& name, bool bridgeOnly) const {
  for (const auto& [n, type] : backing.interfaces) {
    if (n == name && (!bridgeOnly || type == "bridge")) return true;
  }
  return false;
}

std::string VmHostInfo::defaultBridge() const {
  for (const auto& [n, type] : backing.interfaces) {
    if (type == "bridge") return n;
  }
  return {};
}

std::string VmHostInfo::poolNames() const {
  std::string out;
  for (const auto& p : storagePools) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? "none" : out;
}

VmHostInfo VmHostInfo::fromJson(const json::Value& v) {
  const json::Value* id = v.find("id");
  if (!v.isObject() || id == nullptr || !id->isInt()) {
    throw PluginError(ErrorType::Transient, "MAAS listed a VM host without an integer \"id\"");
  }
  VmHostInfo h;
  h.id = static_cast<int>(id->asInt());
  h.name = stringOf(&v, "name");
  h.type = stringOf(&v, "type");
  h.zone = stringOf(v.find("zone"), "name");
  h.zoneId = static_cast<int>(intOf(v.find("zone"), "id"));
  h.pool = stringOf(v.find("pool"), "name");
  h.poolId = static_cast<int>(intOf(v.find("pool"), "id"));
  h.tags = strings(v.find("tags"));
  h.totalCores = intOf(v.find("total"), "cores");
  h.usedCores = intOf(v.find("used"), "cores");
  h.totalMemoryMB = intOf(v.find("total"), "memory");
  h.usedMemoryMB = intOf(v.find("used"), "memory");
  h.cpuOverCommit = doubleOf(v, "cpu_over_commit_ratio", 1.0);
  h.memoryOverCommit = doubleOf(v, "memory_over_commit_ratio", 1.0);
  if (const json::Value* pools = v.find("storage_pools"); pools != nullptr && pools->isArray()) {
    for (const auto& p : pools->asArray()) {
      StoragePoolInfo sp;
      sp.name = stringOf(&p, "name");
      sp.totalBytes = intOf(&p, "total");
      sp.usedBytes = intOf(&p, "used");
      sp.availableBytes = intOf(&p, "available");
      const json::Value* d = p.find("default");
      sp.isDefault = d != nullptr && d->isBool() && d->asBool();
      h.storagePools.push_back(sp);
    }
  }
  h.hostSystemId = stringOf(v.find("host"), "system_id");
  return h;
}

std::vector<VmHostInfo> listVmHosts(const MaasClient& maas) {
  json::Value list = listOrThrow(maas.get("vm-hosts/"));
  std::vector<VmHostInfo> out;
  out.reserve(list.asArray().size());
  for (const auto& v : list.asArray()) out.push_back(VmHostInfo::fromJson(v));
  return out;
}

std::unordered_map<std::string, BackingMachine> readBackingMachines(
    const MaasClient& maas, const std::vector<std::string>& systemIds) {
  constexpr size_t kBatch = 100;  // keeps the query string short
  std::unordered_map<std::string, BackingMachine> out;
  for (const auto& id : systemIds) out[id].systemId = id;  // known stays false unless listed
  for (size_t start = 0; start < systemIds.size(); start += kBatch) {
    Params p;
    size_t end = std::min(systemIds.size(), start + kBatch);
    for (size_t i = start; i < end; ++i) p.emplace_back("id", systemIds[i]);
    json::Value list = listOrThrow(maas.get("machines/", p));
    for (const auto& m : list.asArray()) {
      auto it = out.find(stringOf(&m, "system_id"));
      if (it == out.end()) continue;
      BackingMachine& b = it->second;
      b.known = true;
      b.statusName = stringOf(&m, "status_name");
      b.powerState = stringOf(&m, "power_state");
      b.tags = strings(m.find("tag_names"));
      b.interfaces.clear();
      if (const json::Value* ifs = m.find("interface_set"); ifs != nullptr && ifs->isArray()) {
        for (const auto& i : ifs->asArray()) {
          b.interfaces.emplace_back(stringOf(&i, "name"), stringOf(&i, "type"));
        }
      }
    }
  }
  return out;
}

void fillProject(const MaasClient& maas, VmHostInfo& host) {
  MaasResponse r = maas.getOp("vm-hosts/" + std::to_string(host.id) + "/", "parameters");
  r.expectOk();
  json::Value params = r.json();
  host.project = stringOf(&params, "project");
  if (host.project.empty()) host.project = "default";  // LXD's own default project
}

bool ProjectCache::fill(const MaasClient& maas, VmHostInfo& host, bool fresh) {
  if (!fresh) {
    std::lock_guard lock(mu_);
    auto it = projects_.find(host.id);
    if (it != projects_.end() && std::chrono::steady_clock::now() - it->second.readAt < kTtl) {
      host.project = it->second.project;
      return true;
    }
  }
  try {
    fillProject(maas, host);
  } catch (const PluginError&) {
    forget(host.id);  // e.g. 404: the host is gone
    throw;
  }
  std::lock_guard lock(mu_);
  projects_[host.id] = Entry{host.project, std::chrono::steady_clock::now()};
  return false;
}

std::string ProjectCache::get(const MaasClient& maas, int hostId) {
  VmHostInfo h;
  h.id = hostId;
  fill(maas, h);
  return h.project;
}

void ProjectCache::retain(const std::vector<VmHostInfo>& listed) {
  std::unordered_set<int> ids;
  ids.reserve(listed.size());
  for (const auto& h : listed) ids.insert(h.id);
  std::lock_guard lock(mu_);
  for (auto it = projects_.begin(); it != projects_.end();) {
    it = ids.count(it->first) != 0 ? std::next(it) : projects_.erase(it);
  }
}

void ProjectCache::forget(int hostId) {
  std::lock_guard lock(mu_);
  projects_.erase(hostId);
}

size_t ProjectCache::size() const {
  std::lock_guard lock(mu_);
  return projects_.size();
}

bool BackingMachineCache::fill(const MaasClient& maas, std::vector<VmHostInfo>& hosts, bool fresh) {
  std::vector<std::string> ids;
  {
    std::unordered_set<std::string> seen;
    for (const auto& h : hosts) {
      if (!h.hostSystemId.empty() && seen.insert(h.hostSystemId).second) {
        ids.push_back(h.hostSystemId);
      }
    }
  }
  std::unordered_map<std::string, BackingMachine> got;
  bool cached = false;
  if (fresh) {
    const Clock::time_point sentAt = Clock::now();
    got = readBackingMachines(maas, ids);
    std::lock_guard lock(mu_);
    storeLocked(got, sentAt);
  } else {
    std::unique_lock lock(mu_);
    // Once this call waits, an entry stored after that is the read it waited for (or a later
    // one): taken even when the TTL is 0, so concurrent callers share reads in flight.
    uint64_t sharedAfter = UINT64_MAX;
    while (got.size() < ids.size()) {
      std::vector<std::string> mine;
      bool wait = false;
      const Clock::time_point now = Clock::now();
      for (const auto& id : ids) {
        if (got.count(id) != 0) continue;
        auto it = machines_.find(id);
        if (it != machines_.end() && it->second.seq > sharedAfter) {
          got.emplace(id, it->second.machine);  // read while this call waited: not "cached"
        } else if (it != machines_.end() && now - it->second.readAt < ttl_) {
          got.emplace(id, it->second.machine);
          cached = true;
        } else if (reading_.count(id) != 0) {
          wait = true;
        } else {
          mine.push_back(id);
        }
      }
      if (wait && sharedAfter == UINT64_MAX) sharedAfter = storeSeq_;
      if (!mine.empty()) {
        reading_.insert(mine.begin(), mine.end());
        lock.unlock();
        const Clock::time_point sentAt = Clock::now();
        std::unordered_map<std::string, BackingMachine> read;
        try {
          read = readBackingMachines(maas, mine);
        } catch (...) {
          lock.lock();
          for (const auto& id : mine) reading_.erase(id);
          readDone_.notify_all();  // waiters read these ids themselves
          throw;
        }
        lock.lock();
        for (const auto& id : mine) reading_.erase(id);
        storeLocked(read, sentAt);
        readDone_.notify_all();
        for (auto& [id, m] : read) got.emplace(id, std::move(m));
      } else if (wait) {
        readDone_.wait(lock);
      }
    }
  }
  for (auto& h : hosts) {
    if (h.hostSystemId.empty()) continue;
    auto it = got.find(h.hostSystemId);
    if (it != got.end()) h.backing = it->second;
  }
  return cached;
}

void BackingMachineCache::storeLocked(const std::unordered_map<std::string, BackingMachine>& read,
                                      Clock::time_point sentAt) {
  for (const auto& [id, m] : read) {
    Entry& e = machines_[id];
    if (e.seq != 0 && e.readAt > sentAt) continue;  // a later read's answer is stored already
    e = Entry{m, sentAt, ++storeSeq_};
  }
}

void BackingMachineCache::retain(const std::vector<VmHostInfo>& listed) {
  std::unordered_set<std::string> ids;
  ids.reserve(listed.size());
  for (const auto& h : listed) ids.insert(h.hostSystemId);
  std::lock_guard lock(mu_);
  for (auto it = machines_.begin(); it != machines_.end();) {
    it = ids.count(it->first) != 0 ? std::next(it) : machines_.erase(it);
  }
}

void BackingMachineCache::forget(const std::string& systemId) {
  std::lock_guard lock(mu_);
  machines_.erase(systemId);
}

size_t BackingMachineCache::size() const {
  std::lock_guard lock(mu_);
  return machines_.size();
}

}  // namespace maasprov::lxd
