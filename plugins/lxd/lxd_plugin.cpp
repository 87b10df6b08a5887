#include "lxd_plugin.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "maasprov_common.hpp"
#include "placement.hpp"
#include "selection.hpp"
#include "vm_hosts.hpp"

namespace maasprov::lxd {

using common::Condition;
using common::DeploymentDriver;
using common::MaasMachineView;
namespace state = common::machine_state;
namespace reason = common::reason;

namespace {

constexpr const char* kControlPlaneLabel = "cluster.x-k8s.io/control-plane";

long long nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string reasonOf(const json::Value& status) {
  const json::Value* c = common::findCondition(status, common::kMachineDeployed);
  const json::Value* r = c == nullptr ? nullptr : c->find("reason");
  return r != nullptr && r->isString() ? r->asString() : std::string();
}

std::string stringAt(const json::Value& o, std::initializer_list<std::string_view> path) {
  const json::Value* v = o.findPath(path);
  return v != nullptr && v->isString() ? v->asString() : std::string();
}

// MAAS states only an allocation leads to.
bool heldState(const std::string& s) {
  return s == state::kAllocated || s == state::kDeploying || s == state::kDeployed ||
         s == state::kFailedDeployment;
}

std::string describeVm(const MaasMachineView& m) {
  return m.hostname + " (" + m.systemId + ")";
}

// While a failed deployment is being retried, MachineDeployed keeps the driver's
// DeploymentRetrying condition (it carries the attempt count) until the next deploy starts.
Condition keepRetry(const json::Value& status, Condition c) {
  const json::Value* md = common::findCondition(status, common::kMachineDeployed);
  if (md == nullptr || md->getString("reason") != reason::kDeploymentRetrying) return c;
  return {common::kMachineDeployed, md->getString("status"), md->getString("reason"),
          md->getString("message"), md->getString("severity")};
}

common::DeploySettings withDiscard(common::DeploySettings s,
                                   std::function<void(const MaasClient&, const std::string&)> fn) {
  s.discard = [fn](const MaasClient& maas, const std::string& systemId, const std::string&) {
    fn(maas, systemId);
  };
  return s;
}

}  // namespace

struct LxdPlugin::Call {
  const Request& req;
  const Host& host;
  MaasClient maas;
  common::Owner owner;
  common::MachineSpec spec;
  LxdSpec lxd;
  std::string hostname;
  std::optional<std::string> userData;
  const json::Value& cur;
};

LxdPlugin::LxdPlugin(const json::Value& config)
    : settings_(Settings::fromConfig(config)),
      driver_(withDiscard(
          settings_.deploy,
          [this](const MaasClient& maas, const std::string& id) { decompose(maas, id); })),
      backing_(std::chrono::milliseconds(settings_.backingMachineCacheMillis)),
      hostCache_(ledger_, std::chrono::milliseconds(settings_.vmHostCacheMillis),
                 [this](const std::vector<VmHostInfo>& listed) {
                   // A whole listing: forget what MAAS no longer has.
                   projects_.retain(listed);
                   backing_.retain(listed);
                 }) {}

Result LxdPlugin::reconcile(const Request& req, Host& host) {
  Call c{req,
         host,
         host.maas(),
         common::Owner::fromRequest(req),
         common::parseMachineSpec(req.spec()),
         parseLxdSpec(req.spec()),
         {},
         req.userData(),
         req.status()};
  c.hostname = vmHostname(c.owner.ns, c.owner.machine, c.owner.uid);
  // Terminal until the machine is replaced (Cluster API semantics); repeated in every result.
  const std::string last = reasonOf(c.cur);
  if (last == reason::kDeploymentFailed || last == reason::kMachineReleased) {
    json::Value st = json::Value::object();
    st.set("ready", false);
    for (const char* key : {"failureReason", "failureMessage"}) {
      if (const json::Value* v = c.cur.find(key)) st.set(key, *v);
    }
    if (last == reason::kMachineReleased) return Result{st, std::nullopt};
    throw PluginError(ErrorType::VMDeploymentFailed, c.cur.getString("failureMessage"))
        .status(std::move(st));
  }
  try {
    Result r = step(c);
    clearRetries(c.owner.uid);
    return r;
  } catch (PluginError& e) {
    noteRetry(c.owner.uid, e);
    throw;
  }
}

Result LxdPlugin::step(const Call& c) {
  const std::string recorded = c.cur.getString("systemID");
  if (std::optional<Vm> vm = findVm(c)) {
    // A VM this object gave up (its DELETE failed, or is still on its way) still has our
    // hostname: adopted and deployed, it would vanish when that DELETE lands.
    if (vm->view.systemId != recorded && DeploymentDriver::discarded(c.cur, vm->view.systemId)) {
      return waitForDiscardedVm(c, *vm);
    }
    return driveVm(c, *vm);
  }
  if (!recorded.empty()) {
    // We recorded a VM that MAAS no longer has: deleted outside maasprov.
    Result r = driver_.unexpectedlyReleased(c.cur, recorded);
    LxdConditions lc = beforeVm(falseCondition(kHostSelected, "VMDeleted", "the VM is gone"));
    lc.vmCreated =
        falseCondition(kVMCreated, "VMDeleted", "VM " + recorded + " was deleted outside maasprov",
                       common::kSeverityError);
    lc.vmDeployed = vmDeployedFrom(r.status);
    setConditions(r.status, c.cur, lc);
    return r;
  }
  if (!c.userData) return waitForBootstrapData(c, nullptr);
  if (long long notBefore = DeploymentDriver::retryNotBefore(c.cur); notBefore > nowSeconds()) {
    Result r;
    r.status.set("ready", false);  // the Recomposing conditions already say why
    r.requeueAfterSeconds = std::max<long long>(notBefore - nowSeconds(), 1);
    return r;
  }
  return composeNew(c);
}

std::optional<LxdPlugin::Vm> LxdPlugin::findVm(const Call& c) const {
  Vm vm;
  // The poller's fresh read of the VM we recorded stands in for the lookup by hostname. With
  // nothing recorded only the lookup can find a VM a crash left behind, so it always happens.
  const json::Value* seen = common::observedMachine(c.req, c.cur.getString("systemID"));
  if (seen != nullptr && seen->getString("hostname") == c.hostname) {
    vm.raw = *seen;
    ++observedUsed_;
  } else {
    MaasResponse r = c.maas.get("machines/", {{"hostname", c.hostname}});
    r.expectOk();
    json::Value list = r.json();
    if (!list.isArray() || list.asArray().empty()) return std::nullopt;
    vm.raw = list.asArray().front();
  }
  vm.view = MaasMachineView::fromJson(vm.raw);
  const json::Value* podId = vm.raw.findPath({"pod", "id"});
  vm.podId = podId != nullptr && podId->isInt() ? static_cast<int>(podId->asInt()) : -1;
  auto owner = [&vm](const char* key) {
    auto it = vm.view.workloadAnnotations.find(key);
    return it == vm.view.workloadAnnotations.end() ? std::string() : it->second;
  };
  const std::string ns = owner(common::kAnnotationNamespace);
  const std::string name = owner(common::kAnnotationMachine);
  if (vm.view.podName.empty() || (!name.empty() && (name != c.owner.machine || ns != c.owner.ns))) {
    // Never adopt (or later delete) someone else's machine.
    throw PluginError(ErrorType::VMCreationFailed,
                      "MAAS machine " + describeVm(vm.view) + " already uses hostname " +
                          c.hostname + " but is not this MaasMachine's VM; rename it in MAAS")
        .requeueAfterSeconds(300);
  }
  return vm;
}

std::string LxdPlugin::projectOf(const Call& c, const Vm& vm) const {
  const std::string recorded = c.cur.getString("lxdProject");
  if (!recorded.empty() && c.cur.getString("lxdHost") == vm.view.podName) return recorded;
  if (!c.lxd.project.empty()) return c.lxd.project;
  if (vm.podId < 0) return "default";
  return projects_.get(c.maas, vm.podId);
}

Result LxdPlugin::waitForBootstrapData(const Call& c, const Vm* vm) const {
  const Condition md{
      common::kMachineDeployed, common::kConditionFalse, reason::kWaitingForBootstrapData,
      "waiting for bootstrap data (cloud-init user data) before deploying", common::kSeverityInfo};
  Result r;
  r.requeueAfterSeconds = settings_.bootstrapWaitSeconds;
  if (vm == nullptr) {
    r.status = driver_.withDeployedCondition(c.cur, md);
    setConditions(r.status, c.cur,
                  beforeVm(falseCondition(kHostSelected, "WaitingForBootstrapData",
                                          "waiting for bootstrap data (cloud-init user data) "
                                          "before selecting a VM host")));
    return r;
  }
  r.status = driver_.statusFor(c.cur, vm->view, keepRetry(c.cur, md), false);
  const std::string project = projectOf(c, *vm);
  setVmFields(r.status, vm->raw, vm->view.podName, project);
  setConditions(
      r.status, c.cur,
      withVm(vm->view.podName + " (zone " + vm->view.zone + ", project " + project + ")",
             "VM " + describeVm(vm->view) + " holds its resources",
             trueCondition(kVMCreated, "VMCreated", "VM " + describeVm(vm->view) + " is Ready"),
             falseCondition(kVMDeployed, "WaitingForBootstrapData", md.message)));
  return r;
}

Result LxdPlugin::waitForDiscardedVm(const Call& c, const Vm& vm) const {
  const MaasMachineView& m = vm.view;
  const std::string why = "waiting for MAAS to delete VM " + describeVm(m) + " on " + m.podName +
                          ", given up after a failed deployment, before a new VM is composed " +
                          "with its hostname";
  // MachineDeployed keeps DeploymentRetrying (the attempt count and the backoff) when present.
  json::Value st = driver_.withDeployedCondition(
      c.cur, keepRetry(c.cur, {common::kMachineDeployed, common::kConditionFalse,
                               reason::kWaitingForMachine, why, common::kSeverityInfo}));
  LxdConditions lc = beforeVm(falseCondition(kHostSelected, "WaitingForVMDeletion", why));
  lc.vmCreated = falseCondition(kVMCreated, "WaitingForVMDeletion", why);
  lc.vmDeployed = vmDeployedFrom(st);
  setConditions(st, c.cur, lc);
  c.host.info("VM " + describeVm(m) + " was given up after a failed deployment; deleting it again");
  try {
    decompose(c.maas, m.systemId);  // 404: already gone
  } catch (PluginError& e) {
    e.status(std::move(st));
    throw;
  }
  Result r;
  r.status = std::move(st);
  r.requeueAfterSeconds = std::min<int64_t>(settings_.deploy.pollSeconds, 5);
  return r;
}

Result LxdPlugin::composeNew(const Call& c) {
  std::vector<std::string> clusterZones;
  if (const json::Value* fd = c.req.cluster().findPath({"spec", "failureDomains"});
      fd != nullptr && fd->isArray()) {
    for (const auto& z : fd->asArray()) {
      if (z.isString()) clusterZones.push_back(z.asString());
    }
  }
  auto fail = [&](PluginError& e, const std::string& hsReason, const Condition* resources) {
    const bool terminal = !e.isRetryable();
    const char* severity = terminal ? common::kSeverityError : common::kSeverityWarning;
    json::Value st =
        driver_.withDeployedCondition(c.cur, {common::kMachineDeployed, common::kConditionFalse,
                                              reason::kWaitingForMachine, e.what(), severity});
    setConditions(st, c.cur,
                  beforeVm(falseCondition(kHostSelected, hsReason, e.what(), severity),
                           resources == nullptr ? Condition{} : *resources));
    if (terminal) {
      st.set("failureReason", "CreateError");
      st.set("failureMessage", e.what());
    }
    e.status(std::move(st));
  };

  const int64_t cores = std::max<int64_t>(c.spec.constraints.minCPU, 1);
  const int64_t memory = std::max<int64_t>(c.spec.constraints.minMemoryMB, 1024);  // MAAS's min
  SelectionInput base;
  base.request = {cores, memory, c.lxd.diskGB * 1000000000};
  base.spreadZones = c.spec.constraints.zone.empty();
  const bool controlPlane = c.req.metadata().findPath({"labels", kControlPlaneLabel}) != nullptr;
  std::vector<std::string> placed;
  std::unordered_map<std::string, int> vmsOn;  // VM host name -> the cluster's VMs there
  for (const auto& m : c.req.machines()) {
    const std::string uid = stringAt(m, {"metadata", "uid"});
    const json::Value* deleting = m.findPath({"metadata", "deletionTimestamp"});
    if (uid == c.owner.uid || (deleting != nullptr && !deleting->isNull())) continue;
    const std::string zone = stringAt(m, {"status", "failureDomain"});
    const std::string vmHost = stringAt(m, {"status", "lxdHost"});
    const bool sameRole =
        (m.findPath({"metadata", "labels", kControlPlaneLabel}) != nullptr) == controlPlane;
    if (sameRole && !zone.empty()) ++base.zoneCounts[zone];
    if (!vmHost.empty()) ++vmsOn[vmHost];
    if (!zone.empty() || !vmHost.empty()) placed.push_back(uid);
  }
  const std::string want = std::to_string(cores) + " cores, " + std::to_string(memory) + " MB, " +
                           std::to_string(c.lxd.diskGB) + " GB";

  // The VM hosts from the instance's shared listing, selection against it and its snapshot
  // (vm_host_cache.hpp). A failure is decided only on a listing read after this compose asked:
  // an older one may miss capacity freed, hosts added or a maintenance ended since. So at most
  // two listings.
  std::vector<VmHostInfo> hosts;
  std::vector<HostCandidate> candidates;
  std::vector<const VmHostInfo*> infoOf;
  Ledger::Choice choice;
  VmHostCache::Clock::time_point listedAt;  // the listing the choice was made on
  std::optional<VmHostCache::Clock::time_point> since;
  for (;;) {
    const VmHostCache::Listing listing = hostCache_.get(c.maas, since);
    listedAt = listing.readAt;
    auto againFresh = [&] {
      if (listing.fresh) return false;
      since = VmHostCache::Clock::now();
      return true;
    };
    try {
      hosts = qualifyingHosts(c.maas, *listing.hosts, {c.lxd, c.spec.constraints, clusterZones},
                              {settings_.unschedulableTags, settings_.profileTagPrefix}, projects_,
                              backing_);
    } catch (PlacementError& e) {
      if (againFresh()) continue;
      fail(e, e.reason(), nullptr);
      throw;
    }
    candidates.clear();
    infoOf.clear();
    candidates.reserve(hosts.size());
    for (const auto& h : hosts) {
      const StoragePoolInfo* pool = h.storagePool(c.lxd.storagePool);
      if (pool == nullptr) continue;  // no default pool: nowhere to put the root disk
      candidates.push_back({h.id, h.name, h.zone, h.totalCores, h.usedCores, h.cpuOverCommit,
                            h.totalMemoryMB, h.usedMemoryMB, h.memoryOverCommit, pool->name,
                            pool->availableBytes});
      infoOf.push_back(&h);
    }
    SelectionInput input = base;
    // Selection counts by host id (it hashes no names in its loop over every host).
    if (!vmsOn.empty()) {
      for (const auto& h : candidates) {
        auto it = vmsOn.find(h.name);
        if (it != vmsOn.end()) input.hostCounts[h.id] = it->second;
      }
    }
    choice = ledger_.selectAndReserve(*listing.snapshot, candidates, std::move(input),
                                      c.owner.ns + "/" + c.owner.cluster, c.owner.uid, placed);
    if (choice.result.chosen < 0 && againFresh()) continue;
    break;  // the listing (and this call's hold on its snapshot) ends; the reservation stays
  }
  if (choice.result.chosen < 0) {
    ++insufficient_;
    const std::string closest =
        choice.result.closest < 0
            ? "no VM host has the storage pool"
            : "closest: " +
                  describeShortfall(candidates[static_cast<size_t>(choice.result.closest)],
                                    choice.result);
    PluginError e(ErrorType::InsufficientResources,
                  "no qualifying LXD VM host can hold " + want + " (" +
                      std::to_string(candidates.size()) + " qualifying); " + closest,
                  choice.result.closest < 0
                      ? std::string()
                      : candidates[static_cast<size_t>(choice.result.closest)].name);
    const Condition ra = falseCondition(kResourcesAllocated, "InsufficientResources", e.what(),
                                        common::kSeverityWarning);
    fail(e, "InsufficientResources", &ra);
    throw e;
  }
  const HostCandidate& chosen = candidates[static_cast<size_t>(choice.result.chosen)];
  VmHostInfo info = *infoOf[static_cast<size_t>(choice.result.chosen)];
  if (info.project.empty()) projects_.fill(c.maas, info);

  // Durable before compose: a crash after it finds the VM again by hostname.
  json::Value record = json::Value::object();
  record.set("provisioningMode", "lxd");
  record.set("lxdHost", info.name);
  record.set("lxdProject", info.project);
  record.set("hostname", c.hostname);
  c.host.checkpoint(record);

  Params p = {{"cores", std::to_string(cores)},
              {"memory", std::to_string(memory)},
              {"hostname", c.hostname},
              {"zone", std::to_string(info.zoneId)},
              {"pool", std::to_string(info.poolId)},
              {"storage", "root:" + std::to_string(c.lxd.diskGB) + "(" + chosen.pool + ")"},
              {"skip_commissioning", settings_.skipCommissioning ? "true" : "false"}};
  if (!c.lxd.bridge.empty() || !c.lxd.devices.empty()) {
    std::vector<std::string> nics;
    const std::string first = c.lxd.bridge.empty() ? info.defaultBridge() : c.lxd.bridge;
    if (!first.empty()) nics.push_back(first);
    nics.insert(nics.end(), c.lxd.devices.begin(), c.lxd.devices.end());
    std::string spec;
    for (size_t i = 0; i < nics.size(); ++i) {
      spec += (i == 0 ? "" : ";") + ("eth" + std::to_string(i)) + ":name=" + nics[i];
    }
    p.emplace_back("interfaces", spec);
  }
  MaasResponse r;
  {
    Ledger::Hold hold = std::move(choice.hold);  // completes as soon as MAAS has answered
    // Not idempotent: a lost answer is found again by hostname, never composed twice.
    r = c.maas.post("vm-hosts/" + std::to_string(info.id) + "/", "compose", p, false);
  }
  if (r.ok()) {
    // driveVm() records the system_id before any further MAAS call; until then a crash finds
    // the VM by the hostname recorded above.
    const std::string sid = r.json().getString("system_id");
    ++composes_;
    c.host.info("composed VM " + c.hostname + " (" + sid + ") on " + info.name + ": " + want);
    if (!settings_.skipCommissioning) {
      // MAAS answers a compose with the system_id alone and commissions the VM for minutes:
      // report it as composed, from what was asked, rather than read it back now.
      return driveVm(c, composedVm(sid, info, cores, memory, c.lxd.diskGB, c.hostname));
    }
  } else if (r.status == 400 && r.body.find("already exists") != std::string::npos) {
    ++adoptions_;  // composed by an earlier call whose answer was lost: adopt it
    c.host.info("VM " + c.hostname + " already exists in MAAS; adopting it");
  } else {
    ledger_.forget(c.owner.uid);  // nothing was placed
    if (r.status == 404) projects_.forget(info.id);
    // MAAS contradicted the listing (host gone, or over-committed by another client): the next
    // compose reads the VM hosts afresh.
    hostCache_.drop(listedAt);
    // MAAS refused what the cached machine allowed (host gone or down, interfaces changed):
    // the retry reads it again, one request per failed compose, which is backed off anyway.
    backing_.forget(info.hostSystemId);
    PluginError e(r.status == 404 ? ErrorType::HostUnavailable : ErrorType::VMCreationFailed,
                  "MAAS refused to compose " + want + " on " + info.name + " (HTTP " +
                      std::to_string(r.status) + ": " + r.body.substr(0, 300) + ")",
                  info.name);
    fail(e, "HostSelected", nullptr);
    json::Value st = *e.statusUpdate();
    LxdConditions lc =
        beforeVm(trueCondition(kHostSelected, "HostSelected", "VM host " + info.name));
    lc.vmCreated =
        falseCondition(kVMCreated, "VMCreationFailed", e.what(), common::kSeverityWarning);
    setConditions(st, c.cur, lc);
    e.status(std::move(st));
    throw e;
  }
  std::optional<Vm> vm = findVm(c);
  if (!vm) {
    throw PluginError(ErrorType::Transient,
                      "MAAS composed " + c.hostname + " on " + info.name + " but does not list it");
  }
  return driveVm(c, *vm);
}

LxdPlugin::Vm LxdPlugin::composedVm(const std::string& systemId, const VmHostInfo& host,
                                    int64_t cores, int64_t memoryMB, int64_t diskGB,
                                    const std::string& hostname) {
  json::Value named = json::Value::object();
  Vm vm;
  vm.raw = json::Value::object();
  vm.raw.set("system_id", systemId);
  vm.raw.set("hostname", hostname);
  vm.raw.set("status_name", "Commissioning");
  named.set("name", host.zone);
  vm.raw.set("zone", named);  // composed with the host's zone
  named.set("name", host.pool);
  vm.raw.set("pool", named);
  json::Value pod = json::Value::object();
  pod.set("id", static_cast<int64_t>(host.id));
  pod.set("name", host.name);
  vm.raw.set("pod", pod);
  vm.raw.set("cpu_count", cores);
  vm.raw.set("memory", memoryMB);
  vm.raw.set("storage", static_cast<double>(diskGB) * 1000.0);  // MB, as MAAS reports it
  vm.view = MaasMachineView::fromJson(vm.raw);
  vm.podId = host.id;
  return vm;
}

void LxdPlugin::decompose(const MaasClient& maas, const std::string& systemId) const {
  MaasResponse r = maas.del("machines/" + systemId + "/");
  if (r.status != 404) r.expectOk();
  ++decomposes_;
}

Result LxdPlugin::driveVm(const Call& c, const Vm& vm) {
  const MaasMachineView& m = vm.view;
  const std::string project = projectOf(c, vm);
  // The system_id is made durable before the next MAAS call that acts on the VM. A wait that
  // calls nothing (commissioning) leaves it to this call's result: until that is stored, a crash
  // finds the VM by the hostname recorded before compose, and the store was spared a write per VM.
  auto recordSystemId = [&] {
    if (c.cur.getString("systemID") == m.systemId) return;
    json::Value record = json::Value::object();
    record.set("provisioningMode", "lxd");
    record.set("systemID", m.systemId);
    record.set("hostname", m.hostname);
    record.set("lxdHost", m.podName);
    record.set("lxdProject", project);
    c.host.checkpoint(record);
  };
  const std::string hostText = m.podName + " (zone " + m.zone + ", project " + project + ")";
  const std::string usage = [&vm]() {
    json::Value s = json::Value::object();
    setVmFields(s, vm.raw, "", "");
    const json::Value& u = *s.find("vmResourceUsage");
    return std::to_string(u.getInt("allocatedCores")) + " cores, " +
           std::to_string(u.getInt("allocatedMemory")) + " MB, " +
           std::to_string(u.getInt("allocatedDisk")) + " GB";
  }();
  const std::string resourcesText = usage + " on " + m.podName;
  const Condition created =
      trueCondition(kVMCreated, "VMCreated", "VM " + describeVm(m) + " composed on " + m.podName);
  auto finish = [&](Result r, const Condition& vc) {
    setVmFields(r.status, vm.raw, m.podName, project);
    setConditions(r.status, c.cur, withVm(hostText, resourcesText, vc, vmDeployedFrom(r.status)));
    return r;
  };

  if (m.is("Commissioning") || m.is("Testing") || m.is("New")) {
    Result r;
    r.status = driver_.statusFor(
        c.cur, m,
        keepRetry(c.cur,
                  {common::kMachineDeployed, common::kConditionFalse, reason::kWaitingForMachine,
                   "waiting for MAAS to commission VM " + describeVm(m), common::kSeverityInfo}),
        false);
    r.requeueAfterSeconds = settings_.deploy.pollSeconds;
    return finish(r,
                  falseCondition(kVMCreated, "Commissioning",
                                 "MAAS is commissioning VM " + describeVm(m) + " on " + m.podName));
  }
  if (m.is("Failed commissioning") || m.is("Failed testing") || m.is("Broken")) {
    // Forget it durably, then decompose; the next attempt composes a new VM.
    json::Value forget = json::Value::object();
    forget.set("systemID", nullptr);
    forget.set("providerID", nullptr);
    c.host.checkpoint(forget);
    decompose(c.maas, m.systemId);
    const std::string why = "VM " + describeVm(m) + " on " + m.podName + " ended \"" +
                            m.statusName + "\"; decomposed it, a new VM will be composed";
    json::Value st = driver_.withDeployedCondition(
        c.cur, {common::kMachineDeployed, common::kConditionFalse, reason::kWaitingForMachine, why,
                common::kSeverityWarning});
    st.set("systemID", nullptr);
    st.set("providerID", nullptr);
    LxdConditions lc =
        beforeVm(trueCondition(kHostSelected, "HostSelected", "VM host " + hostText));
    lc.vmCreated = falseCondition(kVMCreated, "VMCreationFailed", why, common::kSeverityWarning);
    setConditions(st, c.cur, lc);
    throw PluginError(ErrorType::VMCreationFailed, why, m.podName).status(std::move(st));
  }

  recordSystemId();
  const std::string& userData = c.userData ? *c.userData : std::string();
  common::DeployTarget target{c.req, c.host, c.owner, c.spec.image, userData};
  Result r;
  if (m.is(state::kReady)) {
    if (!c.userData) return waitForBootstrapData(c, &vm);
    common::AllocateConstraints pin;
    pin.systemId = m.systemId;
    pin.bareMetalOnly = false;
    common::AllocateResult a = common::allocate(c.maas, pin, c.owner.uid);
    if (!a.machine) {
      throw PluginError(ErrorType::Transient,
                        "MAAS did not allocate VM " + describeVm(m) + ": " + a.noMatch);
    }
    c.host.info("allocated VM " + describeVm(m) + " as " + c.owner.uid);
    r = driver_.drive(target, *a.machine);
  } else if (heldByMaas(m) && !allocatedByUs(c.cur) && !heldUnder(c, m)) {
    // Another client allocated the VM while it was Ready (a bare-metal allocation MAAS answered
    // with it, or anyone's allocate by system_id): it is theirs now, and deploying it would take
    // it from them. Waited for until they release it, like the case below.
    c.host.warn("VM " + describeVm(m) + " is " + m.statusName +
                " under another client's allocation; not deploying it");
    r.status = driver_.statusFor(
        c.cur, m,
        keepRetry(c.cur,
                  {common::kMachineDeployed, common::kConditionFalse, reason::kHeldByAnotherClient,
                   "VM " + describeVm(m) + " is " + m.statusName +
                       " under another client's allocation; it is allocated once that "
                       "client releases it",
                   common::kSeverityWarning}),
        false);
    r.requeueAfterSeconds = settings_.deploy.pollSeconds;
  } else if (m.beingReleased() && !allocatedByUs(c.cur)) {
    // Another client had it (MAAS may answer a bare-metal allocation with a Ready VM, which
    // that client then hands back) and is releasing it: ours again once MAAS has, not lost.
    r.status = driver_.statusFor(
        c.cur, m,
        keepRetry(c.cur,
                  {common::kMachineDeployed, common::kConditionFalse, reason::kWaitingForMachine,
                   "MAAS is releasing VM " + describeVm(m) +
                       ", which another client allocated; it is allocated once Ready",
                   common::kSeverityWarning}),
        false);
    r.requeueAfterSeconds = settings_.deploy.pollSeconds;
  } else {
    r = driver_.drive(target, m);
  }

  const std::string now = reasonOf(r.status);
  if (now == reason::kDeploymentRetrying || now == reason::kDeploymentFailed) {
    // The driver forgot the VM and decomposed it (settings.discard).
    r.status.set("lxdHost", nullptr);
    r.status.set("vmResourceUsage", nullptr);
    r.status.set("machineState", nullptr);
    const bool terminal = now == reason::kDeploymentFailed;
    LxdConditions lc =
        beforeVm(falseCondition(kHostSelected, terminal ? "VMDeploymentFailed" : "Recomposing",
                                terminal ? "no further VM will be composed"
                                         : "a VM host will be selected again for the next VM"),
                 falseCondition(kResourcesAllocated, "Released",
                                "the VM's resources went back to " + m.podName));
    lc.vmCreated = falseCondition(kVMCreated, "Decomposed",
                                  "VM " + describeVm(m) + " failed to deploy and was decomposed",
                                  common::kSeverityWarning);
    lc.vmDeployed = vmDeployedFrom(r.status);
    setConditions(r.status, c.cur, lc);
    if (terminal) {
      throw PluginError(ErrorType::VMDeploymentFailed, r.status.getString("failureMessage"),
                        m.podName)
          .status(std::move(r.status));
    }
    return r;
  }
  return finish(std::move(r), created);
}

bool LxdPlugin::allocatedByUs(const json::Value& status) {
  // What the status last recorded: any of these means this plugin allocated the VM, unless it
  // recorded them as another client's.
  if (reasonOf(status) == reason::kHeldByAnotherClient) return false;
  return heldState(status.getString("machineState"));
}

bool LxdPlugin::heldByMaas(const MaasMachineView& m) {
  return heldState(m.statusName);
}

bool LxdPlugin::heldUnder(const Call& c, const MaasMachineView& m) {
  // The status does not say this plugin allocated it (a crash may have lost that record):
  // MAAS knows, by the agent_name every allocation of ours carries. One list call, only here.
  for (const auto& held : common::listHeld(c.maas, c.owner.uid)) {
    if (held.systemId == m.systemId) return true;
  }
  return false;
}

void LxdPlugin::noteRetry(const std::string& uid, PluginError& e) {
  if (!e.isRetryable()) return;
  int64_t n = 0;
  {
    std::lock_guard lock(retryMu_);
    n = ++retries_[uid];
  }
  if (e.requeueAfterMs() == 0) e.requeueAfterSeconds(settings_.backoffSeconds(n));
}

void LxdPlugin::clearRetries(const std::string& uid) {
  std::lock_guard lock(retryMu_);
  retries_.erase(uid);
}

json::Value LxdPlugin::describe(Host&) {
  json::Value d = json::Value::object();
  d.set("mode", "lxd");
  d.set("settings", settings_.toJson());
  d.set("composes", static_cast<unsigned long long>(composes_.load()));
  d.set("adoptions", static_cast<unsigned long long>(adoptions_.load()));
  d.set("decomposes", static_cast<unsigned long long>(decomposes_.load()));
  d.set("insufficientResources", static_cast<unsigned long long>(insufficient_.load()));
  hostCache_.expire();  // an expired listing's snapshot no longer keeps reservations
  d.set("reservations", static_cast<unsigned long long>(ledger_.size()));
  d.set("cachedProjects", static_cast<unsigned long long>(projects_.size()));
  d.set("cachedBackingMachines", static_cast<unsigned long long>(backing_.size()));
  d.set("observedUsed", static_cast<unsigned long long>(observedUsed_.load()));
  d.set("vmHostReads", static_cast<unsigned long long>(hostCache_.reads()));
  d.set("vmHostReadsShared", static_cast<unsigned long long>(hostCache_.shared()));
  return d;
}

}  // namespace maasprov::lxd

MAASPROV_PLUGIN(maasprov::lxd::LxdPlugin, "lxd", "0.1.0", maasprov::Kind::MachineProvisioner, "lxd")
