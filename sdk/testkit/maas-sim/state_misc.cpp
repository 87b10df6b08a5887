// DNS resources, domains, zones, resource pools, subnets, tags and the state dump.
#include <Poco/Net/IPAddress.h>

#include <algorithm>
#include <sstream>

#include "render.hpp"
#include "state.hpp"

namespace maassim {

namespace {

int ToId(const std::string& s) {
  try {
    size_t used = 0;
    int v = std::stoi(s, &used);
    if (used == s.size()) return v;
  } catch (const std::logic_error&) {
  }
  return -1;
}

std::vector<std::string> SplitWs(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::istringstream in(v);
    std::string ip;
    while (in >> ip) out.push_back(ip);
  }
  return out;
}

// A JSON array of every object in `map`, each written by write(writer, object).
template <typename Map, typename Fn>
std::string ListOf(const Map& map, Fn write) {
  std::string out;
  JsonWriter j(out);
  j.BeginArray();
  for (const auto& [id, obj] : map) write(j, obj);
  j.EndArray();
  return out;
}

// One object as a JSON document, written by write(writer).
template <typename Fn>
std::string One(Fn write) {
  std::string out;
  JsonWriter j(out);
  write(j);
  return out;
}

}  // namespace

DnsResource& State::DnsOr404(const std::string& id) {
  auto it = w_.dns.find(ToId(id));
  if (it == w_.dns.end()) throw ApiError(404, "No DNSResource matches the given query.");
  return it->second;
}

std::string State::ListDnsResources(const Params& p) {
  std::lock_guard lock(mu_);
  std::string name = p.Get("name"), domain = p.Get("domain");
  if (p.Has("fqdn")) {
    std::string fqdn = p.Get("fqdn");
    auto dot = fqdn.find('.');
    name = dot == std::string::npos ? fqdn : fqdn.substr(0, dot);
    domain = dot == std::string::npos ? "" : fqdn.substr(dot + 1);
    if (domain.empty()) domain = w_.DefaultDomain().name;
  }
  std::string out;
  JsonWriter j(out);
  j.BeginArray();
  for (const auto& [id, d] : w_.dns) {
    if (!name.empty() && d.name != name) continue;
    if (!domain.empty() && w_.domains.at(d.domain_id).name != domain) continue;
    WriteDnsResource(j, w_, d);
  }
  j.EndArray();
  return out;
}

std::string State::GetDnsResource(const std::string& id) {
  std::lock_guard lock(mu_);
  return One([&](JsonWriter& j) { WriteDnsResource(j, w_, DnsOr404(id)); });
}

namespace {

// Applies name/domain/fqdn, address_ttl and ip_addresses from `p` onto `d`.
void ApplyDnsParams(const World& w, const Params& p, DnsResource& d, bool creating) {
  if (p.Has("fqdn")) {
    std::string fqdn = p.Get("fqdn");
    auto dot = fqdn.find('.');
    if (dot == std::string::npos || dot == 0)
      throw ApiError(400, FieldError("fqdn", "Invalid FQDN: " + fqdn), true);
    const Domain* dom = w.FindDomainByName(fqdn.substr(dot + 1));
    if (!dom)
      throw ApiError(400, FieldError("domain", "Domain matching query does not exist."), true);
    d.name = fqdn.substr(0, dot);
    d.domain_id = dom->id;
  } else {
    if (p.Has("name")) d.name = p.Get("name");
    if (p.Has("domain")) {
      const Domain* dom = w.FindDomainByName(p.Get("domain"));
      if (!dom) {
        auto it = w.domains.find(ToId(p.Get("domain")));
        if (it == w.domains.end())
          throw ApiError(400,
                         FieldError("domain",
                                    "Select a valid choice. That choice is not "
                                    "one of the available choices."),
                         true);
        dom = &it->second;
      }
      d.domain_id = dom->id;
    } else if (creating) {
      d.domain_id = w.DefaultDomain().id;
    }
  }
  if (d.name.empty()) throw ApiError(400, FieldError("name", "This field is required."), true);
  if (p.Has("address_ttl")) {
    std::string ttl = p.Get("address_ttl");
    if (ttl.empty())
      d.address_ttl.reset();
    else if (ToId(ttl) < 0)
      throw ApiError(400, FieldError("address_ttl", "Enter a whole number."), true);
    else
      d.address_ttl = ToId(ttl);
  }
  if (p.Has("ip_addresses")) {
    std::vector<std::string> ips = SplitWs(p.GetAll("ip_addresses"));
    for (const auto& ip : ips) {
      uint32_t v = 0;
      Poco::Net::IPAddress v6;  // MAAS takes IPv6 (AAAA records) as well as IPv4
      bool ipv6 = ip.find(':') != std::string::npos && Poco::Net::IPAddress::tryParse(ip, v6) &&
                  v6.family() == Poco::Net::IPAddress::IPv6;
      if (!ParseIpv4(ip, v) && !ipv6)
        throw ApiError(400, FieldError("ip_addresses", "'" + ip + "' is not a valid IP address."),
                       true);
    }
    d.ip_addresses = ips;
  }
}

}  // namespace

