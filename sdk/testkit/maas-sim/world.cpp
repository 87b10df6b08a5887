#include "world.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "params.hpp"

namespace maassim {

namespace {
// NODE_STATUS_CHOICES display names, indexed by status number.
const std::array<const char*, 23> kStatusNames = {"New",
                                                  "Commissioning",
                                                  "Failed commissioning",
                                                  "Missing",
                                                  "Ready",
                                                  "Reserved",
                                                  "Deployed",
                                                  "Retired",
                                                  "Broken",
                                                  "Deploying",
                                                  "Allocated",
                                                  "Failed deployment",
                                                  "Releasing",
                                                  "Releasing failed",
                                                  "Disk erasing",
                                                  "Failed disk erasing",
                                                  "Rescue mode",
                                                  "Entering rescue mode",
                                                  "Failed to enter rescue mode",
                                                  "Exiting rescue mode",
                                                  "Failed to exit rescue mode",
                                                  "Testing",
                                                  "Failed testing"};
// NODE_STATUS attribute names, lower-cased: what the status= filter accepts.
const std::array<const char*, 23> kShortLabels = {"new",
                                                  "commissioning",
                                                  "failed_commissioning",
                                                  "missing",
                                                  "ready",
                                                  "reserved",
                                                  "deployed",
                                                  "retired",
                                                  "broken",
                                                  "deploying",
                                                  "allocated",
                                                  "failed_deployment",
                                                  "releasing",
                                                  "failed_releasing",
                                                  "disk_erasing",
                                                  "failed_disk_erasing",
                                                  "rescue_mode",
                                                  "entering_rescue_mode",
                                                  "failed_entering_rescue_mode",
                                                  "exiting_rescue_mode",
                                                  "failed_exiting_rescue_mode",
                                                  "testing",
                                                  "failed_testing"};
}  // namespace

std::string StatusName(int status) {
  return status >= 0 && status < static_cast<int>(kStatusNames.size()) ? kStatusNames[status] : "";
}

std::string StatusShortLabel(int status) {
  return status >= 0 && status < static_cast<int>(kShortLabels.size()) ? kShortLabels[status] : "";
}

int StatusFromShortLabel(const std::string& label) {
  for (size_t i = 0; i < kShortLabels.size(); ++i)
    if (label == kShortLabels[i]) return static_cast<int>(i);
  return -1;
}

World::World(Inventory inv, Timings t, uint64_t seed)
    : user(inv.user),
      allocate_composes(inv.allocate_composes),
      pod_constraints_pods_only(inv.pod_constraints_pods_only),
      timings(t),
      rng_state_(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {
  for (auto& z : inv.zones) zones[z.id] = z;
  for (auto& p : inv.pools) pools[p.id] = p;
  for (auto& d : inv.domains) domains[d.id] = d;
  for (auto& s : inv.subnets) subnets[s.id] = s;
  for (auto& tag : inv.tags) tags[tag.name] = tag;
  for (auto& h : inv.vm_hosts) vm_hosts[h.id] = h;
  for (auto& d : inv.dns_resources) {
    dns[d.id] = d;
    last_dns_id_ = std::max(last_dns_id_, d.id);
  }
  for (auto& m : inv.machines) {
    for (auto& i : m.interfaces) {
      last_interface_id_ = std::max(last_interface_id_, i.id);
      // Machines listed as deployed already hold their addresses.
      if (m.status == kDeployed && i.subnet_id >= 0 && subnets.count(i.subnet_id))
        i.ip = AllocateIp(i.subnet_id);
    }
    for (auto& d : m.disks) last_block_id_ = std::max(last_block_id_, d.id);
    last_machine_id_ = std::max(last_machine_id_, m.id);
    machines[m.id] = m;
    Index(m);
  }
}

Machine* World::FindMachine(const std::string& system_id) {
  auto it = by_system_id_.find(system_id);
  return it == by_system_id_.end() ? nullptr : &machines.at(it->second);
}

Machine* World::FindMachineByHostname(const std::string& hostname) {
  for (auto& [id, m] : machines)
    if (m.hostname == hostname) return &m;
  return nullptr;
}

const Zone* World::FindZoneByName(const std::string& name) const {
  for (const auto& [id, z] : zones)
    if (z.name == name) return &z;
  return nullptr;
}

const Pool* World::FindPoolByName(const std::string& name) const {
  for (const auto& [id, p] : pools)
    if (p.name == name) return &p;
  return nullptr;
}

const Domain* World::FindDomainByName(const std::string& name) const {
  for (const auto& [id, d] : domains)
    if (d.name == name) return &d;
  return nullptr;
}

const Domain& World::DefaultDomain() const {
  for (const auto& [id, d] : domains)
    if (d.is_default) return d;
  return domains.begin()->second;
}

std::string World::Fqdn(const Machine& m) const {
  auto it = domains.find(m.domain_id);
  return it == domains.end() ? m.hostname : m.hostname + "." + it->second.name;
}

void World::Schedule(Machine& m, int next_status, double seconds) {
  m.next_status = next_status;
  m.due = Clock::now() +
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  pending_.emplace(*m.due, m.id);
}

void World::Advance(Clock::time_point now) {
  while (!pending_.empty() && pending_.begin()->first <= now) {
    const auto [due, id] = *pending_.begin();
    pending_.erase(pending_.begin());
    auto mit = machines.find(id);
    if (mit == machines.end() || mit->second.due != due) continue;  // stale entry
    Machine& m = mit->second;
    m.due.reset();
    int from = m.status;
    m.status = m.next_status;
    if (from == kReleasing) {
      // MAAS clears ownership and the deployment's traces once the release completes.
      m.owner.clear();
      m.agent_name.clear();
      m.workload_annotations.clear();
      m.osystem.clear();
      m.distro_series.clear();
      m.hwe_kernel.clear();
      m.user_data.clear();
      for (auto& i : m.interfaces) {
        if (!i.ip.empty() && (i.ip_mode == "auto" || m.dynamic)) {
          ReleaseIp(i.ip);
          i.ip.clear();
        }
      }
      if (m.dynamic) {  // a VM composed by allocate is decomposed once released
        Unindex(m);
        machines.erase(mit);
        continue;
      }
    }
    if (m.status == kDeployed) {
      m.status_message = "Deployed";
    } else if (m.status == kFailedDeployment) {
      m.status_message = "Failed deployment";
      m.power_state = "off";
    } else if (m.status == kFailedCommissioning) {
      m.status_message = "Failed commissioning";
      m.power_state = "off";
    } else if (m.status == kReady) {
      m.status_message = "";
      m.power_state = "off";
    }
  }
}

std::string World::AllocateIp(int subnet_id) {
  const Subnet& s = subnets.at(subnet_id);
  uint32_t size = s.prefix >= 32 ? 1 : (uint32_t{1} << (32 - s.prefix));
  uint32_t gateway = 0;
  if (!s.gateway_ip.empty()) ParseIpv4(s.gateway_ip, gateway);
  // Network and broadcast addresses are never handed out.
  for (uint32_t ip = s.network + 1; ip < s.network + size - 1; ++ip) {
    if (ip == gateway || used_ips_.count(ip)) continue;
    bool in_range = std::any_of(s.ranges.begin(), s.ranges.end(),
                                [ip](const IpRange& r) { return ip >= r.start && ip <= r.end; });
    if (in_range) continue;
    used_ips_.insert(ip);
    return FormatIpv4(ip);
  }
  throw ApiError(503, "No more IPs available in subnet: " + s.cidr + ".");
}

bool World::ClaimIp(int subnet_id, const std::string& ip) {
  uint32_t v = 0;
  if (!ParseIpv4(ip, v)) return false;
  const Subnet& s = subnets.at(subnet_id);
  uint32_t mask = ~uint32_t{0} << (32 - s.prefix);
  if ((v & mask) != s.network || used_ips_.count(v)) return false;
  used_ips_.insert(v);
  return true;
}

void World::ReleaseIp(const std::string& ip) {
  uint32_t v = 0;
  if (ParseIpv4(ip, v)) used_ips_.erase(v);
}

VmHostUsage World::Usage(const VmHost& host) const {
  VmHostUsage u;
  for (const auto& [id, m] : machines) {
    if (m.pod_id != host.id) continue;
    u.cores += m.cpu_count;
    u.memory += m.memory;
    for (const auto& d : m.disks) {
      u.local_storage += d.size;
      u.per_pool[d.storage_pool] += d.size;
    }
  }
  return u;
}

std::map<int, VmHostUsage> World::UsageByHost() const {
  std::map<int, VmHostUsage> out;
  for (const auto& [id, m] : machines) {
    if (!m.pod_id) continue;
    VmHostUsage& u = out[*m.pod_id];
    u.cores += m.cpu_count;
    u.memory += m.memory;
    for (const auto& d : m.disks) {
      u.local_storage += d.size;
      u.per_pool[d.storage_pool] += d.size;
    }
  }
  return out;
}

std::string World::NewSystemId() {
  static const char kAlphabet[] = "abcdefghjkmnpqrstuvwxy0123456789";
  for (;;) {
    std::string id;
    for (int i = 0; i < 6; ++i) {
      rng_state_ = rng_state_ * 6364136223846793005ull + 1442695040888963407ull;
      id += kAlphabet[(rng_state_ >> 33) % (sizeof(kAlphabet) - 1)];
    }
    if (!by_system_id_.count(id)) return id;
  }
}

std::string World::NewMac() {
  rng_state_ = rng_state_ * 6364136223846793005ull + 1442695040888963407ull;
  uint64_t v = rng_state_ >> 16;
  char buf[18];
  std::snprintf(buf, sizeof buf, "00:16:3e:%02x:%02x:%02x", static_cast<unsigned>(v & 255),
                static_cast<unsigned>((v >> 8) & 255), static_cast<unsigned>((v >> 16) & 255));
  return buf;
}

}  // namespace maassim
