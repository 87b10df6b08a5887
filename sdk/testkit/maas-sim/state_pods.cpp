// VM host (pod) operations: list, get, compose, parameters.
#include <Poco/NumberFormatter.h>

#include <algorithm>
#include <set>

#include "render.hpp"
#include "state.hpp"
#include "storage_spec.hpp"

namespace maassim {

namespace {

// NETWORKING_CONSTRAINT_NAMES in MAAS.
const std::set<std::string> kInterfaceKeys = {"id",
                                              "not_id",
                                              "fabric",
                                              "not_fabric",
                                              "fabric_class",
                                              "not_fabric_class",
                                              "ip",
                                              "not_ip",
                                              "mode",
                                              "name",
                                              "not_name",
                                              "hostname",
                                              "not_hostname",
                                              "subnet",
                                              "not_subnet",
                                              "space",
                                              "not_space",
                                              "subnet_cidr",
                                              "not_subnet_cidr",
                                              "type",
                                              "vlan",
                                              "not_vlan",
                                              "vid",
                                              "not_vid",
                                              "tag",
                                              "not_tag",
                                              "link_speed"};

const char* const kInvalidChoice =
    "Select a valid choice. That choice is not one of the available choices.";

// Python's str() of an over-commit ratio (1.0, 2.5).
std::string PyRatio(double v) {
  std::string s = Poco::NumberFormatter::format(v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

int IntField(const Params& p, const std::string& key, int def, int min, int max) {
  if (!p.Has(key) || p.Get(key).empty()) return def;
  std::string v = p.Get(key);
  long long n = 0;
  try {
    size_t used = 0;
    n = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(key);
  } catch (const std::logic_error&) {
    throw ApiError(400, FieldError(key, "Enter a whole number."), true);
  }
  if (n < min)
    throw ApiError(400,
                   FieldError(key, "Ensure this value is greater than or equal to " +
                                       std::to_string(min) + "."),
                   true);
  if (n > max)
    throw ApiError(
        400,
        FieldError(key, "Ensure this value is less than or equal to " + std::to_string(max) + "."),
        true);
  return static_cast<int>(n);
}

struct DiskRequest {
  std::string label;
  uint64_t size = 0;
  std::string pool_tag;
};

struct NicRequest {
  std::string label;
  std::map<std::string, std::string> constraints;
};

// "label:key=value,key=value;label2:key=value" (LabeledConstraintMap).
std::vector<NicRequest> ParseInterfaces(const std::string& spec) {
  std::vector<NicRequest> out;
  std::string bad = FieldError("interfaces", "Invalid interfaces constraint: '" + spec + "'.");
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(';', start);
    std::string part =
        spec.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? spec.size() + 1 : end + 1;
    if (part.empty()) continue;
    auto colon = part.find(':');
    if (colon == std::string::npos || colon == 0) throw ApiError(400, bad, true);
    NicRequest nic;
    nic.label = part.substr(0, colon);
    std::string rest = part.substr(colon + 1);
    size_t pos = 0;
    while (pos <= rest.size()) {
      size_t comma = rest.find(',', pos);
      std::string kv =
          rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      pos = comma == std::string::npos ? rest.size() + 1 : comma + 1;
      auto eq = kv.find('=');
      if (eq == std::string::npos) throw ApiError(400, bad, true);
      std::string key = kv.substr(0, eq);
      if (!kInterfaceKeys.count(key))
        throw ApiError(400, FieldError("interfaces", "Unknown interfaces constraint: '" + key),
                       true);
      nic.constraints[key] = kv.substr(eq + 1);
    }
    out.push_back(nic);
  }
  return out;
}

bool HostInterfaceMatches(const World& w, const Interface& i, const NicRequest& nic) {
  auto sit = w.subnets.find(i.subnet_id);
  const Subnet* s = sit == w.subnets.end() ? nullptr : &sit->second;
  for (const auto& [key, value] : nic.constraints) {
    if (key == "name" && i.name != value) return false;
    if (key == "type" && i.type != value) return false;
    if (key == "mode" || key == "ip" || key.rfind("not_", 0) == 0 || key == "link_speed") continue;
    if (key == "id" && std::to_string(i.id) != value) return false;
    if (key == "tag" && std::find(i.tags.begin(), i.tags.end(), value) == i.tags.end())
      return false;
    if (!s && (key == "subnet" || key == "subnet_cidr" || key == "space" || key == "fabric" ||
               key == "vid" || key == "vlan"))
      return false;
    if (key == "subnet_cidr" && s->cidr != value) return false;
    if (key == "subnet" && s->cidr != value && s->name != value && std::to_string(s->id) != value &&
        value != "cidr:" + s->cidr && value != "name:" + s->name)
      return false;
    if (key == "space" && s->space != value) return false;
    if (key == "fabric" && "fabric-" + std::to_string(s->fabric_id) != value) return false;
    if (key == "vid" && std::to_string(s->vid) != value) return false;
    if (key == "vlan" && std::to_string(s->vlan_id) != value &&
        "vid:" + std::to_string(s->vid) != value)
      return false;
  }
  if (auto ip = nic.constraints.find("ip"); ip != nic.constraints.end()) {
    uint32_t v = 0;
    if (!s || !ParseIpv4(ip->second, v)) return false;
    uint32_t mask = ~uint32_t{0} << (32 - s->prefix);
    if ((v & mask) != s->network) return false;
  }
  return true;
}

std::string PetName(World& w) {
  static const char* kAdjectives[] = {"able", "brave", "calm",  "eager", "fair",  "glad",
                                      "keen", "lucid", "merry", "noble", "proud", "quick"};
  static const char* kAnimals[] = {"otter", "heron", "lynx",  "moose", "quail", "raven",
                                   "stoat", "tapir", "viper", "wren",  "yak",   "zebu"};
  for (;;) {
    std::string id = w.NewSystemId();  // seeded, so names are reproducible
    std::string name = std::string(kAdjectives[static_cast<unsigned char>(id[0]) % 12]) + "-" +
                       kAnimals[static_cast<unsigned char>(id[1]) % 12] + "-" + id.substr(2, 2);
    if (!w.FindMachineByHostname(name)) return name;
  }
}

}  // namespace

VmHost& State::VmHostOr404(const std::string& id) {
  auto it = w_.vm_hosts.end();
  try {
    size_t used = 0;
    int n = std::stoi(id, &used);
    if (used == id.size()) it = w_.vm_hosts.find(n);
  } catch (const std::logic_error&) {
  }
  if (it == w_.vm_hosts.end()) throw ApiError(404, "No Pod matches the given query.");
  return it->second;
}

std::string State::ListVmHosts(const std::string& collection) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  std::map<int, VmHostUsage> usage = w_.UsageByHost();  // one pass over the machines
  std::string out;
  JsonWriter j(out);
  RenderContext ctx(w_);
  j.BeginArray();
  for (const auto& [id, h] : w_.vm_hosts) WriteVmHost(j, ctx, h, usage[id], collection);
  j.EndArray();
  return out;
}

std::string State::GetVmHost(const std::string& id, const std::string& collection) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  return RenderVmHost(w_, VmHostOr404(id), collection);
}

