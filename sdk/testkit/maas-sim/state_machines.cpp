// Machine operations: list, allocate, deploy, release, power, annotations, update, delete.
#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "constraints.hpp"
#include "render.hpp"
#include "state.hpp"

namespace maassim {

std::string FieldError(const std::string& field, const std::string& message) {
  Poco::JSON::Object o;
  auto a = Poco::makeShared<Poco::JSON::Array>();
  a->add(message);
  o.set(field, a);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

State::State(Inventory inventory, Timings timings, uint64_t seed)
    : w_(std::move(inventory), timings, seed) {}

Machine& State::MachineOr404(const std::string& id) {
  Machine* m = w_.FindMachine(id);
  if (!m) throw ApiError(404, "No Machine matches the given query.");
  return *m;
}

void State::ReleaseMachineIps(Machine& m) {
  for (auto& i : m.interfaces) {
    if (!i.ip.empty()) w_.ReleaseIp(i.ip);
    i.ip.clear();
  }
}

void State::AssignDeployIps(Machine& m) {
  // Claim every AUTO address first, undoing all of them if the subnet runs dry.
  std::vector<Interface*> claimed;
  try {
    for (auto& i : m.interfaces) {
      if (!i.ip.empty() || i.subnet_id < 0 || !w_.subnets.count(i.subnet_id)) continue;
      i.ip = w_.AllocateIp(i.subnet_id);
      i.ip_mode = "auto";
      claimed.push_back(&i);
    }
  } catch (const ApiError&) {
    for (auto* i : claimed) {
      w_.ReleaseIp(i->ip);
      i->ip.clear();
    }
    throw;
  }
}

std::string State::ListMachines(const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Constraints c(w_, p, Constraints::Form::kList);
  std::vector<const Machine*> matched;
  if (const auto* ids = c.Values("id")) {
    // Only the named machines can match: find them by system_id, in list (id) order.
    std::map<int, const Machine*> named;
    for (const auto& system_id : *ids)
      if (const Machine* m = w_.FindMachine(system_id)) named.emplace(m->id, m);
    for (const auto& [id, m] : named)
      if (c.Matches(w_, *m)) matched.push_back(m);
  } else {
    for (const auto& [id, m] : w_.machines)
      if (c.Matches(w_, m)) matched.push_back(&m);
  }
  constexpr size_t kTypicalMachineBytes = 6144;  // one NIC, one disk: ~5 KB; saves regrowths
  std::string out;
  out.reserve(matched.size() * kTypicalMachineBytes + 2);
  JsonWriter j(out);
  RenderContext ctx(w_);
  j.BeginArray();
  for (const Machine* m : matched) WriteMachine(j, ctx, *m);
  j.EndArray();
  return out;
}

std::string State::Allocate(const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Constraints c(w_, p, Constraints::Form::kAllocate);
  // Available for acquisition: Ready, unowned, unlocked; cheapest first, ties by age.
  Machine* best = nullptr;
  for (auto& [id, m] : w_.machines) {
    if (m.status != kReady || !m.owner.empty() || m.locked || !c.Matches(w_, m)) continue;
    if (!best || AllocationCost(m) < AllocationCost(*best)) best = &m;
  }
  // Nothing matched: MAAS composes a VM on a suitable VM host (not when a system_id is named).
  if (!best && !p.Has("system_id") && w_.allocate_composes) best = ComposeForAllocate(p);
  if (!best) {
    std::string described = c.Describe();
    if (described.empty()) throw ApiError(409, "No machine available.");
    if (p.Has("system_id"))
      throw ApiError(409, "No machine with system ID " + p.Get("system_id") + " available.");
    throw ApiError(409, "No available machine matches constraints: " + c.InputRepr() +
                            " (resolved to \"" + described + "\")");
  }
  if (!c.DryRun()) {
    best->status = kAllocated;
    best->owner = w_.user;
    best->agent_name = p.Get("agent_name");
  }
  return RenderMachine(w_, *best);
}

std::string State::GetMachine(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  return RenderMachine(w_, MachineOr404(id));
}

std::string State::Deploy(const std::string& id, const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = MachineOr404(id);
  std::string user_data;
  if (p.Has("user_data")) {
    // Strict base64 (MAAS's b64decode would fail on bad padding too).
    std::string text;
    for (char c : p.Get("user_data"))
      if (!std::isspace(static_cast<unsigned char>(c))) text += c;
    bool valid = text.size() % 4 == 0 && text.find_first_not_of(
                                             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789+/=") == std::string::npos;
    if (!valid)
      throw ApiError(400, FieldError("user_data", "Invalid base64-encoded user data."), true);
    std::istringstream in(text);
    Poco::Base64Decoder dec(in);
    std::ostringstream out;
    out << dec.rdbuf();
    user_data = out.str();
  }
  if (m.status == kReady) {  // MAAS allocates a Ready machine on deploy
    m.status = kAllocated;
    m.owner = w_.user;
    m.agent_name = p.Get("agent_name");
  }
  if (m.status != kAllocated && m.status != kFailedDeployment) {
    throw ApiError(409,
                   "Can't deploy a machine that is in the '" + StatusName(m.status) + "' state");
  }
  std::string series = p.Get("distro_series", "jammy");
  std::string os = "ubuntu";
  if (auto slash = series.find('/'); slash != std::string::npos) {
    os = series.substr(0, slash);
    series = series.substr(slash + 1);
  }
  AssignDeployIps(m);  // may throw 503 before anything changes
  m.user_data = user_data;
  m.osystem = os;
  m.distro_series = series;
  m.hwe_kernel = p.Get("hwe_kernel");
  m.status = kDeploying;
  m.status_message = "Deploying";
  m.power_state = "on";
  int outcome = m.fail_next_deploy ? kFailedDeployment : kDeployed;
  m.fail_next_deploy = false;
  w_.Schedule(m, outcome, w_.timings.deploy_seconds);
  return RenderMachine(w_, m);
}

std::string State::Release(const std::string& id, const Params&) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = MachineOr404(id);
  static const std::set<int> kReleasable = {kAllocated,         kReserved,       kBroken,
                                            kDeploying,         kDeployed,       kFailedDeployment,
                                            kFailedDiskErasing, kFailedReleasing};
  if (m.status == kReleasing || m.status == kReady) return RenderMachine(w_, m);
  if (!kReleasable.count(m.status))
    throw ApiError(
        409, "Machine cannot be released in its current state ('" + StatusName(m.status) + "').");
  m.status = kReleasing;
  m.status_message = "Releasing";
  w_.Schedule(m, kReady, w_.timings.release_seconds);
  return RenderMachine(w_, m);
}

std::string State::PowerOn(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    w_.Advance(Clock::now());
    Machine& m = MachineOr404(id);
    if (m.status != kAllocated) {
      m.power_state = "on";
      return RenderMachine(w_, m);
    }
  }
  // Powering on an Allocated machine starts its deployment, as in MAAS.
  return Deploy(id, Params());
}

std::string State::PowerOff(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = MachineOr404(id);
  m.power_state = "off";
  return RenderMachine(w_, m);
}

std::string State::QueryPowerState(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  std::string out;
  JsonWriter(out).BeginObject().Key("state").Str(MachineOr404(id).power_state).EndObject();
  return out;
}

std::string State::SetWorkloadAnnotations(const std::string& id, const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = MachineOr404(id);
  for (const auto& key : p.Keys()) {
    if (key == "op") continue;
    std::string value = p.Get(key);
    if (value.empty())
      m.workload_annotations.erase(key);  // an empty value removes the key
    else
      m.workload_annotations[key] = value;
  }
  return RenderMachine(w_, m);
}

std::string State::UpdateMachine(const std::string& id, const Params& p) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = MachineOr404(id);
  const std::string invalid =
      "Select a valid choice. That choice is not one of the available "
      "choices.";
  Machine updated = m;
  if (p.Has("hostname")) {
    std::string h = p.Get("hostname");
    Machine* other = w_.FindMachineByHostname(h);
    if (other && other != &m)
      throw ApiError(
          400, FieldError("hostname", "Node with hostname \"" + h + "\" already exists."), true);
    if (h.empty()) throw ApiError(400, FieldError("hostname", "This field is required."), true);
    updated.hostname = h;
  }
  if (p.Has("zone")) {
    const Zone* z = w_.FindZoneByName(p.Get("zone"));
    if (!z) throw ApiError(400, FieldError("zone", invalid), true);
    updated.zone_id = z->id;
  }
  if (p.Has("pool")) {
    const Pool* pool = w_.FindPoolByName(p.Get("pool"));
    if (!pool) throw ApiError(400, FieldError("pool", invalid), true);
    updated.pool_id = pool->id;
  }
  if (p.Has("domain")) {
    const Domain* d = w_.FindDomainByName(p.Get("domain"));
    if (!d) throw ApiError(400, FieldError("domain", invalid), true);
    updated.domain_id = d->id;
  }
  if (p.Has("description")) updated.description = p.Get("description");
  if (p.Has("power_type")) updated.power_type = p.Get("power_type");
  if (p.Has("architecture")) updated.architecture = p.Get("architecture");
  for (const char* field : {"cpu_count", "memory"}) {
    if (!p.Has(field)) continue;
    try {
      size_t used = 0;
      long long v = std::stoll(p.Get(field), &used);
      if (used != p.Get(field).size() || v < 0) throw std::invalid_argument(field);
      if (std::string(field) == "cpu_count")
        updated.cpu_count = static_cast<int>(v);
      else
        updated.memory = v;
    } catch (const std::logic_error&) {
      throw ApiError(400, FieldError(field, "Enter a whole number."), true);
    }
  }
  m = updated;
  return RenderMachine(w_, m);
}

void State::DeleteMachine(const std::string& id) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine& m = MachineOr404(id);
  if (m.hosts_vm_host) {
    for (const auto& [mid, vm] : w_.machines)
      if (vm.pod_id == *m.hosts_vm_host)
        throw ApiError(400, "Cannot delete machine '" + m.hostname +
                                "' while it hosts virtual machines; use force=true.");
    w_.vm_hosts.erase(*m.hosts_vm_host);
  }
  // Deleting a composed machine decomposes it: its cores, memory and disks return to the host.
  ReleaseMachineIps(m);
  w_.Unindex(m);
  w_.machines.erase(m.id);
}

bool State::FailNextDeploy(const std::string& system_id) {
  std::lock_guard lock(mu_);
  Machine* m = w_.FindMachine(system_id);
  if (!m) return false;
  m->fail_next_deploy = true;
  return true;
}

int State::FailCommissioning(const std::string& system_id) {
  std::lock_guard lock(mu_);
  w_.Advance(Clock::now());
  Machine* m = w_.FindMachine(system_id);
  if (!m) return 404;
  if (m->status != kCommissioning || !m->due) return 409;
  m->next_status = kFailedCommissioning;  // the pending transition ends in failure instead
  return 0;
}

}  // namespace maassim
