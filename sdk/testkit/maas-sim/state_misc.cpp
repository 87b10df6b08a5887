// DNS resources, domains, zones, resource pools, subnets, tags and the state dump.
#include <Poco/JSON/Array.h>
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

template <typename Map, typename Fn>
Poco::JSON::Array::Ptr ListOf(const Map& map, Fn render) {
  auto out = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& [id, obj] : map) out->add(render(obj));
  return out;
}

}  // namespace

DnsResource& State::DnsOr404(const std::string& id) {
  auto it = w_.dns.find(ToId(id));
  if (it == w_.dns.end()) throw ApiError(404, "No DNSResource matches the given query.");
  return it->second;
}

Poco::Dynamic::Var State::ListDnsResources(const Params& p) {
  std::lock_guard lock(mu_);
  std::string name = p.Get("name"), domain = p.Get("domain");
  if (p.Has("fqdn")) {
    std::string fqdn = p.Get("fqdn");
    auto dot = fqdn.find('.');
    name = dot == std::string::npos ? fqdn : fqdn.substr(0, dot);
    domain = dot == std::string::npos ? "" : fqdn.substr(dot + 1);
    if (domain.empty()) domain = w_.DefaultDomain().name;
  }
  auto out = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& [id, d] : w_.dns) {
    if (!name.empty() && d.name != name) continue;
    if (!domain.empty() && w_.domains.at(d.domain_id).name != domain) continue;
    out->add(RenderDnsResource(w_, d));
  }
  return out;
}

Poco::Dynamic::Var State::GetDnsResource(const std::string& id) {
  std::lock_guard lock(mu_);
  return RenderDnsResource(w_, DnsOr404(id));
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

Poco::Dynamic::Var State::CreateDnsResource(const Params& p) {
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
  return RenderDnsResource(w_, w_.dns[d.id]);
}

Poco::Dynamic::Var State::UpdateDnsResource(const std::string& id, const Params& p) {
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
  return RenderDnsResource(w_, d);
}

void State::DeleteDnsResource(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.dns.erase(DnsOr404(id).id);
}

Poco::Dynamic::Var State::ListDomains() {
  std::lock_guard lock(mu_);
  return ListOf(w_.domains, [this](const Domain& d) { return RenderDomain(w_, d); });
}

Poco::Dynamic::Var State::GetDomain(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = w_.domains.find(ToId(id));
  if (it == w_.domains.end()) throw ApiError(404, "No Domain matches the given query.");
  return RenderDomain(w_, it->second);
}

Poco::Dynamic::Var State::ListZones() {
  std::lock_guard lock(mu_);
  return ListOf(w_.zones, RenderZone);
}

Poco::Dynamic::Var State::GetZone(const std::string& name) {
  std::lock_guard lock(mu_);
  const Zone* z = w_.FindZoneByName(name);
  if (!z) throw ApiError(404, "No Zone matches the given query.");
  return RenderZone(*z);
}

Poco::Dynamic::Var State::ListPools() {
  std::lock_guard lock(mu_);
  return ListOf(w_.pools, RenderPool);
}

Poco::Dynamic::Var State::GetPool(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = w_.pools.find(ToId(id));
  if (it == w_.pools.end()) throw ApiError(404, "No ResourcePool matches the given query.");
  return RenderPool(it->second);
}

Poco::Dynamic::Var State::ListSubnets() {
  std::lock_guard lock(mu_);
  return ListOf(w_.subnets, RenderSubnet);
}

Poco::Dynamic::Var State::GetSubnet(const std::string& id) {
  std::lock_guard lock(mu_);
  for (const auto& [sid, s] : w_.subnets)
    if (std::to_string(sid) == id || s.cidr == id || "cidr:" + s.cidr == id ||
        "name:" + s.name == id)
      return RenderSubnet(s);
  throw ApiError(404, "No Subnet matches the given query.");
}

Poco::Dynamic::Var State::ListTags() {
  std::lock_guard lock(mu_);
  return ListOf(w_.tags, RenderTag);
}

Poco::Dynamic::Var State::GetTag(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = w_.tags.find(name);
  if (it == w_.tags.end()) throw ApiError(404, "No Tag matches the given query.");
  return RenderTag(it->second);
}

Poco::Dynamic::Var State::CreateTag(const Params& p) {
  std::lock_guard lock(mu_);
  std::string name = p.Get("name");
  if (name.empty()) throw ApiError(400, FieldError("name", "This field is required."), true);
  if (w_.tags.count(name))
    throw ApiError(400, FieldError("name", "Tag with this Name already exists."), true);
  Tag t{name, p.Get("comment"), p.Get("definition"), p.Get("kernel_opts")};
  w_.tags[name] = t;
  return RenderTag(t);
}

Poco::Dynamic::Var State::TagUpdateNodes(const std::string& name, const Params& p) {
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
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("added", added);
  o->set("removed", removed);
  return o;
}

Poco::Dynamic::Var State::TagMachines(const std::string& name) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  if (!w_.tags.count(name)) throw ApiError(404, "No Tag matches the given query.");
  auto out = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& [id, m] : w_.machines)
    if (std::find(m.tags.begin(), m.tags.end(), name) != m.tags.end())
      out->add(RenderMachine(w_, m));
  return out;
}

Poco::Dynamic::Var State::Dump() {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  auto out = Poco::makeShared<Poco::JSON::Object>();
  auto machines = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& [id, m] : w_.machines) {
    auto o = Poco::makeShared<Poco::JSON::Object>();
    o->set("system_id", m.system_id);
    o->set("hostname", m.hostname);
    o->set("status", m.status);
    o->set("status_name", StatusName(m.status));
    o->set("owner", m.owner.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(m.owner));
    o->set("agent_name", m.agent_name);
    o->set("power_state", m.power_state);
    o->set("pod",
           m.pod_id ? Poco::Dynamic::Var(w_.vm_hosts.at(*m.pod_id).name) : Poco::Dynamic::Var());
    auto ips = Poco::makeShared<Poco::JSON::Array>();
    for (const auto& i : m.interfaces)
      if (!i.ip.empty()) ips->add(i.ip);
    o->set("ip_addresses", ips);
    auto ann = Poco::makeShared<Poco::JSON::Object>();
    for (const auto& [k, v] : m.workload_annotations) ann->set(k, v);
    o->set("workload_annotations", ann);
    o->set("fail_next_deploy", m.fail_next_deploy);
    machines->add(o);
  }
  out->set("machines", machines);
  auto hosts = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& [id, h] : w_.vm_hosts) {
    VmHostUsage u = w_.Usage(h);
    auto o = Poco::makeShared<Poco::JSON::Object>();
    o->set("id", h.id);
    o->set("name", h.name);
    auto used = Poco::makeShared<Poco::JSON::Object>();
    used->set("cores", u.cores);
    used->set("memory", static_cast<Poco::Int64>(u.memory));
    used->set("local_storage", static_cast<Poco::UInt64>(u.local_storage));
    o->set("used", used);
    int vms = 0;
    for (const auto& [mid, m] : w_.machines) vms += m.pod_id == h.id;
    o->set("vm_count", vms);
    hosts->add(o);
  }
  out->set("vm_hosts", hosts);
  out->set("dns_resources",
           ListOf(w_.dns, [this](const DnsResource& d) { return RenderDnsResource(w_, d); }));
  out->set("ip_addresses_in_use", static_cast<Poco::UInt64>(w_.IpsInUse()));
  return out;
}

}  // namespace maassim
