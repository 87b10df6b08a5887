#include "placement.hpp"

#include <algorithm>
#include <cstddef>

namespace maasprov::lxd {
namespace {

const VmHostInfo& deref(const VmHostInfo& h) {
  return h;
}
const VmHostInfo& deref(const VmHostInfo* h) {
  return *h;
}

template <typename Hosts>
std::string names(const Hosts& hosts, size_t max = 8) {
  std::string out;
  for (size_t i = 0; i < hosts.size() && i < max; ++i) {
    out += (out.empty() ? "" : ", ") + deref(hosts[i]).name;
  }
  if (hosts.size() > max) out += ", ... (" + std::to_string(hosts.size()) + " in all)";
  return out.empty() ? "none" : out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Drops the hosts whose flag is 0, in place (no copies of the survivors).
void compact(std::vector<VmHostInfo>& hosts, const std::vector<char>& kept) {
  size_t n = 0;
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (kept[i] == 0) continue;
    if (n != i) hosts[n] = std::move(hosts[i]);
    ++n;
  }
  hosts.erase(hosts.begin() + static_cast<std::ptrdiff_t>(n), hosts.end());
}

// Keeps the hosts for which pred holds (called once per host), in place; when none does, keeps
// them all and answers false, so that the error can name them.
template <typename Pred>
bool keepIf(std::vector<VmHostInfo>& hosts, Pred pred) {
  std::vector<char> kept(hosts.size(), 0);
  bool any = false;
  for (size_t i = 0; i < hosts.size(); ++i) {
    kept[i] = pred(hosts[i]) ? 1 : 0;
    any = any || kept[i] != 0;
  }
  if (any) compact(hosts, kept);
  return any;
}

std::string placementText(const PlacementRequest& r) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (!r.constraints.zone.empty()) {
    add("zone " + r.constraints.zone);
  } else if (!r.clusterZones.empty()) {
    add("the cluster's zones (" + joined(r.clusterZones) + ")");
  }
  if (!r.constraints.pool.empty()) add("resource pool " + r.constraints.pool);
  if (!r.constraints.tags.empty()) add("tags " + joined(r.constraints.tags));
  if (!r.lxd.vmHost.empty()) add("vmHost " + r.lxd.vmHost);
  return out.empty() ? "any placement" : out;
}

// Why a host cannot take VMs now; "" when it can.
std::string unusable(const VmHostInfo& h, const PlacementRules& rules) {
  for (const auto& t : rules.unschedulableTags) {
    if (h.hasTag(t)) return "VM host tagged " + t;
    if (contains(h.backing.tags, t)) return "backing machine tagged " + t;
  }
  if (!h.backing.known) return "backing machine not found in MAAS";
  if (h.backing.statusName != "Deployed") {
    return "backing machine " + h.backing.systemId + " is " + h.backing.statusName +
           ", not Deployed";
  }
  if (h.backing.powerState != "on") {
    return "backing machine " + h.backing.systemId + " is powered " + h.backing.powerState;
  }
  return {};
}

// Filters 6 and 7, on the hosts' backing machines, in place. Throws PlacementError, leaving
// `hosts` untouched (the caller may judge them again on a fresh read).
void onBackingMachines(std::vector<VmHostInfo>& hosts, const PlacementRequest& req,
                       const PlacementRules& rules) {
  const LxdSpec& lxd = req.lxd;
  std::vector<char> kept(hosts.size(), 1);
  if (!lxd.bridge.empty() || !lxd.devices.empty()) {
    std::string seen;
    for (const auto& h : hosts) {
      std::string ifs;
      for (const auto& [n, t] : h.backing.interfaces)
        ifs += (ifs.empty() ? "" : ", ") + n + " (" + t + ")";
      seen += (seen.empty() ? "" : "; ") + h.name + ": " + (ifs.empty() ? "none" : ifs);
    }
    bool any = false;
    for (size_t i = 0; i < hosts.size(); ++i) {
      const VmHostInfo& h = hosts[i];
      const bool ok = (lxd.bridge.empty() || h.hasInterface(lxd.bridge, true)) &&
                      std::all_of(lxd.devices.begin(), lxd.devices.end(),
                                  [&h](const std::string& d) { return h.hasInterface(d, false); });
      kept[i] = ok ? 1 : 0;
      any = any || ok;
    }
    if (!any) {
      std::string what = !lxd.bridge.empty()
                             ? "spec.lxdConfig.network.bridge: no VM host matching " +
                                   placementText(req) + " has bridge \"" + lxd.bridge + "\""
                             : "spec.lxdConfig.network.devices: no VM host "
                               "matching " +
                                   placementText(req) + " has every device of [" +
                                   joined(lxd.devices) + "]";
      if (!lxd.bridge.empty() && !lxd.devices.empty())
        what += " and every device of [" + joined(lxd.devices) + "]";
      throw PlacementError(
          ErrorType::InvalidSpec, "BridgeNotFound",
          what + " (looked at the interfaces of their backing machines: " + seen + ")");
    }
  }

  std::string why;
  bool any = false;
  size_t judged = 0;
  const VmHostInfo* last = nullptr;
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (kept[i] == 0) continue;
    ++judged;
    last = &hosts[i];
    const std::string u = unusable(hosts[i], rules);
    if (u.empty()) {
      any = true;
    } else {
      why += (why.empty() ? "" : "; ") + hosts[i].name + ": " + u;
      kept[i] = 0;
    }
  }
  if (!any) {
    throw PlacementError(
        ErrorType::HostUnavailable, "HostUnavailable",
        "every LXD VM host matching " + placementText(req) + " is unusable now (" + why + ")",
        judged == 1 ? last->name : std::string());
  }
  compact(hosts, kept);
}

}  // namespace

