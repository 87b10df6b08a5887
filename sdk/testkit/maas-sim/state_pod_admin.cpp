// VM host (pod) administration: update (MAAS's PodForm fields) and delete.
#include <sstream>

#include "render.hpp"
#include "state.hpp"

namespace maassim {

namespace {

const char* const kInvalidChoice =
    "Select a valid choice. That choice is not one of the available choices.";

// PodForm's FloatField(min_value=0, max_value=10) for the over-commit ratios.
double RatioField(const Params& p, const std::string& key, double current) {
  std::string v = p.Get(key);
  if (v.empty()) return current;  // required=False: an empty value keeps the ratio
  double n = 0;
  try {
    size_t used = 0;
    n = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(key);
  } catch (const std::logic_error&) {
    throw ApiError(400, FieldError(key, "Enter a number."), true);
  }
  if (n < 0)
    throw ApiError(400, FieldError(key, "Ensure this value is greater than or equal to 0."), true);
  if (n > 10)
    throw ApiError(400, FieldError(key, "Ensure this value is less than or equal to 10."), true);
  return n;
}

// PodForm takes `tags` as one comma-separated string; repeated keys are accepted too.
std::vector<std::string> SplitTags(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::istringstream in(v);
    std::string tag;
    while (std::getline(in, tag, ',')) {
      auto b = tag.find_first_not_of(" \t"), e = tag.find_last_not_of(" \t");
      if (b != std::string::npos) out.push_back(tag.substr(b, e - b + 1));
    }
  }
  return out;
}

}  // namespace

std::string State::UpdateVmHost(const std::string& id, const Params& p,
                                const std::string& collection) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  VmHost& h = VmHostOr404(id);
  VmHost updated = h;  // validate everything before changing anything
  if (p.Has("name")) {
    std::string name = p.Get("name");
    for (const auto& [oid, other] : w_.vm_hosts)
      if (oid != h.id && other.name == name)
        throw ApiError(400, FieldError("name", "BMC with this Name already exists."), true);
    if (!name.empty()) updated.name = name;
  }
  if (p.Has("zone") && !p.Get("zone").empty()) {
    const Zone* z = w_.FindZoneByName(p.Get("zone"));
    if (!z) throw ApiError(400, FieldError("zone", kInvalidChoice), true);
    updated.zone_id = z->id;
  }
  if (p.Has("pool") && !p.Get("pool").empty()) {
    const Pool* pool = w_.FindPoolByName(p.Get("pool"));
    if (!pool) throw ApiError(400, FieldError("pool", kInvalidChoice), true);
    updated.pool_id = pool->id;
  }
  updated.cpu_over_commit_ratio =
      RatioField(p, "cpu_over_commit_ratio", updated.cpu_over_commit_ratio);
  updated.memory_over_commit_ratio =
      RatioField(p, "memory_over_commit_ratio", updated.memory_over_commit_ratio);
  if (p.Has("tags")) updated.tags = SplitTags(p.GetAll("tags"));
  if (p.Has("power_address") && !p.Get("power_address").empty())
    updated.power_address = p.Get("power_address");
  if (p.Has("project") && !p.Get("project").empty()) updated.project = p.Get("project");
  for (const auto& t : updated.tags)
    if (!w_.tags.count(t)) w_.tags[t] = Tag{t, "", "", ""};
  h = updated;
  return RenderVmHost(w_, h, collection);
}

void State::DeleteVmHost(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  VmHost& h = VmHostOr404(id);
  // MAAS decomposes every VM of the host, then removes the host; its machine stays deployed.
  for (auto it = w_.machines.begin(); it != w_.machines.end();) {
    if (it->second.pod_id != h.id) {
      ++it;
      continue;
    }
    ReleaseMachineIps(it->second);
    w_.Unindex(it->second);
    it = w_.machines.erase(it);
  }
  if (auto backing = w_.machines.find(h.host_machine_id); backing != w_.machines.end())
    backing->second.hosts_vm_host.reset();
  w_.vm_hosts.erase(h.id);
}

bool State::FailNextCommissioningOn(const std::string& id) {
  std::lock_guard lock(mu_);
  try {
    VmHostOr404(id).fail_next_commissioning = true;
  } catch (const ApiError&) {
    return false;
  }
  return true;
}

}  // namespace maassim
