#include "inventory.hpp"

#include <Poco/JSON/Stringifier.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "yaml_document.hpp"
#include "yaml_reader.hpp"

namespace maassim {

bool ParseIpv4(const std::string& text, uint32_t& out) {
  uint32_t value = 0;
  int parts = 0;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, '.')) {
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), ::isdigit))
      return false;
    int n = std::stoi(part);
    if (n > 255) return false;
    value = (value << 8) | static_cast<uint32_t>(n);
    ++parts;
  }
  if (parts != 4 || text.back() == '.') return false;
  out = value;
  return true;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

namespace {

int ParseStatus(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return kReady;
  std::string s = r.Str(n, path);
  for (int i = 0; i <= kFailedTesting; ++i)
    if (s == StatusName(i) || s == StatusShortLabel(i) || s == std::to_string(i)) return i;
  r.Fail(path, "a MAAS status name such as Ready, Deployed or Allocated", n);
}

class Builder {
 public:
  Builder(const std::string& file, uint64_t seed) : r_(file), rng_(seed) {}

  Inventory Build(const YAML::Node& root) {
    if (!root.IsMap()) r_.Fail("", "a mapping with zones, machines, vm_hosts, ...", root);
    r_.OnlyKeys(root, "",
                {"user", "allocate_composes", "pod_constraints", "zones", "resource_pools",
                 "domains", "subnets", "tags", "machines", "vm_hosts", "dns_resources", "faults"});
    inv_.user = r_.Str(root["user"], "user", "admin");
    inv_.allocate_composes = r_.Bool(root["allocate_composes"], "allocate_composes", true);
    const std::string pod_mode = r_.Str(root["pod_constraints"], "pod_constraints", "bmc");
    if (pod_mode != "bmc" && pod_mode != "pods-only")
      r_.Fail("pod_constraints", "bmc or pods-only", root["pod_constraints"]);
    inv_.pod_constraints_pods_only = pod_mode == "pods-only";
    Zones(root["zones"]);
    Pools(root["resource_pools"]);
    Domains(root["domains"]);
    Subnets(root["subnets"]);
    auto tags = r_.Seq(root["tags"], "tags");
    for (size_t i = 0; i < tags.size(); ++i) {
      std::string p = "tags[" + std::to_string(i) + "]";
      Tag t;
      t.name = r_.Str(tags[i]["name"], p + ".name", "", true);
      t.comment = r_.Str(tags[i]["comment"], p + ".comment");
      t.definition = r_.Str(tags[i]["definition"], p + ".definition");
      t.kernel_opts = r_.Str(tags[i]["kernel_opts"], p + ".kernel_opts");
      AddTag(t.name, t);
    }
    auto machines = r_.Seq(root["machines"], "machines");
    for (size_t i = 0; i < machines.size(); ++i) {
      const YAML::Node id = machines[i]["system_id"];
      if (id.IsDefined() && id.IsScalar()) reserved_ids_.insert(id.Scalar());
    }
    for (size_t i = 0; i < machines.size(); ++i)
      MachineFrom(machines[i], "machines[" + std::to_string(i) + "]");
    auto hosts = r_.Seq(root["vm_hosts"], "vm_hosts");
    for (size_t i = 0; i < hosts.size(); ++i)
      VmHostFrom(hosts[i], "vm_hosts[" + std::to_string(i) + "]");
    Dns(root["dns_resources"]);
    if (root["faults"].IsDefined() && !root["faults"].IsNull()) {
      if (!root["faults"].IsMap()) r_.Fail("faults", "a mapping", root["faults"]);
      std::ostringstream out;
      Poco::JSON::Stringifier::condense(YamlToVar(root["faults"]), out);
      inv_.faults_json = out.str();
    }
    return std::move(inv_);
  }

 private:
  void Zones(const YAML::Node& n) {
    auto list = r_.Seq(n, "zones");
    bool has_default = false;
    for (size_t i = 0; i < list.size(); ++i)
      has_default |= list[i]["name"].IsScalar() && list[i]["name"].Scalar() == "default";
    // MAAS always has the "default" zone (id 1); compose without zone= lands there.
    if (!has_default) inv_.zones.push_back({1, "default", ""});
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = "zones[" + std::to_string(i) + "]";
      Zone z{static_cast<int>(inv_.zones.size()) + 1,
             r_.Str(list[i]["name"], p + ".name", "", true),
             r_.Str(list[i]["description"], p + ".description")};
      if (zone_ids_.count(z.name) || (!has_default && z.name == "default"))
        r_.Fail(p + ".name", "a zone name not already listed", list[i]["name"]);
      zone_ids_[z.name] = z.id;
      inv_.zones.push_back(z);
    }
    for (const auto& z : inv_.zones) zone_ids_[z.name] = z.id;
  }