std::string State::CreateDnsResource(const Params& p) {
  std::lock_guard lock(mu_);
  DnsResource d;
  ApplyDnsParams(w_, p, d, true);
  for (const auto& [id, other] : w_.dns)
    if (other.name == d.name && other.domain_id == d.domain_id)
      throw ApiError(400,
                     FieldError("__all__",
                                "DNSResource with this Name and Domain already "
                                "exists."),
                     true);
  d.id = w_.NextDnsId();
  w_.dns[d.id] = d;
  return One([&](JsonWriter& j) { WriteDnsResource(j, w_, w_.dns[d.id]); });
}

std::string State::UpdateDnsResource(const std::string& id, const Params& p) {
  std::lock_guard lock(mu_);
  DnsResource& d = DnsOr404(id);
  DnsResource updated = d;
  ApplyDnsParams(w_, p, updated, false);
  for (const auto& [oid, other] : w_.dns)
    if (oid != d.id && other.name == updated.name && other.domain_id == updated.domain_id)
      throw ApiError(400,
                     FieldError("__all__",
                                "DNSResource with this Name and Domain already "
                                "exists."),
                     true);
  d = updated;
  return One([&](JsonWriter& j) { WriteDnsResource(j, w_, d); });
}

void State::DeleteDnsResource(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.dns.erase(DnsOr404(id).id);
}

std::string State::ListDomains() {
  std::lock_guard lock(mu_);
  return ListOf(w_.domains, [this](JsonWriter& j, const Domain& d) { WriteDomain(j, w_, d); });
}

std::string State::GetDomain(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = w_.domains.find(ToId(id));
  if (it == w_.domains.end()) throw ApiError(404, "No Domain matches the given query.");
  return One([&](JsonWriter& j) { WriteDomain(j, w_, it->second); });
}

std::string State::ListZones() {
  std::lock_guard lock(mu_);
  return ListOf(w_.zones, WriteZone);
}

std::string State::GetZone(const std::string& name) {
  std::lock_guard lock(mu_);
  const Zone* z = w_.FindZoneByName(name);
  if (!z) throw ApiError(404, "No Zone matches the given query.");
  return One([&](JsonWriter& j) { WriteZone(j, *z); });
}

std::string State::ListPools() {
  std::lock_guard lock(mu_);
  return ListOf(w_.pools, WritePool);
}

std::string State::GetPool(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = w_.pools.find(ToId(id));
  if (it == w_.pools.end()) throw ApiError(404, "No ResourcePool matches the given query.");
  return One([&](JsonWriter& j) { WritePool(j, it->second); });
}

std::string State::ListSubnets() {
  std::lock_guard lock(mu_);
  RenderContext ctx(w_);
  return ListOf(w_.subnets, [&](JsonWriter& j, const Subnet& s) { WriteSubnet(j, ctx, s); });
}

std::string State::GetSubnet(const std::string& id) {
  std::lock_guard lock(mu_);
  for (const auto& [sid, s] : w_.subnets)
    if (std::to_string(sid) == id || s.cidr == id || "cidr:" + s.cidr == id ||
        "name:" + s.name == id)
      return One([&](JsonWriter& j) {
        RenderContext ctx(w_);
        WriteSubnet(j, ctx, s);
      });
  throw ApiError(404, "No Subnet matches the given query.");
}

std::string State::ListTags() {
  std::lock_guard lock(mu_);
  return ListOf(w_.tags, WriteTag);
}

std::string State::GetTag(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = w_.tags.find(name);
  if (it == w_.tags.end()) throw ApiError(404, "No Tag matches the given query.");
  return One([&](JsonWriter& j) { WriteTag(j, it->second); });
}

