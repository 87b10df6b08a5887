#include "render.hpp"

#include <Poco/JSON/Array.h>

namespace maassim {

const char* const kApiRoot = "/MAAS/api/2.0/";

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Var NullOr(const std::string& s) {
  return s.empty() ? Var() : Var(s);
}

Array::Ptr Strings(const std::vector<std::string>& items) {
  auto a = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& s : items) a->add(s);
  return a;
}

Object::Ptr Vlan(const Subnet* s) {
  auto v = Poco::makeShared<Poco::JSON::Object>();
  int id = s ? s->vlan_id : 5001;
  int vid = s ? s->vid : 0;
  v->set("vid", vid);
  v->set("mtu", 1500);
  v->set("dhcp_on", true);
  v->set("external_dhcp", Var());
  v->set("relay_vlan", Var());
  v->set("fabric_id", s ? s->fabric_id : 0);
  v->set("secondary_rack", "rackc2");
  v->set("id", id);
  v->set("fabric", "fabric-" + std::to_string(s ? s->fabric_id : 0));
  v->set("name", vid == 0 ? std::string("untagged") : std::to_string(vid));
  v->set("space", s ? s->space : std::string("undefined"));
  v->set("primary_rack", "rackc1");
  v->set("resource_uri", std::string(kApiRoot) + "vlans/" + std::to_string(id) + "/");
  return v;
}

Object::Ptr RenderInterface(const World& w, const Machine& m, const Interface& i) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  const Subnet* s = nullptr;
  if (auto it = w.subnets.find(i.subnet_id); it != w.subnets.end()) s = &it->second;
  o->set("system_id", m.system_id);
  o->set("name", i.name);
  o->set("vlan", i.subnet_id >= 0 ? Var(Vlan(s)) : Var());
  o->set("vendor", Var());
  o->set("enabled", true);
  o->set("children", Strings(i.children));
  o->set("discovered", Poco::makeShared<Array>());
  o->set("id", i.id);
  o->set("params", "");
  o->set("type", i.type);
  o->set("firmware_version", Var());
  o->set("mac_address", i.mac);
  o->set("parents", Strings(i.parents));
  o->set("tags", Strings(i.tags));
  auto links = Poco::makeShared<Poco::JSON::Array>();
  if (s && !i.ip.empty()) {
    auto link = Poco::makeShared<Poco::JSON::Object>();
    link->set("id", i.id);
    link->set("mode", i.ip_mode);
    link->set("ip_address", i.ip);
    link->set("subnet", RenderSubnet(*s));
    links->add(link);
  }
  o->set("links", links);
  o->set("effective_mtu", 1500);
  o->set("product", Var());
  o->set("link_connected", true);
  o->set("resource_uri", std::string(kApiRoot) + "nodes/" + m.system_id + "/interfaces/" +
                             std::to_string(i.id) + "/");
  return o;
}

Object::Ptr RenderDisk(const Machine& m, const BlockDevice& d) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("firmware_version", "1.0");
  o->set("partitions", Poco::makeShared<Array>());
  o->set("system_id", m.system_id);
  o->set("name", d.name);
  o->set("id_path", Var());
  o->set("block_size", 512);
  o->set("model", m.pod_id ? "QEMU HARDDISK" : "SSD-SIM");
  o->set("available_size", static_cast<Poco::UInt64>(d.size));
  o->set("id", d.id);
  o->set("filesystem", Var());
  o->set("size", static_cast<Poco::UInt64>(d.size));
  o->set("type", "physical");
  o->set("used_size", 0);
  o->set("partition_table_type", Var());
  o->set("serial", "sim-" + m.system_id + "-" + d.name);
  o->set("path", "/dev/disk/by-dname/" + d.name);
  o->set("tags", Strings(d.tags));
  o->set("storage_pool", NullOr(d.storage_pool));
  o->set("uuid", Var());
  o->set("used_for", "Unused");
  o->set("resource_uri", std::string(kApiRoot) + "nodes/" + m.system_id + "/blockdevices/" +
                             std::to_string(d.id) + "/");
  return o;
}

}  // namespace