std::vector<VmHostInfo> qualifyingHosts(const MaasClient& maas,
                                        const std::vector<VmHostInfo>& listed,
                                        const PlacementRequest& req, const PlacementRules& rules,
                                        ProjectCache& projects, BackingMachineCache& backing) {
  const LxdSpec& lxd = req.lxd;
  // Filters 1 and 2 on pointers into the (shared) listing; only the survivors are copied.
  std::vector<const VmHostInfo*> lxdHosts;
  lxdHosts.reserve(listed.size());
  for (const auto& h : listed) {
    if (h.type == "lxd") lxdHosts.push_back(&h);
  }
  std::vector<const VmHostInfo*> matching;
  matching.reserve(lxdHosts.size());
  const common::AllocateConstraints& c = req.constraints;
  bool pinnedFound = lxd.vmHost.empty();
  for (const VmHostInfo* h : lxdHosts) {
    if (!lxd.vmHost.empty()) {
      if (h->name != lxd.vmHost && std::to_string(h->id) != lxd.vmHost) continue;
      pinnedFound = true;
    }
    if (!c.zone.empty() ? h->zone != c.zone
                        : !req.clusterZones.empty() && !contains(req.clusterZones, h->zone)) {
      continue;
    }
    if (!c.pool.empty() && h->pool != c.pool) continue;
    if (std::all_of(c.tags.begin(), c.tags.end(),
                    [h](const std::string& t) { return h->hasTag(t); })) {
      matching.push_back(h);
    }
  }
  if (!pinnedFound) {
    // Retried slowly rather than terminal: an operator may still add the VM host.
    PlacementError e(ErrorType::InvalidSpec, "VMHostNotFound",
                     "spec.lxdConfig.vmHost: MAAS has no LXD VM host named or numbered \"" +
                         lxd.vmHost + "\" (GET vm-hosts/ lists: " + names(lxdHosts) + ")");
    e.retryable(true).requeueAfterSeconds(300);
    throw e;
  }
  if (matching.empty()) {
    throw PlacementError(ErrorType::HostUnavailable, "NoMatchingHost",
                         "no LXD VM host matches " + placementText(req) +
                             " (GET vm-hosts/ lists LXD hosts: " + names(lxdHosts) + ")");
  }
  std::vector<VmHostInfo> hosts;
  hosts.reserve(matching.size());
  for (const VmHostInfo* h : matching) hosts.push_back(*h);

  if (!lxd.project.empty()) {
    std::string seen;
    bool cached = false;
    for (auto& h : hosts) {
      cached = projects.fill(maas, h) || cached;
      seen += (seen.empty() ? "" : ", ") + h.name + ": " + h.project;
    }
    auto inProject = [&](const VmHostInfo& h) { return h.project == lxd.project; };
    bool any = keepIf(hosts, inProject);
    if (!any && cached) {
      // Terminal: never on a cached project an operator may have changed since. Read again.
      seen.clear();
      for (auto& h : hosts) {
        projects.fill(maas, h, true);
        seen += (seen.empty() ? "" : ", ") + h.name + ": " + h.project;
      }
      any = keepIf(hosts, inProject);
    }
    if (!any) {
      throw PlacementError(ErrorType::ProjectNotFound, "ProjectNotFound",
                           "spec.lxdConfig.project: no VM host matching " + placementText(req) +
                               " uses LXD project \"" + lxd.project +
                               "\" (looked at the VM host parameters: " + seen + ")");
    }
  }

  if (!lxd.profile.empty() && lxd.profile != "default") {
    const std::string tag = rules.profileTagPrefix + lxd.profile;
    if (!keepIf(hosts, [&](const VmHostInfo& h) { return h.hasTag(tag); })) {
      throw PlacementError(ErrorType::ProfileNotFound, "ProfileNotFound",
                           "spec.lxdConfig.profile: no VM host matching " + placementText(req) +
                               " advertises LXD profile \"" + lxd.profile + "\" (looked for tag " +
                               tag + " on: " + names(hosts) + ")");
    }
  }

  if (!lxd.storagePool.empty()) {
    std::string seen;
    for (const auto& h : hosts) seen += (seen.empty() ? "" : "; ") + h.name + ": " + h.poolNames();
    if (!keepIf(hosts,
                [&](const VmHostInfo& h) { return h.storagePool(lxd.storagePool) != nullptr; })) {
      throw PlacementError(ErrorType::InvalidSpec, "StoragePoolNotFound",
                           "spec.lxdConfig.storage.pool: no VM host matching " +
                               placementText(req) + " has storage pool \"" + lxd.storagePool +
                               "\" (looked at storage_pools of " + seen + ")");
    }
  }

  // Placement fails only on backing machines read for it: an operator may have added the
  // bridge or ended the maintenance since the cached read.
  if (backing.fill(maas, hosts)) {
    try {
      onBackingMachines(hosts, req, rules);
      return hosts;
    } catch (const PlacementError&) {
      backing.fill(maas, hosts, true);
    }
  }
  onBackingMachines(hosts, req, rules);
  return hosts;
}

}  // namespace maasprov::lxd