std::string State::VmHostParameters(const std::string& id) {
  std::lock_guard lock(mu_);
  const VmHost& h = VmHostOr404(id);
  std::string out;
  JsonWriter j(out);
  j.BeginObject();
  j.Key("certificate").Str("");
  j.Key("key").Str("");
  j.Key("password").Str("");
  j.Key("power_address").Str(h.power_address);
  j.Key("project").Str(h.project);
  j.EndObject();
  return out;
}

std::string State::Compose(const std::string& id, const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = ComposeLocked(VmHostOr404(id), p, false);
  std::string out;
  JsonWriter j(out);
  j.BeginObject();
  j.Key("resource_uri").Str(std::string(kApiRoot) + "machines/" + m.system_id + "/");
  j.Key("system_id").Str(m.system_id);
  j.EndObject();
  return out;
}

Machine* State::ComposeForAllocate(const Params& p) {
  // Which VM hosts may serve: zone, tags (the host must carry all), not_tags, pod, pod_type.
  auto tags = p.GetAll("tags");
  auto not_tags = p.GetAll("not_tags");
  auto has = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  // get_allocated_composed_machine: lists (name__in, power_type__in) in current MAAS; MAAS 3.2's
  // CharFields hold the last value only.
  auto pod_values = [&](const std::string& key) {
    std::vector<std::string> out;
    if (!w_.pod_constraints_pods_only) {
      for (const auto& v : p.GetAll(key))
        if (!v.empty()) out.push_back(v);
    } else if (!p.Get(key).empty()) {
      out.push_back(p.Get(key));
    }
    return out;
  };
  Params compose;
  auto min_of = [&p](const std::string& key) {
    double best = -1;
    for (const auto& v : p.GetAll(key)) {
      double d = std::strtod(v.c_str(), nullptr);
      best = best < 0 ? d : std::min(best, d);
    }
    return best;
  };
  if (double c = min_of("cpu_count"); c > 0)
    compose.Add("cores", std::to_string(static_cast<int>(c)));
  if (double m = min_of("mem"); m > 0) compose.Add("memory", std::to_string(static_cast<int>(m)));
  if (p.Has("storage")) compose.Add("storage", p.Get("storage"));
  if (p.Has("interfaces")) compose.Add("interfaces", p.Get("interfaces"));
  for (auto& [id, host] : w_.vm_hosts) {
    if (p.Has("zone") && w_.zones.at(host.zone_id).name != p.Get("zone")) continue;
    if (!tags.empty() && !std::all_of(tags.begin(), tags.end(),
                                      [&](const std::string& t) { return has(host.tags, t); }))
      continue;
    if (!not_tags.empty() && std::all_of(not_tags.begin(), not_tags.end(),
                                         [&](const std::string& t) { return has(host.tags, t); }))
      continue;
    if (!pod_values("pod").empty() && !has(pod_values("pod"), host.name)) continue;
    if (!pod_values("pod_type").empty() && !has(pod_values("pod_type"), host.type)) continue;
    if (has(pod_values("not_pod"), host.name) || has(pod_values("not_pod_type"), host.type))
      continue;
    try {
      return &ComposeLocked(host, compose, true);
    } catch (const ApiError&) {
      continue;  // as MAAS: try the next VM host
    }
  }
  return nullptr;
}