Object::Ptr RenderZone(const Zone& z) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("name", z.name);
  o->set("description", z.description);
  o->set("id", z.id);
  o->set("resource_uri", std::string(kApiRoot) + "zones/" + z.name + "/");
  return o;
}

Object::Ptr RenderPool(const Pool& p) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("name", p.name);
  o->set("description", p.description);
  o->set("id", p.id);
  o->set("resource_uri", std::string(kApiRoot) + "resourcepool/" + std::to_string(p.id) + "/");
  return o;
}

Object::Ptr RenderDomain(const World& w, const Domain& d) {
  int records = 0;
  for (const auto& [id, r] : w.dns)
    if (r.domain_id == d.id) ++records;
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("authoritative", d.authoritative);
  o->set("ttl", d.ttl ? Var(*d.ttl) : Var());
  o->set("id", d.id);
  o->set("name", d.name);
  o->set("is_default", d.is_default);
  o->set("resource_record_count", records);
  o->set("resource_uri", std::string(kApiRoot) + "domains/" + std::to_string(d.id) + "/");
  return o;
}

Object::Ptr RenderSubnet(const Subnet& s) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("name", s.name);
  o->set("vlan", Vlan(&s));
  o->set("cidr", s.cidr);
  o->set("rdns_mode", 2);
  o->set("gateway_ip", NullOr(s.gateway_ip));
  o->set("dns_servers", Strings(s.dns_servers));
  o->set("allow_dns", true);
  o->set("allow_proxy", true);
  o->set("active_discovery", false);
  o->set("managed", s.managed);
  o->set("id", s.id);
  o->set("space", s.space);
  o->set("description", "");
  o->set("disabled_boot_architectures", Poco::makeShared<Array>());
  o->set("resource_uri", std::string(kApiRoot) + "subnets/" + std::to_string(s.id) + "/");
  return o;
}

Object::Ptr RenderTag(const Tag& t) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("name", t.name);
  o->set("definition", t.definition);
  o->set("comment", t.comment);
  o->set("kernel_opts", t.kernel_opts);
  o->set("resource_uri", std::string(kApiRoot) + "tags/" + t.name + "/");
  return o;
}

Object::Ptr RenderDnsResource(const World& w, const DnsResource& d) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("id", d.id);
  auto dom = w.domains.find(d.domain_id);
  std::string domain = dom == w.domains.end() ? "" : dom->second.name;
  o->set("fqdn", d.name == "@" ? domain : d.name + "." + domain);
  o->set("address_ttl", d.address_ttl ? Var(*d.address_ttl) : Var());
  auto ips = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& ip : d.ip_addresses) {
    auto a = Poco::makeShared<Poco::JSON::Object>();
    a->set("alloc_type", 4);  // IPADDRESS_TYPE.USER_RESERVED
    a->set("alloc_type_name", "User reserved");
    a->set("created", "2026-01-01T00:00:00.000");
    a->set("ip", ip);
    ips->add(a);
  }
  o->set("ip_addresses", ips);
  o->set("resource_records", Poco::makeShared<Array>());
  o->set("resource_uri", std::string(kApiRoot) + "dnsresources/" + std::to_string(d.id) + "/");
  return o;
}

