#include "placement.hpp"

#include <algorithm>

namespace maasprov::lxd {
namespace {

std::string names(const std::vector<VmHostInfo>& hosts, size_t max = 8) {
  std::string out;
  for (size_t i = 0; i < hosts.size() && i < max; ++i) {
    out += (out.empty() ? "" : ", ") + hosts[i].name;
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

template <typename Pred>
std::vector<VmHostInfo> keep(const std::vector<VmHostInfo>& in, Pred pred) {
  std::vector<VmHostInfo> out;
  for (const auto& h : in) {
    if (pred(h)) out.push_back(h);
  }
  return out;
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

// Filters 6 and 7, on the hosts' backing machines. Throws PlacementError.
std::vector<VmHostInfo> onBackingMachines(std::vector<VmHostInfo> hosts,
                                          const PlacementRequest& req,
                                          const PlacementRules& rules) {
  const LxdSpec& lxd = req.lxd;
  if (!lxd.bridge.empty() || !lxd.devices.empty()) {
    std::string seen;
    for (const auto& h : hosts) {
      std::string ifs;
      for (const auto& [n, t] : h.backing.interfaces)
        ifs += (ifs.empty() ? "" : ", ") + n + " (" + t + ")";
      seen += (seen.empty() ? "" : "; ") + h.name + ": " + (ifs.empty() ? "none" : ifs);
    }
    std::vector<VmHostInfo> in = keep(hosts, [&](const VmHostInfo& h) {
      if (!lxd.bridge.empty() && !h.hasInterface(lxd.bridge, true)) return false;
      return std::all_of(lxd.devices.begin(), lxd.devices.end(),
                         [&h](const std::string& d) { return h.hasInterface(d, false); });
    });
    if (in.empty()) {
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
    hosts = std::move(in);
  }

  std::string why;
  std::vector<VmHostInfo> usable = keep(hosts, [&](const VmHostInfo& h) {
    std::string u = unusable(h, rules);
    if (!u.empty()) why += (why.empty() ? "" : "; ") + h.name + ": " + u;
    return u.empty();
  });
  if (usable.empty()) {
    throw PlacementError(
        ErrorType::HostUnavailable, "HostUnavailable",
        "every LXD VM host matching " + placementText(req) + " is unusable now (" + why + ")",
        hosts.size() == 1 ? hosts.front().name : std::string());
  }
  return usable;
}

}  // namespace

std::vector<VmHostInfo> qualifyingHosts(const MaasClient& maas, const PlacementRequest& req,
                                        const PlacementRules& rules, ProjectCache& projects,
                                        BackingMachineCache& backing) {
  const LxdSpec& lxd = req.lxd;
  const std::vector<VmHostInfo> listed = listVmHosts(maas);
  projects.retain(listed);
  backing.retain(listed);
  const std::vector<VmHostInfo> lxdHosts =
      keep(listed, [](const VmHostInfo& h) { return h.type == "lxd"; });

  std::vector<VmHostInfo> hosts = lxdHosts;
  if (!lxd.vmHost.empty()) {
    hosts = keep(hosts, [&](const VmHostInfo& h) {
      return h.name == lxd.vmHost || std::to_string(h.id) == lxd.vmHost;
    });
    if (hosts.empty()) {
      // Retried slowly rather than terminal: an operator may still add the VM host.
      PlacementError e(ErrorType::InvalidSpec, "VMHostNotFound",
                       "spec.lxdConfig.vmHost: MAAS has no LXD VM host named or numbered \"" +
                           lxd.vmHost + "\" (GET vm-hosts/ lists: " + names(lxdHosts) + ")");
      e.retryable(true).requeueAfterSeconds(300);
      throw e;
    }
  }
  const common::AllocateConstraints& c = req.constraints;
  hosts = keep(hosts, [&](const VmHostInfo& h) {
    if (!c.zone.empty() ? h.zone != c.zone
                        : !req.clusterZones.empty() && !contains(req.clusterZones, h.zone)) {
      return false;
    }
    if (!c.pool.empty() && h.pool != c.pool) return false;
    return std::all_of(c.tags.begin(), c.tags.end(),
                       [&h](const std::string& t) { return h.hasTag(t); });
  });
  if (hosts.empty()) {
    throw PlacementError(ErrorType::HostUnavailable, "NoMatchingHost",
                         "no LXD VM host matches " + placementText(req) +
                             " (GET vm-hosts/ lists LXD hosts: " + names(lxdHosts) + ")");
  }

  if (!lxd.project.empty()) {
    std::string seen;
    bool cached = false;
    for (auto& h : hosts) {
      cached = projects.fill(maas, h) || cached;
      seen += (seen.empty() ? "" : ", ") + h.name + ": " + h.project;
    }
    std::vector<VmHostInfo> in =
        keep(hosts, [&](const VmHostInfo& h) { return h.project == lxd.project; });
    if (in.empty() && cached) {
      // Terminal: never on a cached project an operator may have changed since. Read again.
      seen.clear();
      for (auto& h : hosts) {
        projects.fill(maas, h, true);
        seen += (seen.empty() ? "" : ", ") + h.name + ": " + h.project;
      }
      in = keep(hosts, [&](const VmHostInfo& h) { return h.project == lxd.project; });
    }
    if (in.empty()) {
      throw PlacementError(ErrorType::ProjectNotFound, "ProjectNotFound",
                           "spec.lxdConfig.project: no VM host matching " + placementText(req) +
                               " uses LXD project \"" + lxd.project +
                               "\" (looked at the VM host parameters: " + seen + ")");
    }
    hosts = std::move(in);
  }

  if (!lxd.profile.empty() && lxd.profile != "default") {
    const std::string tag = rules.profileTagPrefix + lxd.profile;
    std::vector<VmHostInfo> in = keep(hosts, [&](const VmHostInfo& h) { return h.hasTag(tag); });
    if (in.empty()) {
      throw PlacementError(ErrorType::ProfileNotFound, "ProfileNotFound",
                           "spec.lxdConfig.profile: no VM host matching " + placementText(req) +
                               " advertises LXD profile \"" + lxd.profile + "\" (looked for tag " +
                               tag + " on: " + names(hosts) + ")");
    }
    hosts = std::move(in);
  }

  if (!lxd.storagePool.empty()) {
    std::string seen;
    for (const auto& h : hosts) seen += (seen.empty() ? "" : "; ") + h.name + ": " + h.poolNames();
    std::vector<VmHostInfo> in =
        keep(hosts, [&](const VmHostInfo& h) { return h.storagePool(lxd.storagePool) != nullptr; });
    if (in.empty()) {
      throw PlacementError(ErrorType::InvalidSpec, "StoragePoolNotFound",
                           "spec.lxdConfig.storage.pool: no VM host matching " +
                               placementText(req) + " has storage pool \"" + lxd.storagePool +
                               "\" (looked at storage_pools of " + seen + ")");
    }
    hosts = std::move(in);
  }

  // Placement fails only on backing machines read for it: an operator may have added the
  // bridge or ended the maintenance since the cached read.
  if (backing.fill(maas, hosts)) {
    try {
      return onBackingMachines(hosts, req, rules);
    } catch (const PlacementError&) {
      backing.fill(maas, hosts, true);
    }
  }
  return onBackingMachines(hosts, req, rules);
}

}  // namespace maasprov::lxd