std::string State::CreateTag(const Params& p) {
  std::lock_guard lock(mu_);
  std::string name = p.Get("name");
  if (name.empty()) throw ApiError(400, FieldError("name", "This field is required."), true);
  if (w_.tags.count(name))
    throw ApiError(400, FieldError("name", "Tag with this Name already exists."), true);
  Tag t{name, p.Get("comment"), p.Get("definition"), p.Get("kernel_opts")};
  w_.tags[name] = t;
  return One([&](JsonWriter& j) { WriteTag(j, t); });
}

std::string State::TagUpdateNodes(const std::string& name, const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  auto it = w_.tags.find(name);
  if (it == w_.tags.end()) throw ApiError(404, "No Tag matches the given query.");
  // A worker with a stale definition is told so and its update dropped.
  if (p.Has("definition") && p.Get("definition") != it->second.definition)
    throw ApiError(409, "Definition supplied '" + p.Get("definition") +
                            "' doesn't match current definition '" + it->second.definition + "'");
  // As MAAS: unknown system_ids are ignored; counts are of the machines found.
  int added = 0, removed = 0;
  for (const auto& id : p.GetAll("add")) {
    Machine* m = w_.FindMachine(id);
    if (!m) continue;
    ++added;
    if (std::find(m->tags.begin(), m->tags.end(), name) == m->tags.end()) m->tags.push_back(name);
  }
  for (const auto& id : p.GetAll("remove")) {
    Machine* m = w_.FindMachine(id);
    if (!m) continue;
    ++removed;
    m->tags.erase(std::remove(m->tags.begin(), m->tags.end(), name), m->tags.end());
  }
  return One([&](JsonWriter& j) {
    j.BeginObject().Key("added").Int(added).Key("removed").Int(removed).EndObject();
  });
}

std::string State::TagMachines(const std::string& name) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  if (!w_.tags.count(name)) throw ApiError(404, "No Tag matches the given query.");
  std::string out;
  JsonWriter j(out);
  RenderContext ctx(w_);
  j.BeginArray();
  for (const auto& [id, m] : w_.machines)
    if (std::find(m.tags.begin(), m.tags.end(), name) != m.tags.end()) WriteMachine(j, ctx, m);
  j.EndArray();
  return out;
}

std::string State::Dump() {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  std::map<int, VmHostUsage> usage = w_.UsageByHost();
  std::map<int, int> vm_count;
  for (const auto& [id, m] : w_.machines)
    if (m.pod_id) ++vm_count[*m.pod_id];
  std::string out;
  JsonWriter j(out);
  j.BeginObject();
  j.Key("dns_resources").BeginArray();
  for (const auto& [id, d] : w_.dns) WriteDnsResource(j, w_, d);
  j.EndArray();
  j.Key("ip_addresses_in_use").UInt(w_.IpsInUse());
  j.Key("machines").BeginArray();
  for (const auto& [id, m] : w_.machines) {
    j.BeginObject();
    j.Key("agent_name").Str(m.agent_name);
    j.Key("fail_next_deploy").Bool(m.fail_next_deploy);
    j.Key("hostname").Str(m.hostname);
    j.Key("ip_addresses").BeginArray();
    for (const auto& i : m.interfaces)
      if (!i.ip.empty()) j.Str(i.ip);
    j.EndArray();
    j.Key("owner").StrOrNull(m.owner);
    j.Key("pod");
    if (m.pod_id)
      j.Str(w_.vm_hosts.at(*m.pod_id).name);
    else
      j.Null();
    j.Key("power_state").Str(m.power_state);
    j.Key("status").Int(m.status);
    j.Key("status_name").Str(StatusName(m.status));
    j.Key("system_id").Str(m.system_id);
    j.Key("workload_annotations").BeginObject();
    for (const auto& [k, v] : m.workload_annotations) j.Key(k).Str(v);
    j.EndObject();
    j.EndObject();
  }
  j.EndArray();
  j.Key("vm_hosts").BeginArray();
  for (const auto& [id, h] : w_.vm_hosts) {
    const VmHostUsage& u = usage[id];
    j.BeginObject();
    j.Key("id").Int(h.id);
    j.Key("name").Str(h.name);
    j.Key("used").BeginObject();
    j.Key("cores").Int(u.cores);
    j.Key("local_storage").UInt(u.local_storage);
    j.Key("memory").Int(u.memory);
    j.EndObject();
    j.Key("vm_count").Int(vm_count[id]);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return out;
}

}  // namespace maassim
