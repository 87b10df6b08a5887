#include "render.hpp"

namespace maassim {

const char* const kApiRoot = "/MAAS/api/2.0/";

namespace {

// Parts of every machine that never change.
constexpr std::string_view kDefaultGateways =
    R"({"ipv4":{"gateway_ip":null,"link_id":null},"ipv6":{"gateway_ip":null,"link_id":null}})";
constexpr std::string_view kHardwareInfo =
    R"({"cpu_model":"Unknown","mainboard_firmware_date":"Unknown",)"
    R"("mainboard_firmware_version":"Unknown","mainboard_product":"Unknown",)"
    R"("mainboard_vendor":"Unknown","system_product":"Unknown","system_serial":"Unknown",)"
    R"("system_vendor":"Unknown","system_version":"Unknown"})";

// Appends "/MAAS/api/2.0/<collection>/<id>/" as a string value.
void Uri(JsonWriter& j, std::string_view collection, std::string_view id) {
  std::string uri;
  uri.reserve(64);
  uri.append(kApiRoot).append(collection).append("/").append(id).append("/");
  j.Str(uri);
}

void Uri(JsonWriter& j, std::string_view collection, int64_t id) {
  Uri(j, collection, std::to_string(id));
}

void WriteVlan(JsonWriter& j, const Subnet* s) {
  int id = s ? s->vlan_id : 5001;
  int vid = s ? s->vid : 0;
  int fabric = s ? s->fabric_id : 0;
  j.BeginObject();
  j.Key("dhcp_on").Bool(true);
  j.Key("external_dhcp").Null();
  j.Key("fabric").Str("fabric-" + std::to_string(fabric));
  j.Key("fabric_id").Int(fabric);
  j.Key("id").Int(id);
  j.Key("mtu").Int(1500);
  j.Key("name").Str(vid == 0 ? std::string("untagged") : std::to_string(vid));
  j.Key("primary_rack").Str("rackc1");
  j.Key("relay_vlan").Null();
  j.Key("resource_uri");
  Uri(j, "vlans", id);
  j.Key("secondary_rack").Str("rackc2");
  j.Key("space").Str(s ? s->space : std::string("undefined"));
  j.Key("vid").Int(vid);
  j.EndObject();
}

void WriteInterface(JsonWriter& j, RenderContext& ctx, const Machine& m, const Interface& i) {
  const World& w = ctx.world();
  const bool has_subnet = w.subnets.count(i.subnet_id) > 0;
  std::string prefix = std::string(kApiRoot) + "nodes/" + m.system_id;
  j.BeginObject();
  j.Key("children").Strings(i.children);
  j.Key("discovered").EmptyArray();
  j.Key("effective_mtu").Int(1500);
  j.Key("enabled").Bool(true);
  j.Key("firmware_version").Null();
  j.Key("id").Int(i.id);
  j.Key("link_connected").Bool(true);
  j.Key("links").BeginArray();
  if (has_subnet && !i.ip.empty()) {
    j.BeginObject();
    j.Key("id").Int(i.id);
    j.Key("ip_address").Str(i.ip);
    j.Key("mode").Str(i.ip_mode);
    j.Key("subnet").Raw(ctx.Subnet(i.subnet_id));
    j.EndObject();
  }
  j.EndArray();
  j.Key("mac_address").Str(i.mac);
  j.Key("name").Str(i.name);
  j.Key("params").Str("");
  j.Key("parents").Strings(i.parents);
  j.Key("product").Null();
  j.Key("resource_uri").Str(prefix + "/interfaces/" + std::to_string(i.id) + "/");
  j.Key("system_id").Str(m.system_id);
  j.Key("tags").Strings(i.tags);
  j.Key("type").Str(i.type);
  j.Key("vendor").Null();
  j.Key("vlan");
  if (i.subnet_id >= 0)
    j.Raw(ctx.Vlan(i.subnet_id));
  else
    j.Null();
  j.EndObject();
}

void WriteDisk(JsonWriter& j, const Machine& m, const BlockDevice& d) {
  j.BeginObject();
  j.Key("available_size").UInt(d.size);
  j.Key("block_size").Int(512);
  j.Key("filesystem").Null();
  j.Key("firmware_version").Str("1.0");
  j.Key("id").Int(d.id);
  j.Key("id_path").Null();
  j.Key("model").Str(m.pod_id ? "QEMU HARDDISK" : "SSD-SIM");
  j.Key("name").Str(d.name);
  j.Key("partition_table_type").Null();
  j.Key("partitions").EmptyArray();
  j.Key("path").Str("/dev/disk/by-dname/" + d.name);
  j.Key("resource_uri")
      .Str(std::string(kApiRoot) + "nodes/" + m.system_id + "/blockdevices/" +
           std::to_string(d.id) + "/");
  j.Key("serial").Str("sim-" + m.system_id + "-" + d.name);
  j.Key("size").UInt(d.size);
  j.Key("storage_pool").StrOrNull(d.storage_pool);
  j.Key("system_id").Str(m.system_id);
  j.Key("tags").Strings(d.tags);
  j.Key("type").Str("physical");
  j.Key("used_for").Str("Unused");
  j.Key("used_size").Int(0);
  j.Key("uuid").Null();
  j.EndObject();
}

void WriteTriple(JsonWriter& j, int64_t cores, int64_t memory, int64_t storage) {
  j.BeginObject();
  j.Key("cores").Int(cores);
  j.Key("local_storage").Int(storage);
  j.Key("memory").Int(memory);
  j.EndObject();
}

template <typename Fn>
const std::string& Memo(std::map<int, std::string>& memo, int id, Fn render) {
  auto [it, inserted] = memo.try_emplace(id);
  if (inserted) {
    JsonWriter j(it->second);
    render(j);
  }
  return it->second;
}

}  // namespace

const std::string& RenderContext::Zone(int id) {
  return Memo(zones_, id, [&](JsonWriter& j) { WriteZone(j, w_.zones.at(id)); });
}

const std::string& RenderContext::Pool(int id) {
  return Memo(pools_, id, [&](JsonWriter& j) { WritePool(j, w_.pools.at(id)); });
}

const std::string& RenderContext::Domain(int id) {
  return Memo(domains_, id, [&](JsonWriter& j) { WriteDomain(j, w_, w_.domains.at(id)); });
}

const std::string& RenderContext::Subnet(int id) {
  return Memo(subnets_, id, [&](JsonWriter& j) { WriteSubnet(j, *this, w_.subnets.at(id)); });
}

const std::string& RenderContext::Vlan(int id) {
  auto it = w_.subnets.find(id);
  int key = it == w_.subnets.end() ? -1 : id;
  return Memo(vlans_, key,
              [&](JsonWriter& j) { WriteVlan(j, it == w_.subnets.end() ? nullptr : &it->second); });
}

void WriteZone(JsonWriter& j, const Zone& z) {
  j.BeginObject();
  j.Key("description").Str(z.description);
  j.Key("id").Int(z.id);
  j.Key("name").Str(z.name);
  j.Key("resource_uri");
  Uri(j, "zones", z.name);
  j.EndObject();
}

void WritePool(JsonWriter& j, const Pool& p) {
  j.BeginObject();
  j.Key("description").Str(p.description);
  j.Key("id").Int(p.id);
  j.Key("name").Str(p.name);
  j.Key("resource_uri");
  Uri(j, "resourcepool", p.id);
  j.EndObject();
}

void WriteDomain(JsonWriter& j, const World& w, const Domain& d) {
  int records = 0;
  for (const auto& [id, r] : w.dns)
    if (r.domain_id == d.id) ++records;
  j.BeginObject();
  j.Key("authoritative").Bool(d.authoritative);
  j.Key("id").Int(d.id);
  j.Key("is_default").Bool(d.is_default);
  j.Key("name").Str(d.name);
  j.Key("resource_record_count").Int(records);
  j.Key("resource_uri");
  Uri(j, "domains", d.id);
  j.Key("ttl");
  if (d.ttl)
    j.Int(*d.ttl);
  else
    j.Null();
  j.EndObject();
}

void WriteSubnet(JsonWriter& j, RenderContext& ctx, const Subnet& s) {
  j.BeginObject();
  j.Key("active_discovery").Bool(false);
  j.Key("allow_dns").Bool(true);
  j.Key("allow_proxy").Bool(true);
  j.Key("cidr").Str(s.cidr);
  j.Key("description").Str("");
  j.Key("disabled_boot_architectures").EmptyArray();
  j.Key("dns_servers").Strings(s.dns_servers);
  j.Key("gateway_ip").StrOrNull(s.gateway_ip);
  j.Key("id").Int(s.id);
  j.Key("managed").Bool(s.managed);
  j.Key("name").Str(s.name);
  j.Key("rdns_mode").Int(2);
  j.Key("resource_uri");
  Uri(j, "subnets", s.id);
  j.Key("space").Str(s.space);
  j.Key("vlan").Raw(ctx.Vlan(s.id));
  j.EndObject();
}

void WriteTag(JsonWriter& j, const Tag& t) {
  j.BeginObject();
  j.Key("comment").Str(t.comment);
  j.Key("definition").Str(t.definition);
  j.Key("kernel_opts").Str(t.kernel_opts);
  j.Key("name").Str(t.name);
  j.Key("resource_uri");
  Uri(j, "tags", t.name);
  j.EndObject();
}

void WriteDnsResource(JsonWriter& j, const World& w, const DnsResource& d) {
  auto dom = w.domains.find(d.domain_id);
  std::string domain = dom == w.domains.end() ? "" : dom->second.name;
  j.BeginObject();
  j.Key("address_ttl");
  if (d.address_ttl)
    j.Int(*d.address_ttl);
  else
    j.Null();
  j.Key("fqdn").Str(d.name == "@" ? domain : d.name + "." + domain);
  j.Key("id").Int(d.id);
  j.Key("ip_addresses").BeginArray();
  for (const auto& ip : d.ip_addresses) {
    j.BeginObject();
    j.Key("alloc_type").Int(4);  // IPADDRESS_TYPE.USER_RESERVED
    j.Key("alloc_type_name").Str("User reserved");
    j.Key("created").Str("2026-01-01T00:00:00.000");
    j.Key("ip").Str(ip);
    j.EndObject();
  }
  j.EndArray();
  j.Key("resource_records").EmptyArray();
  j.Key("resource_uri");
  Uri(j, "dnsresources", d.id);
  j.EndObject();
}

void WriteMachine(JsonWriter& j, RenderContext& ctx, const Machine& m) {
  const World& w = ctx.world();
  j.BeginObject();
  j.Key("address_ttl").Null();
  j.Key("architecture").Str(m.architecture);
  j.Key("bcaches").EmptyArray();
  // The disks appear three times (blockdevice_set, boot_disk, physicalblockdevice_set) and the
  // first interface twice: render each once and copy the text.
  j.Key("blockdevice_set").BeginArray();
  size_t disks_begin = j.size() - 1, disk0_begin = j.size(), disk0_end = j.size();
  for (size_t d = 0; d < m.disks.size(); ++d) {
    WriteDisk(j, m, m.disks[d]);
    if (d == 0) disk0_end = j.size();
  }
  j.EndArray();
  size_t disks_end = j.size();
  j.Key("boot_disk");
  if (m.disks.empty())
    j.Null();
  else
    j.Copy(disk0_begin, disk0_end);
  j.Key("boot_interface");
  size_t iface0_begin = j.size(), iface0_end = iface0_begin;  // no separator after a key
  if (m.interfaces.empty()) {
    j.Null();
  } else {
    WriteInterface(j, ctx, m, m.interfaces.front());
    iface0_end = j.size();
  }
  j.Key("cache_sets").EmptyArray();
  j.Key("commissioning_status").Int(2);  // ScriptStatus.PASSED: commissioning and tests passed
  j.Key("commissioning_status_name").Str("Passed");
  j.Key("cpu_count").Int(m.cpu_count);
  j.Key("cpu_speed").Int(2400);
  j.Key("cpu_test_status").Int(2);
  j.Key("cpu_test_status_name").Str("Passed");
  j.Key("current_commissioning_result_id").Int(m.id * 3);
  j.Key("current_installation_result_id");
  if (m.status == kDeployed || m.status == kDeploying)
    j.Int(m.id * 3 + 2);
  else
    j.Null();
  j.Key("current_testing_result_id").Int(m.id * 3 + 1);
  j.Key("default_gateways").Raw(kDefaultGateways);
  j.Key("description").Str(m.description);
  j.Key("disable_ipv4").Bool(false);
  j.Key("distro_series").Str(m.distro_series);
  j.Key("domain").Raw(ctx.Domain(m.domain_id));
  j.Key("fqdn").Str(w.Fqdn(m));
  j.Key("hardware_info").Raw(kHardwareInfo);
  j.Key("hardware_uuid").Null();
  j.Key("hostname").Str(m.hostname);
  j.Key("hwe_kernel").StrOrNull(m.hwe_kernel);
  j.Key("interface_set").BeginArray();
  for (size_t i = 0; i < m.interfaces.size(); ++i) {
    if (i == 0)
      j.Copy(iface0_begin, iface0_end);
    else
      WriteInterface(j, ctx, m, m.interfaces[i]);
  }
  j.EndArray();
  j.Key("ip_addresses").BeginArray();
  for (const auto& i : m.interfaces)
    if (!i.ip.empty()) j.Str(i.ip);
  j.EndArray();
  j.Key("iscsiblockdevice_set").EmptyArray();
  j.Key("locked").Bool(m.locked);
  j.Key("memory").Int(m.memory);
  j.Key("memory_test_status").Int(2);
  j.Key("memory_test_status_name").Str("Passed");
  j.Key("min_hwe_kernel").Null();
  j.Key("netboot").Bool(m.status != kDeployed);
  j.Key("node_type").Int(0);
  j.Key("node_type_name").Str("Machine");
  j.Key("osystem").Str(m.osystem);
  j.Key("other_test_status").Int(2);
  j.Key("other_test_status_name").Str("Passed");
  j.Key("owner").StrOrNull(m.owner);
  // owner_data and workload_annotations are the same object in MAAS's answer.
  j.Key("owner_data");
  size_t annotations_begin = j.size();
  j.BeginObject();
  for (const auto& [k, v] : m.workload_annotations) j.Key(k).Str(v);
  j.EndObject();
  size_t annotations_end = j.size();
  const VmHost* pod = m.pod_id ? &w.vm_hosts.at(*m.pod_id) : nullptr;
  j.Key("parent");
  if (pod) {
    const Machine& parent = w.machines.at(pod->host_machine_id);
    j.BeginObject();
    j.Key("__incomplete__").Bool(true);
    j.Key("resource_uri");
    Uri(j, "machines", parent.system_id);
    j.Key("system_id").Str(parent.system_id);
    j.EndObject();
  } else {
    j.Null();
  }
  j.Key("physicalblockdevice_set").Copy(disks_begin, disks_end);
  j.Key("pod");
  if (pod) {
    j.BeginObject();
    j.Key("id").Int(pod->id);
    j.Key("name").Str(pod->name);
    j.Key("resource_uri");
    Uri(j, "pods", pod->id);
    j.EndObject();
  } else {
    j.Null();
  }
  j.Key("pool").Raw(ctx.Pool(m.pool_id));
  j.Key("power_state").Str(m.power_state);
  j.Key("power_type").Str(m.power_type);
  j.Key("raids").EmptyArray();
  j.Key("resource_uri");
  Uri(j, "machines", m.system_id);
  j.Key("special_filesystems").EmptyArray();
  j.Key("status").Int(m.status);
  j.Key("status_action").Str("");
  j.Key("status_message").StrOrNull(m.status_message);
  j.Key("status_name").Str(StatusName(m.status));
  uint64_t bytes = 0;
  for (const auto& d : m.disks) bytes += d.size;
  j.Key("storage").Double(static_cast<double>(bytes) / 1e6);  // MAAS reports MB as a float
  j.Key("storage_test_status").Int(2);
  j.Key("storage_test_status_name").Str("Passed");
  j.Key("swap_size").Null();
  j.Key("system_id").Str(m.system_id);
  j.Key("tag_names").Strings(m.tags);
  j.Key("testing_status").Int(2);
  j.Key("testing_status_name").Str("Passed");
  j.Key("virtualblockdevice_set").EmptyArray();
  j.Key("virtualmachine_id");
  if (pod)
    j.Int(m.id);
  else
    j.Null();
  j.Key("volume_groups").EmptyArray();
  j.Key("workload_annotations").Copy(annotations_begin, annotations_end);
  j.Key("zone").Raw(ctx.Zone(m.zone_id));
  j.EndObject();
}

void WriteVmHost(JsonWriter& j, RenderContext& ctx, const VmHost& h, const VmHostUsage& u,
                 const std::string& collection) {
  const World& w = ctx.world();
  int64_t total_storage = 0;
  for (const auto& p : h.storage_pools) total_storage += static_cast<int64_t>(p.total);
  auto used_storage = static_cast<int64_t>(u.local_storage);
  j.BeginObject();
  j.Key("architectures").BeginArray().Str("amd64/generic").EndArray();
  // As in the fixtures: available = total - used (over-commit is applied when composing).
  j.Key("available");
  WriteTriple(j, h.cores - u.cores, h.memory - u.memory, total_storage - used_storage);
  j.Key("capabilities").BeginArray();
  for (const char* c : {"composable", "dynamic_local_storage", "over_commit", "storage_pools"})
    j.Str(c);
  j.EndArray();
  j.Key("cpu_over_commit_ratio").Double(h.cpu_over_commit_ratio);
  j.Key("default_macvlan_mode").Str("");
  j.Key("host").BeginObject();
  j.Key("__incomplete__").Bool(true);
  j.Key("system_id").Str(w.machines.at(h.host_machine_id).system_id);
  j.EndObject();
  j.Key("id").Int(h.id);
  j.Key("memory_over_commit_ratio").Double(h.memory_over_commit_ratio);
  j.Key("name").Str(h.name);
  j.Key("pool").Raw(ctx.Pool(h.pool_id));
  j.Key("resource_uri");
  Uri(j, collection, h.id);
  j.Key("storage_pools").BeginArray();
  for (const auto& p : h.storage_pools) {
    auto used_it = u.per_pool.find(p.id);
    auto used = static_cast<int64_t>(used_it == u.per_pool.end() ? 0 : used_it->second);
    auto total = static_cast<int64_t>(p.total);
    j.BeginObject();
    j.Key("available").Int(total - used);
    j.Key("default").Bool(p.is_default);
    j.Key("id").Str(p.id);
    j.Key("name").Str(p.name);
    j.Key("path").Str(p.path);
    j.Key("total").Int(total);
    j.Key("type").Str(p.type);
    j.Key("used").Int(used);
    j.EndObject();
  }
  j.EndArray();
  j.Key("tags").Strings(h.tags);
  j.Key("total");
  WriteTriple(j, h.cores, h.memory, total_storage);
  j.Key("type").Str(h.type);
  j.Key("used");
  WriteTriple(j, u.cores, u.memory, used_storage);
  j.Key("version").Str(h.version);
  j.Key("zone").Raw(ctx.Zone(h.zone_id));
  j.EndObject();
}

std::string RenderMachine(const World& w, const Machine& m) {
  std::string out;
  out.reserve(8192);
  JsonWriter j(out);
  RenderContext ctx(w);
  WriteMachine(j, ctx, m);
  return out;
}

std::string RenderVmHost(const World& w, const VmHost& h, const std::string& collection) {
  std::string out;
  out.reserve(2048);
  JsonWriter j(out);
  RenderContext ctx(w);
  WriteVmHost(j, ctx, h, w.Usage(h), collection);
  return out;
}

}  // namespace maassim
