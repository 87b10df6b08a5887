#include "baremetal_plugin.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "maasprov_common.hpp"

namespace maasprov::baremetal {

using common::DeploymentDriver;
using common::MaasMachineView;
namespace reason = common::reason;

namespace {

std::string recordedSystemId(const json::Value& status) {
  const json::Value* v = status.find("systemID");
  return v != nullptr && v->isString() ? v->asString() : std::string();
}

// Our own terminal outcomes only: a failureReason the host set for an invalid spec must not
// stop a reconcile after the user fixed the spec.
bool terminallyFailed(const json::Value& status) {
  const json::Value* c = common::findCondition(status, common::kMachineDeployed);
  const json::Value* reason = c == nullptr ? nullptr : c->find("reason");
  return reason != nullptr && reason->isString() &&
         (reason->asString() == reason::kDeploymentFailed ||
          reason->asString() == reason::kMachineReleased);
}

long long nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BareMetalPlugin::BareMetalPlugin(const json::Value& config)
    : settings_(Settings::fromConfig(config)), driver_(settings_.deploy) {}

Result BareMetalPlugin::waitForBootstrapData(const Request& req) const {
  Result r;
  r.status = driver_.withDeployedCondition(
      req.status(),
      {common::kMachineDeployed, common::kConditionFalse, reason::kWaitingForBootstrapData,
       "waiting for bootstrap data (cloud-init user data) before allocating a "
       "machine",
       common::kSeverityInfo});
  r.requeueAfterSeconds = settings_.bootstrapWaitSeconds;
  return r;
}

Result BareMetalPlugin::waitForBackoff(long long secondsLeft) const {
  Result r;
  r.status.set("ready", false);  // the DeploymentRetrying condition already says why
  r.requeueAfterSeconds = std::max<long long>(secondsLeft, 1);
  return r;
}

Result BareMetalPlugin::reconcile(const Request& req, Host& host) {
  const common::Owner owner = common::Owner::fromRequest(req);
  const common::MachineSpec spec = common::parseMachineSpec(req.spec());
  const json::Value& cur = req.status();
  // A terminal failure stays until the machine is replaced (Cluster API's failureReason). It is
  // repeated in the result because the host clears failureReason after a success without one.
  if (terminallyFailed(cur)) {
    Result r;
    r.status.set("ready", false);
    for (const char* key : {"failureReason", "failureMessage"}) {
      if (const json::Value* v = cur.find(key)) r.status.set(key, *v);
    }
    return r;
  }
  const MaasClient maas = host.maas();
  const std::string recorded = recordedSystemId(cur);
  const std::optional<std::string> userData = req.userData();
  common::DeployTarget target{req, host, owner, spec.image, userData.value_or("")};

  // The poller's fresh read of the machine we recorded replaces the lookup by agent_name when it
  // is provably still ours: our annotations (MAAS clears them on release), or on its way back
  // (then it is not ours either way). Anything else, e.g. Allocated before annotation, is
  // looked up by agent_name as before.
  if (const json::Value* seen = common::observedMachine(req, recorded)) {
    MaasMachineView m = MaasMachineView::fromJson(*seen);
    if (m.beingReleased()) return driver_.unexpectedlyReleased(cur, recorded);
    if (owner.annotated(m)) {
      ++observedUsed_;
      if (!userData && m.is(common::machine_state::kAllocated)) return waitForBootstrapData(req);
      Result r = driver_.drive(target, m);
      // Ready only as the one machine MAAS holds for the object: one listing per machine.
      if (becomesReady(cur, r)) {
        releaseOthers(host, maas, common::listHeld(maas, owner.uid), owner, recorded);
      }
      return r;
    }
  }

  const std::vector<MaasMachineView> held = common::listHeld(maas, owner.uid);
  if (!recorded.empty()) {
    for (const auto& m : held) {
      if (m.systemId != recorded) continue;
      if (!userData && m.is(common::machine_state::kAllocated)) return waitForBootstrapData(req);
      releaseOthers(host, maas, held, owner, recorded);
      return driver_.drive(target, m);
    }
    // We recorded it, MAAS no longer lists it under our agent_name: released or deleted.
    return driver_.unexpectedlyReleased(cur, recorded);
  }

  // Nothing recorded: a crash may have lost the record, so adopt what MAAS says we hold. A VM
  // (allocate gave one and we died before giving it back) is released, never adopted. So is a
  // machine this object gave up after a failed deployment (discardedSystemIDs): its release may
  // have failed or still be on its way, and would take the machine away once deployed.
  std::vector<const MaasMachineView*> live;
  for (const auto& m : held) {
    if (DeploymentDriver::discarded(cur, m.systemId)) {
      if (!m.beingReleased()) {
        host.info("finishing the release of machine " + m.systemId +
                  " given up after a failed deployment");
        common::release(maas, m.systemId,
                        "maasprov: given up by " + owner.uid + " after a failed deployment");
        ++releases_;
      }
      continue;
    }
    if (m.beingReleased()) continue;
    if (common::inVmHost(m)) {
      host.warn("releasing VM " + m.systemId + " in VM host " + m.podName + " held by " +
                owner.uid + ": bare-metal mode takes physical machines only");
      common::release(maas, m.systemId, "maasprov: bare-metal mode takes no VM");
      ++releases_;
      continue;
    }
    live.push_back(&m);
  }
  if (!live.empty()) {
    const MaasMachineView& mine = *live.front();
    json::Value record = json::Value::object();
    record.set("systemID", mine.systemId);
    host.checkpoint(record);
    for (size_t i = 1; i < live.size(); ++i) {  // never keep duplicates
      host.warn("releasing duplicate machine " + live[i]->systemId + " held by " + owner.uid);
      common::release(maas, live[i]->systemId, "maasprov: duplicate allocation for " + owner.uid);
      ++releases_;
    }
    if (!userData && mine.is(common::machine_state::kAllocated)) return waitForBootstrapData(req);
    return driver_.drive(target, mine);
  }

  if (!userData) return waitForBootstrapData(req);
  if (long long notBefore = DeploymentDriver::retryNotBefore(cur); notBefore > nowSeconds()) {
    return waitForBackoff(notBefore - nowSeconds());
  }

  common::AllocateResult a = allocatePhysical(host, maas, spec.constraints, owner.uid);
  if (!a.machine) {
    ++noMatch_;
    const bool vm = a.releasedVm.has_value();
    const std::string message = vm ? "spec.systemID names VM " + a.releasedVm->hostname +
                                         " in VM host " + a.releasedVm->podName +
                                         " (released it); bare-metal mode takes physical " +
                                         "machines only"
                                   : "no MAAS machine is available for this spec: " + a.noMatch;
    json::Value status = driver_.withDeployedCondition(
        cur, {common::kMachineDeployed, common::kConditionFalse, reason::kWaitingForMachine,
              message, common::kSeverityWarning});
    throw PluginError(vm ? ErrorType::InvalidSpec : ErrorType::InsufficientResources, message)
        .retryable(true)
        .requeueAfterSeconds(vm ? 300 : settings_.noMatchRetrySeconds)
        .status(std::move(status));
  }
  ++allocations_;
  // Durable before anything else can fail; agent_name already marks it in MAAS.
  json::Value record = json::Value::object();
  record.set("systemID", a.machine->systemId);
  record.set("provisioningMode", settings_.deploy.provisioningMode);
  if (DeploymentDriver::discarded(cur, a.machine->systemId)) {
    // Given up earlier, released since, and allocated afresh: ours again, not to be given back.
    record.set(common::kDiscardedSystemIDs,
               DeploymentDriver::discardedWithout(cur, a.machine->systemId));
  }
  host.checkpoint(record);
  host.info("allocated MAAS machine " + a.machine->systemId + " (" + a.machine->hostname + ")");
  return driver_.drive(target, *a.machine);
}

bool BareMetalPlugin::becomesReady(const json::Value& current, const Result& r) {
  const json::Value* now = r.status.find("ready");
  const json::Value* before = current.find("ready");
  return now != nullptr && now->isBool() && now->asBool() &&
         !(before != nullptr && before->isBool() && before->asBool());
}

void BareMetalPlugin::releaseOthers(const Host& host, const MaasClient& maas,
                                    const std::vector<MaasMachineView>& held,
                                    const common::Owner& owner, const std::string& keep) {
  for (const auto& m : held) {
    if (m.systemId == keep || m.beingReleased()) continue;
    host.warn("releasing machine " + m.systemId + " (" + m.hostname + ") held by " + owner.uid +
              " besides " + keep +
              ": a request whose answer was lost (allocate, deploy) landed late");
    common::release(maas, m.systemId, "maasprov: duplicate allocation for " + owner.uid);
    ++releases_;
  }
}

common::AllocateResult BareMetalPlugin::allocatePhysical(const Host& host, const MaasClient& maas,
                                                         const common::AllocateConstraints& c,
                                                         const std::string& uid) {
  // MAAS composes only without system_id, so a pinned spec never makes a VM; a VM it names is
  // given back by allocate().
  if (!c.systemId.empty()) {
    common::AllocateResult a = common::allocate(maas, c, uid);
    if (a.releasedVm) ++releases_;
    return a;
  }
  // First MAAS's own pick with not_pod_type=lxd: where MAAS matches pod filters against a
  // machine's own BMC (current releases), that keeps every physical machine, never offers or
  // composes an LXD VM (so none the LXD plugin is about to allocate), and costs one request.
  // MAAS 3.2 reads it as "only VMs of other VM hosts": then it offers such a VM (given back at
  // once) or nothing, and the list-and-pin path below decides. Listing is only the fallback
  // because thousands of Ready machines make a list of tens of megabytes.
  if (!settings_.listFirst) {
    common::AllocateConstraints fast = c;
    fast.notPodTypes = {"lxd"};
    common::AllocateResult a = common::allocate(maas, fast, uid);
    if (a.releasedVm) ++releases_;
    if (a.machine) return a;
  }
  // Otherwise we choose the bare metal and pin it. MAAS's own pick could be a VM: one it
  // composes, or a Ready one the LXD plugin composed and is about to allocate (taking that one
  // even briefly makes the LXD machine fail as released).
  bool sawAny = false;
  std::optional<ReadyMachineCache::Clock::time_point> listedSince;  // none: a fresh list will do
  for (int round = 0; round < kListRounds; ++round) {
    const ReadyMachineCache::Candidates candidates =
        ready_.take(host, c, uid, kPinAttempts, listedSince);
    // What failed below may be stale; the next round reads a list requested after this point.
    listedSince = ReadyMachineCache::Clock::now();
    for (const std::string& id : candidates.systemIds) {
      if (!ready_.available(c, id)) continue;  // another allocation here took it meanwhile
      common::AllocateConstraints pin = c;
      pin.systemId = id;
      common::AllocateResult a = common::allocate(maas, pin, uid);  // 409 if taken meanwhile
      if (a.releasedVm) ++releases_;
      // Ours now, or refused (taken by someone else): no other allocation should try it.
      ready_.drop(c, id);
      if (a.machine) return a;
    }
    if (candidates.systemIds.empty()) break;  // a list with nothing left
    sawAny = true;
  }
  if (sawAny) {
    // Machines exist but concurrent allocations won each one we tried: not a shortage.
    throw PluginError(ErrorType::Transient, "every Ready bare-metal machine tried for " +
                                                common::describeConstraints(c) +
                                                " was allocated by someone else meanwhile")
        .retryable(true)
        .requeueAfterSeconds(1);
  }
  common::AllocateResult none;
  none.noMatch = "No available bare-metal machine matches " + common::describeConstraints(c);
  return none;
}

RemoveResult BareMetalPlugin::remove(const Request& req, Host& host) {
  RemoveResult r;
  const json::Value* uid = req.metadata().find("uid");
  if (uid == nullptr || !uid->isString() || uid->asString().empty()) {
    r.done = true;  // nothing can have been allocated without a uid to mark it with
    return r;
  }
  const MaasClient maas = host.maas();
  size_t released = 0;
  for (const auto& m : common::listHeld(maas, uid->asString())) {
    if (m.beingReleased()) continue;  // Releasing/Ready: already on its way back
    if (common::release(maas, m.systemId,
                        "maasprov: MaasMachine " + req.ns() + "/" + req.name() + " deleted")) {
      ++released;
      ++releases_;
      host.info("released MAAS machine " + m.systemId);
    }
  }
  r.status = driver_.withDeployedCondition(
      req.status(), {common::kMachineDeployed, common::kConditionFalse, reason::kReleasing,
                     released > 0 ? "released the MAAS machine" : "nothing left to release",
                     common::kSeverityInfo});
  r.status.set("machinePowered", false);
  if (released > 0) r.status.set("machineState", common::machine_state::kReleasing);
  r.done = true;
  return r;
}

json::Value BareMetalPlugin::describe(Host&) {
  json::Value d = json::Value::object();
  d.set("mode", "bare-metal");
  d.set("settings", settings_.toJson());
  d.set("allocations", static_cast<unsigned long long>(allocations_.load()));
  d.set("releases", static_cast<unsigned long long>(releases_.load()));
  d.set("noMatch", static_cast<unsigned long long>(noMatch_.load()));
  d.set("observedUsed", static_cast<unsigned long long>(observedUsed_.load()));
  d.set("readyLists", static_cast<unsigned long long>(ready_.lists()));
  d.set("readyListsShared", static_cast<unsigned long long>(ready_.shared()));
  return d;
}

}  // namespace maasprov::baremetal

MAASPROV_PLUGIN(maasprov::baremetal::BareMetalPlugin, "baremetal", "0.1.0",
                maasprov::Kind::MachineProvisioner, "bare-metal")