  void Pools(const YAML::Node& n) {
    auto list = r_.Seq(n, "resource_pools");
    bool has_default = false;
    for (size_t i = 0; i < list.size(); ++i)
      has_default |= list[i]["name"].IsScalar() && list[i]["name"].Scalar() == "default";
    // MAAS always has the "default" resource pool (id 0).
    if (!has_default) inv_.pools.push_back({0, "default", "Default pool"});
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = "resource_pools[" + std::to_string(i) + "]";
      Pool pool{static_cast<int>(inv_.pools.size()), r_.Str(list[i]["name"], p + ".name", "", true),
                r_.Str(list[i]["description"], p + ".description")};
      if (pool_ids_.count(pool.name))
        r_.Fail(p + ".name", "a resource pool name not already listed", list[i]["name"]);
      pool_ids_[pool.name] = pool.id;
      inv_.pools.push_back(pool);
    }
    for (const auto& pool : inv_.pools) pool_ids_[pool.name] = pool.id;
  }

  void Domains(const YAML::Node& n) {
    auto list = r_.Seq(n, "domains");
    if (list.size() == 0) inv_.domains.push_back({0, "maas", true, std::nullopt, true});
    bool any_default = false;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = "domains[" + std::to_string(i) + "]";
      Domain d;
      d.id = static_cast<int>(i);
      d.name = r_.Str(list[i]["name"], p + ".name", "", true);
      d.authoritative = r_.Bool(list[i]["authoritative"], p + ".authoritative", true);
      if (list[i]["ttl"].IsDefined() && !list[i]["ttl"].IsNull())
        d.ttl = static_cast<int>(r_.Int(list[i]["ttl"], p + ".ttl", 0, 1));
      d.is_default = r_.Bool(list[i]["default"], p + ".default", false);
      if (d.is_default && any_default) r_.Fail(p + ".default", "only one default domain");
      any_default |= d.is_default;
      if (domain_ids_.count(d.name))
        r_.Fail(p + ".name", "a domain name not already listed", list[i]["name"]);
      domain_ids_[d.name] = d.id;
      inv_.domains.push_back(d);
    }
    if (!any_default) inv_.domains.front().is_default = true;
    for (const auto& d : inv_.domains) domain_ids_[d.name] = d.id;
  }

  void Subnets(const YAML::Node& n) {
    auto list = r_.Seq(n, "subnets");
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = "subnets[" + std::to_string(i) + "]";
      const auto& s = list[i];
      Subnet sub;
      sub.id = static_cast<int>(i) + 1;
      sub.cidr = r_.Str(s["cidr"], p + ".cidr", "", true);
      auto slash = sub.cidr.find('/');
      uint32_t net = 0;
      if (slash == std::string::npos || !ParseIpv4(sub.cidr.substr(0, slash), net))
        r_.Fail(p + ".cidr", "an IPv4 CIDR such as 10.0.0.0/24", s["cidr"]);
      try {
        sub.prefix = std::stoi(sub.cidr.substr(slash + 1));
      } catch (const std::logic_error&) {
        r_.Fail(p + ".cidr", "an IPv4 CIDR such as 10.0.0.0/24", s["cidr"]);
      }
      if (sub.prefix < 8 || sub.prefix > 30)
        r_.Fail(p + ".cidr", "a prefix length between 8 and 30", s["cidr"]);
      uint32_t mask = sub.prefix == 0 ? 0 : ~uint32_t{0} << (32 - sub.prefix);
      sub.network = net & mask;
      sub.name = r_.Str(s["name"], p + ".name", sub.cidr);
      sub.gateway_ip = r_.Str(s["gateway_ip"], p + ".gateway_ip");
      uint32_t gw = 0;
      if (!sub.gateway_ip.empty() && (!ParseIpv4(sub.gateway_ip, gw) || (gw & mask) != sub.network))
        r_.Fail(p + ".gateway_ip", "an IPv4 address inside " + sub.cidr, s["gateway_ip"]);
      sub.dns_servers = r_.StrList(s["dns_servers"], p + ".dns_servers");
      sub.vid = static_cast<int>(r_.Int(s["vid"], p + ".vid", 0, 0));
      sub.fabric_id = static_cast<int>(r_.Int(s["fabric"], p + ".fabric", 0, 0));
      sub.vlan_id = 5001 + static_cast<int>(i);
      sub.space = r_.Str(s["space"], p + ".space", "undefined");
      sub.managed = r_.Bool(s["managed"], p + ".managed", true);
      auto ranges = r_.Seq(s["ip_ranges"], p + ".ip_ranges");
      for (size_t j = 0; j < ranges.size(); ++j) {
        std::string rp = p + ".ip_ranges[" + std::to_string(j) + "]";
        IpRange range;
        range.type = r_.Str(ranges[j]["type"], rp + ".type", "reserved");
        if (range.type != "reserved" && range.type != "dynamic")
          r_.Fail(rp + ".type", "reserved or dynamic", ranges[j]["type"]);
        if (!ParseIpv4(r_.Str(ranges[j]["start"], rp + ".start", "", true), range.start) ||
            (range.start & mask) != sub.network)
          r_.Fail(rp + ".start", "an IPv4 address inside " + sub.cidr, ranges[j]["start"]);
        if (!ParseIpv4(r_.Str(ranges[j]["end"], rp + ".end", "", true), range.end) ||
            (range.end & mask) != sub.network || range.end < range.start)
          r_.Fail(rp + ".end", "an IPv4 address inside " + sub.cidr + " not below start",
                  ranges[j]["end"]);
        sub.ranges.push_back(range);
      }
      for (const auto& other : inv_.subnets)
        if (other.cidr == sub.cidr || other.name == sub.name)
          r_.Fail(p + ".cidr", "a subnet not already listed", s["cidr"]);
      inv_.subnets.push_back(sub);
    }
  }

  int SubnetRef(const YAML::Node& n, const std::string& path) {
    if (!n.IsDefined() || n.IsNull()) return inv_.subnets.empty() ? -1 : inv_.subnets[0].id;
    std::string ref = r_.Str(n, path);
    for (const auto& s : inv_.subnets)
      if (s.cidr == ref || s.name == ref) return s.id;
    r_.Fail(path, "the name or CIDR of a subnet listed under subnets", n);
  }

  int Ref(const std::map<std::string, int>& ids, const YAML::Node& n, const std::string& path,
          const std::string& what, int def) {
    if (!n.IsDefined() || n.IsNull()) return def;
    std::string name = r_.Str(n, path);
    auto it = ids.find(name);
    if (it == ids.end()) r_.Fail(path, "the name of a " + what + " listed in the inventory", n);
    return it->second;
  }

  std::string NewSystemId() {
    // MAAS system_ids: six characters from a reduced alphabet.
    static const char kAlphabet[] = "abcdefghjkmnpqrstuvwxy0123456789";
    for (;;) {
      std::string id;
      for (int i = 0; i < 6; ++i) id += kAlphabet[rng_() % (sizeof(kAlphabet) - 1)];
      // Never one that a later machine names itself.
      if (!reserved_ids_.count(id) && system_ids_.insert(id).second) return id;
    }
  }

  std::string NewMac() {
    char buf[18];
    uint64_t v = rng_();
    std::snprintf(buf, sizeof buf, "52:54:00:%02x:%02x:%02x", static_cast<unsigned>(v & 255),
                  static_cast<unsigned>((v >> 8) & 255), static_cast<unsigned>((v >> 16) & 255));
    return buf;
  }

  void AddTag(const std::string& name, const Tag& t = {}) {
    for (const auto& existing : inv_.tags)
      if (existing.name == name) return;
    Tag copy = t;
    copy.name = name;
    inv_.tags.push_back(copy);
  }

  void Hostname(const std::string& name, const std::string& path) {
    if (!hostnames_.insert(name).second) r_.Fail(path, "a hostname not used by another machine");
  }

  void MachineFrom(const YAML::Node& m, const std::string& p) {
    r_.OnlyKeys(m, p,
                {"hostname",         "cores",        "cpu_count", "memory",        "storage",
                 "storage_gb",       "tags",         "zone",      "pool",          "domain",
                 "power_type",       "architecture", "status",    "owner",         "interfaces",
                 "fail_next_deploy", "description",  "osystem",   "distro_series", "power_state",
                 "system_id"});
    Machine mc;
    mc.id = static_cast<int>(inv_.machines.size()) + 1;
    if (m["system_id"].IsDefined()) {
      mc.system_id = r_.Str(m["system_id"], p + ".system_id", "", true);
      if (!given_ids_.insert(mc.system_id).second)
        r_.Fail(p + ".system_id", "a system_id not used by another machine", m["system_id"]);
    } else {
      mc.system_id = NewSystemId();
    }
    system_ids_.insert(mc.system_id);
    mc.hostname = r_.Str(m["hostname"], p + ".hostname", "", true);
    Hostname(mc.hostname, p + ".hostname");
    YAML::Node cores = m["cores"].IsDefined() ? m["cores"] : m["cpu_count"];
    mc.cpu_count = static_cast<int>(r_.Int(cores, p + ".cores", 0, 1, true));
    mc.memory = r_.Int(m["memory"], p + ".memory", 0, 1, true);
    mc.tags = r_.StrList(m["tags"], p + ".tags");
    for (const auto& t : mc.tags) AddTag(t);
    mc.zone_id = Ref(zone_ids_, m["zone"], p + ".zone", "zone", inv_.zones.front().id);
    mc.pool_id = Ref(pool_ids_, m["pool"], p + ".pool", "resource pool", inv_.pools.front().id);
    mc.domain_id = Ref(domain_ids_, m["domain"], p + ".domain", "domain", DefaultDomain());
    mc.power_type = r_.Str(m["power_type"], p + ".power_type", "ipmi");
    mc.architecture = r_.Str(m["architecture"], p + ".architecture", "amd64/generic");
    mc.description = r_.Str(m["description"], p + ".description");
    mc.status = ParseStatus(r_, m["status"], p + ".status");
    mc.owner = r_.Str(m["owner"], p + ".owner");
    bool owned = mc.status == kAllocated || mc.status == kDeployed || mc.status == kDeploying;
    if (owned && mc.owner.empty()) mc.owner = inv_.user;
    if (mc.status == kDeployed) {
      mc.osystem = r_.Str(m["osystem"], p + ".osystem", "ubuntu");
      mc.distro_series = r_.Str(m["distro_series"], p + ".distro_series", "jammy");
    }
    mc.power_state =
        r_.Str(m["power_state"], p + ".power_state", mc.status == kDeployed ? "on" : "off");
    mc.fail_next_deploy = r_.Bool(m["fail_next_deploy"], p + ".fail_next_deploy", false);
    Disks(mc, m, p);
    auto ifaces = r_.Seq(m["interfaces"], p + ".interfaces");
    for (size_t i = 0; i < ifaces.size(); ++i) {
      std::string ip = p + ".interfaces[" + std::to_string(i) + "]";
      Interface iface;
      iface.id = ++interface_id_;
      iface.name = r_.Str(ifaces[i]["name"], ip + ".name", "eth" + std::to_string(i));
      iface.type = r_.Str(ifaces[i]["type"], ip + ".type", "physical");
      iface.mac = r_.Str(ifaces[i]["mac_address"], ip + ".mac_address", NewMac());
      iface.subnet_id = SubnetRef(ifaces[i]["subnet"], ip + ".subnet");
      iface.tags = r_.StrList(ifaces[i]["tags"], ip + ".tags");
      mc.interfaces.push_back(iface);
    }
    if (mc.interfaces.empty()) DefaultInterface(mc, "eth0", -2);
    inv_.machines.push_back(mc);
  }

  void Disks(Machine& mc, const YAML::Node& m, const std::string& p) {
    if (m["storage"].IsDefined() && !m["storage"].IsNull()) {
      auto disks = r_.Seq(m["storage"], p + ".storage");
      for (size_t i = 0; i < disks.size(); ++i) {
        std::string dp = p + ".storage[" + std::to_string(i) + "]";
        BlockDevice d;
        d.id = ++block_id_;
        d.name = r_.Str(disks[i]["name"], dp + ".name", "sd" + std::string(1, char('a' + i)));
        d.size = static_cast<uint64_t>(r_.Num(disks[i]["size_gb"], dp + ".size_gb", 0, 1) * 1e9);
        if (d.size == 0) r_.Fail(dp + ".size_gb", "a size in GB (required)");
        d.tags = r_.StrList(disks[i]["tags"], dp + ".tags");
        mc.disks.push_back(d);
      }
    } else {
      BlockDevice d;
      d.id = ++block_id_;
      d.name = "sda";
      d.size = static_cast<uint64_t>(r_.Num(m["storage_gb"], p + ".storage_gb", 500, 1) * 1e9);
      d.tags = {"ssd"};
      mc.disks.push_back(d);
    }
  }

  void DefaultInterface(Machine& mc, const std::string& name, int subnet) {
    Interface iface;
    iface.id = ++interface_id_;
    iface.name = name;
    iface.mac = NewMac();
    iface.subnet_id = subnet == -2 ? (inv_.subnets.empty() ? -1 : inv_.subnets[0].id) : subnet;
    mc.interfaces.push_back(iface);
  }

  int DefaultDomain() const {
    for (const auto& d : inv_.domains)
      if (d.is_default) return d.id;
    return inv_.domains.front().id;
  }

  void VmHostFrom(const YAML::Node& h, const std::string& p) {
    r_.OnlyKeys(h, p,
                {"name", "host", "zone", "pool", "tags", "project", "cores", "memory",
                 "cpu_over_commit_ratio", "memory_over_commit_ratio", "storage_pools", "bridges",
                 "power_address", "version", "fail_next_commissioning"});
    VmHost vh;
    vh.id = static_cast<int>(inv_.vm_hosts.size()) + 1;
    vh.name = r_.Str(h["name"], p + ".name", "", true);
    for (const auto& other : inv_.vm_hosts)
      if (other.name == vh.name) r_.Fail(p + ".name", "a VM host name not already used");
    vh.zone_id = Ref(zone_ids_, h["zone"], p + ".zone", "zone", inv_.zones.front().id);
    vh.pool_id = Ref(pool_ids_, h["pool"], p + ".pool", "resource pool", inv_.pools.front().id);
    vh.tags = r_.StrList(h["tags"], p + ".tags");
    // Composing copies these onto machines, which creates the tags in MAAS; assume it happened.
    for (const auto& t : vh.tags) AddTag(t);
    vh.project = r_.Str(h["project"], p + ".project", "default");
    vh.version = r_.Str(h["version"], p + ".version", vh.version);
    vh.cpu_over_commit_ratio =
        r_.Num(h["cpu_over_commit_ratio"], p + ".cpu_over_commit_ratio", 1.0, 0.1);
    vh.memory_over_commit_ratio =
        r_.Num(h["memory_over_commit_ratio"], p + ".memory_over_commit_ratio", 1.0, 0.1);
    auto pools = r_.Seq(h["storage_pools"], p + ".storage_pools");
    for (size_t i = 0; i < pools.size(); ++i) {
      std::string sp = p + ".storage_pools[" + std::to_string(i) + "]";
      StoragePool pool;
      pool.name = r_.Str(pools[i]["name"], sp + ".name", "", true);
      pool.id = vh.name + "-" + pool.name;
      pool.type = r_.Str(pools[i]["type"], sp + ".type", "zfs");
      pool.path = r_.Str(pools[i]["path"], sp + ".path",
                         "/var/snap/lxd/common/lxd/storage-pools/" + pool.name);
      pool.total = static_cast<uint64_t>(r_.Num(pools[i]["size_gb"], sp + ".size_gb", 0, 1) * 1e9);
      if (pool.total == 0) r_.Fail(sp + ".size_gb", "a size in GB (required)");
      pool.is_default = r_.Bool(pools[i]["default"], sp + ".default", i == 0);
      vh.storage_pools.push_back(pool);
    }
    if (vh.storage_pools.empty()) r_.Fail(p + ".storage_pools", "at least one storage pool");
    if (std::count_if(vh.storage_pools.begin(), vh.storage_pools.end(),
                      [](const StoragePool& s) { return s.is_default; }) != 1)
      r_.Fail(p + ".storage_pools", "exactly one pool with default: true");

    Machine* backing = nullptr;
    if (h["host"].IsDefined() && !h["host"].IsNull()) {
      std::string host = r_.Str(h["host"], p + ".host");
      for (auto& m : inv_.machines)
        if (m.hostname == host) backing = &m;
      if (!backing)
        r_.Fail(p + ".host", "the hostname of a machine listed under machines", h["host"]);
      if (backing->status != kDeployed)
        r_.Fail(p + ".host", "a machine with status Deployed", h["host"]);
      if (backing->hosts_vm_host) r_.Fail(p + ".host", "a machine not backing another VM host");
    } else {
      // Implicit backing machine, as MAAS would list the deployed LXD host itself.
      Machine mc;
      mc.id = static_cast<int>(inv_.machines.size()) + 1;
      mc.system_id = NewSystemId();
      mc.hostname = vh.name;
      Hostname(mc.hostname, p + ".name");
      mc.status = kDeployed;
      mc.owner = inv_.user;
      mc.power_state = "on";
      mc.osystem = "ubuntu";
      mc.distro_series = "jammy";
      mc.zone_id = vh.zone_id;
      mc.pool_id = vh.pool_id;
      mc.domain_id = DefaultDomain();
      mc.tags = {"lxd-host"};
      AddTag("lxd-host");
      BlockDevice d;
      d.id = ++block_id_;
      d.name = "sda";
      d.size = 480'000'000'000;
      mc.disks.push_back(d);
      inv_.machines.push_back(mc);
      backing = &inv_.machines.back();
    }
    vh.cores = static_cast<int>(
        r_.Int(h["cores"], p + ".cores", backing->cpu_count, 1, !h["host"].IsDefined()));
    vh.memory = r_.Int(h["memory"], p + ".memory", backing->memory, 1, !h["host"].IsDefined());
    if (!h["host"].IsDefined()) {
      backing->cpu_count = vh.cores;
      backing->memory = vh.memory;
    }
    auto bridges = r_.Seq(h["bridges"], p + ".bridges");
    for (size_t i = 0; i < bridges.size(); ++i) {
      std::string bp = p + ".bridges[" + std::to_string(i) + "]";
      Interface br;
      br.id = ++interface_id_;
      br.name = r_.Str(bridges[i]["name"], bp + ".name", "br" + std::to_string(i));
      br.type = "bridge";
      br.mac = NewMac();
      br.subnet_id = SubnetRef(bridges[i]["subnet"], bp + ".subnet");
      backing->interfaces.push_back(br);
    }
    if (bridges.size() == 0 && std::none_of(backing->interfaces.begin(), backing->interfaces.end(),
                                            [](const Interface& i) { return i.type == "bridge"; }))
      DefaultInterface(*backing, "br0", -2), backing->interfaces.back().type = "bridge";
    vh.power_address =
        r_.Str(h["power_address"], p + ".power_address", "https://" + backing->hostname + ":8443");
    vh.fail_next_commissioning =
        r_.Bool(h["fail_next_commissioning"], p + ".fail_next_commissioning", false);
    vh.host_machine_id = backing->id;
    backing->hosts_vm_host = vh.id;
    inv_.vm_hosts.push_back(vh);
  }

  void Dns(const YAML::Node& n) {
    auto list = r_.Seq(n, "dns_resources");
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = "dns_resources[" + std::to_string(i) + "]";
      DnsResource d;
      d.id = static_cast<int>(i) + 1;
      std::string fqdn = r_.Str(list[i]["fqdn"], p + ".fqdn", "", true);
      auto dot = fqdn.find('.');
      if (dot == std::string::npos) r_.Fail(p + ".fqdn", "a name.domain FQDN", list[i]["fqdn"]);
      d.name = fqdn.substr(0, dot);
      d.domain_id = Ref(domain_ids_, YAML::Node(fqdn.substr(dot + 1)), p + ".fqdn", "domain", 0);
      d.ip_addresses = r_.StrList(list[i]["ip_addresses"], p + ".ip_addresses");
      for (const auto& ip : d.ip_addresses) {
        uint32_t v = 0;
        if (!ParseIpv4(ip, v)) r_.Fail(p + ".ip_addresses", "IPv4 addresses", YAML::Node(ip));
      }
      inv_.dns_resources.push_back(d);
    }
  }

  YamlReader r_;
  std::mt19937_64 rng_;
  Inventory inv_;
  std::map<std::string, int> zone_ids_, pool_ids_, domain_ids_;
  std::set<std::string> system_ids_, hostnames_;
  std::set<std::string> reserved_ids_;  // system_ids the inventory gives its machines
  std::set<std::string> given_ids_;     // those seen so far
  int interface_id_ = 0;
  int block_id_ = 0;
};

}  // namespace

Inventory LoadInventory(const std::string& path, uint64_t seed) {
  YAML::Node root = LoadYamlFile(path);
  try {
    return Builder(path, seed).Build(root);
  } catch (const YAML::Exception& e) {
    throw InventoryError(path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace maassim