Object::Ptr RenderMachine(const World& w, const Machine& m) {
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("system_id", m.system_id);
  o->set("hostname", m.hostname);
  o->set("fqdn", w.Fqdn(m));
  o->set("domain", RenderDomain(w, w.domains.at(m.domain_id)));
  o->set("description", m.description);
  o->set("status", m.status);
  o->set("status_name", StatusName(m.status));
  o->set("status_message", NullOr(m.status_message));
  o->set("status_action", "");
  o->set("power_state", m.power_state);
  o->set("power_type", m.power_type);
  o->set("zone", RenderZone(w.zones.at(m.zone_id)));
  o->set("pool", RenderPool(w.pools.at(m.pool_id)));
  o->set("owner", NullOr(m.owner));
  o->set("locked", m.locked);
  o->set("architecture", m.architecture);
  o->set("cpu_count", m.cpu_count);
  o->set("cpu_speed", 2400);
  o->set("memory", static_cast<Poco::Int64>(m.memory));
  uint64_t bytes = 0;
  for (const auto& d : m.disks) bytes += d.size;
  o->set("storage", static_cast<double>(bytes) / 1e6);  // MAAS reports MB as a float
  o->set("osystem", m.osystem);
  o->set("distro_series", m.distro_series);
  o->set("hwe_kernel", NullOr(m.hwe_kernel));
  o->set("min_hwe_kernel", Var());
  o->set("netboot", m.status != kDeployed);
  o->set("node_type", 0);
  o->set("node_type_name", "Machine");
  o->set("disable_ipv4", false);
  o->set("swap_size", Var());
  o->set("address_ttl", Var());
  o->set("hardware_uuid", Var());

  Array::Ptr tags = Strings(m.tags);
  o->set("tag_names", tags);
  auto ips = Poco::makeShared<Poco::JSON::Array>();
  auto ifaces = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& i : m.interfaces) {
    if (!i.ip.empty()) ips->add(i.ip);
    ifaces->add(RenderInterface(w, m, i));
  }
  o->set("ip_addresses", ips);
  o->set("interface_set", ifaces);
  o->set("boot_interface", m.interfaces.empty() ? Var() : Var(ifaces->getObject(0)));
  auto disks = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& d : m.disks) disks->add(RenderDisk(m, d));
  o->set("blockdevice_set", disks);
  o->set("physicalblockdevice_set", disks);
  o->set("virtualblockdevice_set", Poco::makeShared<Array>());
  o->set("iscsiblockdevice_set", Poco::makeShared<Array>());
  o->set("boot_disk", m.disks.empty() ? Var() : Var(disks->getObject(0)));
  for (const char* key : {"bcaches", "cache_sets", "raids", "volume_groups", "special_filesystems"})
    o->set(key, Poco::makeShared<Array>());

  auto gateways = Poco::makeShared<Poco::JSON::Object>();
  for (const char* family : {"ipv4", "ipv6"}) {
    auto g = Poco::makeShared<Poco::JSON::Object>();
    g->set("gateway_ip", Var());
    g->set("link_id", Var());
    gateways->set(family, g);
  }
  o->set("default_gateways", gateways);

  auto hw = Poco::makeShared<Poco::JSON::Object>();
  for (const char* key : {"system_vendor", "system_product", "system_version", "system_serial",
                          "cpu_model", "mainboard_vendor", "mainboard_product",
                          "mainboard_firmware_version", "mainboard_firmware_date"})
    hw->set(key, "Unknown");
  o->set("hardware_info", hw);

  // Results of commissioning and tests: all passed (ScriptStatus.PASSED == 2).
  for (const char* prefix :
       {"commissioning", "testing", "cpu_test", "memory_test", "storage_test", "other_test"}) {
    o->set(std::string(prefix) + "_status", 2);
    o->set(std::string(prefix) + "_status_name", "Passed");
  }
  o->set("current_commissioning_result_id", m.id * 3);
  o->set("current_testing_result_id", m.id * 3 + 1);
  o->set("current_installation_result_id",
         m.status == kDeployed || m.status == kDeploying ? Var(m.id * 3 + 2) : Var());

  auto annotations = Poco::makeShared<Poco::JSON::Object>();
  for (const auto& [k, v] : m.workload_annotations) annotations->set(k, v);
  o->set("workload_annotations", annotations);
  o->set("owner_data", annotations);

  if (m.pod_id) {
    const VmHost& h = w.vm_hosts.at(*m.pod_id);
    auto pod = Poco::makeShared<Poco::JSON::Object>();
    pod->set("id", h.id);
    pod->set("name", h.name);
    pod->set("resource_uri", std::string(kApiRoot) + "pods/" + std::to_string(h.id) + "/");
    o->set("pod", pod);
    o->set("virtualmachine_id", m.id);
    const Machine& parent = w.machines.at(h.host_machine_id);
    auto p = Poco::makeShared<Poco::JSON::Object>();
    p->set("system_id", parent.system_id);
    p->set("resource_uri", std::string(kApiRoot) + "machines/" + parent.system_id + "/");
    p->set("__incomplete__", true);
    o->set("parent", p);
  } else {
    o->set("pod", Var());
    o->set("virtualmachine_id", Var());
    o->set("parent", Var());
  }
  o->set("resource_uri", std::string(kApiRoot) + "machines/" + m.system_id + "/");
  return o;
}