Machine& State::ComposeLocked(VmHost& host, const Params& p, bool dynamic) {
  // Form validation first (400 with field errors), as ComposeMachineForm does.
  int cores = IntField(p, "cores", 1, 1, host.cores);
  int memory = IntField(p, "memory", 2048, 1024, static_cast<int>(host.memory));
  std::string hostname = p.Get("hostname");
  if (!hostname.empty()) {
    if (!ValidHostname(hostname))
      throw ApiError(400, FieldError("hostname", "Invalid hostname: " + hostname), true);
    if (w_.FindMachineByHostname(hostname))
      throw ApiError(
          400, FieldError("hostname", "Node with hostname \"" + hostname + "\" already exists"),
          true);
  }
  auto model_choice = [&p](const std::string& key, auto& map, int def) {
    if (!p.Has(key) || p.Get(key).empty()) return def;
    try {
      size_t used = 0;
      int v = std::stoi(p.Get(key), &used);
      if (used == p.Get(key).size() && map.count(v)) return v;
    } catch (const std::logic_error&) {
    }
    throw ApiError(400, FieldError(key, kInvalidChoice), true);
  };
  // Unspecified zone means MAAS's default zone, not the VM host's zone.
  const Zone* default_zone = w_.FindZoneByName("default");
  int zone_id = model_choice("zone", w_.zones, default_zone ? default_zone->id : host.zone_id);
  int pool_id = model_choice("pool", w_.pools, host.pool_id);
  int domain_id = model_choice("domain", w_.domains, w_.DefaultDomain().id);

  std::string storage = p.Get("storage");
  if (storage.empty()) storage = "root:8(local)";
  auto parts = ParseStorageSpec(storage);
  if (!parts)
    throw ApiError(400, FieldError("storage", "Malformed storage constraint, \"" + storage + "\"."),
                   true);
  std::vector<DiskRequest> disks;
  for (const auto& part : *parts)
    disks.push_back({part.label, static_cast<uint64_t>(part.size_gb * 1e9), part.tags});
  std::vector<NicRequest> nics;
  if (!p.Get("interfaces").empty()) nics = ParseInterfaces(p.Get("interfaces"));
  // Django's BooleanField: anything but "", "false", "False" and "0" is true.
  const std::string skip_text = p.Get("skip_commissioning");
  bool skip = dynamic || !(skip_text.empty() || skip_text == "false" || skip_text == "False" ||
                           skip_text == "0");

  // Over-commit: total x ratio - used must cover the request (Pod.check_over_commit_ratios).
  VmHostUsage usage = w_.Usage(host);
  std::string message;
  if (host.cores * host.cpu_over_commit_ratio - (usage.cores + cores) < 0)
    message = "CPU overcommit ratio is " + PyRatio(host.cpu_over_commit_ratio) + " and there are " +
              std::to_string(host.cores - usage.cores) + " available resources; " +
              std::to_string(cores) + " requested.";
  if (host.memory * host.memory_over_commit_ratio - (usage.memory + memory) < 0)
    message += "Memory overcommit ratio is " + PyRatio(host.memory_over_commit_ratio) +
               " and there are " + std::to_string(host.memory - usage.memory) +
               " available resources; " + std::to_string(memory) + " requested.";
  if (!message.empty())
    throw ApiError(503, "Unable to compose KVM instance in '" + host.name + "'. " + message);

  // Storage pools are never over-committed.
  std::map<std::string, uint64_t> wanted;
  std::vector<std::string> disk_pool;
  for (size_t i = 0; i < disks.size(); ++i) {
    const StoragePool* pool = nullptr;
    for (const auto& sp : host.storage_pools)
      if ((disks[i].pool_tag.empty() || disks[i].pool_tag == "local")
              ? sp.is_default
              : sp.name == disks[i].pool_tag)
        pool = &sp;
    if (!pool)
      throw ApiError(503, "Unable to compose machine because: storage pool '" + disks[i].pool_tag +
                              "' does not exist on '" + host.name + "'.");
    wanted[pool->id] += disks[i].size;
    uint64_t used = usage.per_pool.count(pool->id) ? usage.per_pool.at(pool->id) : 0;
    if (used + wanted[pool->id] > pool->total)
      throw ApiError(503, "Unable to compose machine because: not enough space for disk " +
                              std::to_string(i) + ".");
    disk_pool.push_back(pool->id);
  }

  // Interfaces attach to the host's matching interface (bridges preferred).
  const Machine& backing = w_.machines.at(host.host_machine_id);
  std::vector<Interface> vm_ifaces;
  auto pick = [&](const NicRequest* nic) -> const Interface* {
    const Interface* found = nullptr;
    for (const auto& i : backing.interfaces) {
      if (nic && !HostInterfaceMatches(w_, i, *nic)) continue;
      if (!nic && i.subnet_id < 0) continue;
      if (!found || (i.type == "bridge" && found->type != "bridge")) found = &i;
    }
    return found;
  };
  if (nics.empty()) {
    const Interface* attach = pick(nullptr);
    Interface vi;
    vi.name = "eth0";
    vi.subnet_id = attach ? attach->subnet_id : -1;
    vm_ifaces.push_back(vi);
  } else {
    for (size_t n = 0; n < nics.size(); ++n) {
      const Interface* attach = pick(&nics[n]);
      if (!attach) throw ApiError(400, "This pod does not match the specified networks.");
      Interface vi;
      const std::string& label = nics[n].label;
      vi.name = std::all_of(label.begin(), label.end(), ::isdigit) ? "eth" + label : label;
      vi.subnet_id = attach->subnet_id;
      if (auto ip = nics[n].constraints.find("ip"); ip != nics[n].constraints.end()) {
        vi.ip = ip->second;
        vi.ip_mode = "static";
      }
      vm_ifaces.push_back(vi);
    }
  }
  std::vector<std::string> claimed;
  for (const auto& vi : vm_ifaces) {
    if (vi.ip.empty()) continue;
    if (!w_.ClaimIp(vi.subnet_id, vi.ip)) {
      for (const auto& ip : claimed) w_.ReleaseIp(ip);
      throw ApiError(409, "The IP address " + vi.ip + " is already in use.");
    }
    claimed.push_back(vi.ip);
  }

  Machine m;
  m.id = w_.NextMachineId();
  m.system_id = w_.NewSystemId();
  m.hostname = hostname.empty() ? PetName(w_) : hostname;
  m.domain_id = domain_id;
  m.zone_id = zone_id;
  m.pool_id = pool_id;
  m.cpu_count = cores;
  m.memory = memory;
  m.power_type = "lxd";
  m.pod_id = host.id;
  m.tags = host.tags;  // MAAS copies the VM host's tags onto composed machines
  for (const auto& t : m.tags)
    if (!w_.tags.count(t)) w_.tags[t] = Tag{t, "", "", ""};
  for (size_t i = 0; i < disks.size(); ++i) {
    BlockDevice d;
    d.id = w_.NextBlockId();
    d.name = "sd" + std::string(1, static_cast<char>('a' + i % 26));
    d.size = disks[i].size;
    d.storage_pool = disk_pool[i];
    m.disks.push_back(d);
  }
  for (auto& vi : vm_ifaces) {
    vi.id = w_.NextInterfaceId();
    vi.mac = w_.NewMac();
    m.interfaces.push_back(vi);
  }
  if (skip) {
    m.status = kReady;
  } else {
    m.status = kCommissioning;
    m.status_message = "Commissioning";
    m.power_state = "on";
  }
  m.dynamic = dynamic;
  auto [it, inserted] = w_.machines.emplace(m.id, std::move(m));
  (void)inserted;
  w_.Index(it->second);
  if (!skip) {
    w_.Schedule(it->second, host.fail_next_commissioning ? kFailedCommissioning : kReady,
                w_.timings.commission_seconds);
    host.fail_next_commissioning = false;
  }
  return it->second;
}

}  // namespace maassim