Object::Ptr RenderVmHost(const World& w, const VmHost& h, const std::string& collection) {
  VmHostUsage u = w.Usage(h);
  uint64_t total_storage = 0;
  for (const auto& p : h.storage_pools) total_storage += p.total;

  auto triple = [](Poco::Int64 cores, Poco::Int64 memory, Poco::Int64 storage) {
    auto t = Poco::makeShared<Poco::JSON::Object>();
    t->set("cores", cores);
    t->set("memory", memory);
    t->set("local_storage", storage);
    return t;
  };
  auto o = Poco::makeShared<Poco::JSON::Object>();
  o->set("id", h.id);
  o->set("name", h.name);
  o->set("type", h.type);
  o->set("version", h.version);
  o->set("architectures", Strings({"amd64/generic"}));
  o->set("capabilities",
         Strings({"composable", "dynamic_local_storage", "over_commit", "storage_pools"}));
  o->set("cpu_over_commit_ratio", h.cpu_over_commit_ratio);
  o->set("memory_over_commit_ratio", h.memory_over_commit_ratio);
  o->set("default_macvlan_mode", "");
  o->set("zone", RenderZone(w.zones.at(h.zone_id)));
  o->set("pool", RenderPool(w.pools.at(h.pool_id)));
  o->set("tags", Strings(h.tags));
  auto host = Poco::makeShared<Poco::JSON::Object>();
  host->set("system_id", w.machines.at(h.host_machine_id).system_id);
  host->set("__incomplete__", true);
  o->set("host", host);
  auto total_storage_i = static_cast<Poco::Int64>(total_storage);
  auto used_storage_i = static_cast<Poco::Int64>(u.local_storage);
  o->set("total", triple(h.cores, h.memory, total_storage_i));
  o->set("used", triple(u.cores, u.memory, used_storage_i));
  // As in the fixtures: available = total - used (over-commit is applied when composing).
  o->set("available",
         triple(h.cores - u.cores, h.memory - u.memory, total_storage_i - used_storage_i));
  auto pools = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& p : h.storage_pools) {
    uint64_t used = u.per_pool.count(p.id) ? u.per_pool.at(p.id) : 0;
    auto sp = Poco::makeShared<Poco::JSON::Object>();
    sp->set("id", p.id);
    sp->set("name", p.name);
    sp->set("type", p.type);
    sp->set("path", p.path);
    sp->set("total", static_cast<Poco::Int64>(p.total));
    sp->set("used", static_cast<Poco::Int64>(used));
    sp->set("available", static_cast<Poco::Int64>(p.total) - static_cast<Poco::Int64>(used));
    sp->set("default", p.is_default);
    pools->add(sp);
  }
  o->set("storage_pools", pools);
  o->set("resource_uri", std::string(kApiRoot) + collection + "/" + std::to_string(h.id) + "/");
  return o;
}

}  // namespace maassim
