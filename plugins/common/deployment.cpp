#include "deployment.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "maasprov/error.hpp"
#include "machine_ops.hpp"
#include "machine_status.hpp"

namespace maasprov::common {
namespace {

int64_t configInt(const json::Value& config, const char* key, int64_t fallback, int64_t min) {
  const json::Value* v = config.find(key);
  if (v == nullptr || v->isNull()) return fallback;
  if (!v->isInt() || v->asInt() < min) {
    throw invalidSpec(std::string("plugin configuration ") + key,
                      "expected an integer >= " + std::to_string(min) + ", got " + v->dump());
  }
  return v->asInt();
}

std::string messageOf(const json::Value& status) {
  const json::Value* c = findCondition(status, kMachineDeployed);
  const json::Value* m = c == nullptr ? nullptr : c->find("message");
  return m != nullptr && m->isString() ? m->asString() : std::string();
}

std::string reasonOf(const json::Value& status) {
  const json::Value* c = findCondition(status, kMachineDeployed);
  const json::Value* r = c == nullptr ? nullptr : c->find("reason");
  return r != nullptr && r->isString() ? r->asString() : std::string();
}

long long nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> discardedOf(const json::Value& status) {
  std::vector<std::string> out;
  const json::Value* list = status.isObject() ? status.find(kDiscardedSystemIDs) : nullptr;
  if (list == nullptr || !list->isArray()) return out;
  for (const auto& id : list->asArray()) {
    if (id.isString() && !id.asString().empty()) out.push_back(id.asString());
  }
  return out;
}

json::Value toArray(const std::vector<std::string>& ids) {
  json::Value out = json::Value::array();
  const size_t skip = ids.size() > kMaxDiscarded ? ids.size() - kMaxDiscarded : 0;
  for (size_t i = skip; i < ids.size(); ++i) out.push_back(ids[i]);
  return out;
}

std::string describe(const MaasMachineView& m) {
  return m.hostname.empty() ? m.systemId : m.hostname + " (" + m.systemId + ")";
}

}  // namespace

DeploySettings DeploySettings::fromConfig(const json::Value& config, DeploySettings d) {
  if (!config.isObject()) throw invalidSpec("plugin configuration", "expected a JSON object");
  d.pollSeconds = configInt(config, "pollSeconds", d.pollSeconds, 1);
  d.maxAttempts = static_cast<int>(configInt(config, "maxDeployAttempts", d.maxAttempts, 1));
  d.retryBaseSeconds = configInt(config, "retryBaseSeconds", d.retryBaseSeconds, 0);
  d.retryMaxSeconds = configInt(config, "retryMaxSeconds", d.retryMaxSeconds, 0);
  return d;
}

int64_t DeploySettings::backoffSeconds(int failedAttempt) const {
  int64_t wait = retryBaseSeconds;
  for (int i = 1; i < failedAttempt && wait < retryMaxSeconds; ++i) wait *= 2;
  return std::min(wait, retryMaxSeconds);
}

int DeploymentDriver::attemptOf(const json::Value& status) {
  std::string message = messageOf(status);
  size_t at = message.find("(attempt ");
  if (at == std::string::npos) return 0;
  return std::max(0, std::atoi(message.c_str() + at + 9));
}

int DeploymentDriver::nextAttempt(const json::Value& status) {
  int n = attemptOf(status);
  if (reasonOf(status) == reason::kDeploymentRetrying) return n + 1;
  return std::max(n, 1);
}

long long DeploymentDriver::retryNotBefore(const json::Value& status) {
  if (reasonOf(status) != reason::kDeploymentRetrying) return -1;
  std::string message = messageOf(status);
  const std::string marker = "not before ";
  size_t at = message.find(marker);
  if (at == std::string::npos) return -1;
  return parseRfc3339(message.substr(at + marker.size(), 20));
}

bool DeploymentDriver::discarded(const json::Value& status, const std::string& systemId) {
  if (systemId.empty()) return false;
  const std::vector<std::string> ids = discardedOf(status);
  return std::find(ids.begin(), ids.end(), systemId) != ids.end();
}

json::Value DeploymentDriver::discardedWith(const json::Value& status,
                                            const std::string& systemId) {
  std::vector<std::string> ids = discardedOf(status);
  ids.erase(std::remove(ids.begin(), ids.end(), systemId), ids.end());
  ids.push_back(systemId);
  return toArray(ids);
}

json::Value DeploymentDriver::discardedWithout(const json::Value& status,
                                               const std::string& systemId) {
  std::vector<std::string> ids = discardedOf(status);
  ids.erase(std::remove(ids.begin(), ids.end(), systemId), ids.end());
  return toArray(ids);
}

std::string DeploymentDriver::attemptText(int attempt) const {
  return "(attempt " + std::to_string(attempt) + " of " + std::to_string(s_.maxAttempts) + ")";
}

json::Value DeploymentDriver::statusFor(const json::Value& current, const MaasMachineView& m,
                                        const Condition& c, bool ready) const {
  json::Value s = machineStatusFields(m, s_.scheme);
  s.set("provisioningMode", s_.provisioningMode);
  s.set("ready", ready);
  s.set("conditions", conditionPatch(current, c));
  return s;
}

json::Value DeploymentDriver::withDeployedCondition(const json::Value& current,
                                                    const Condition& c) const {
  json::Value s = json::Value::object();
  s.set("ready", false);
  s.set("provisioningMode", s_.provisioningMode);
  s.set("conditions", conditionPatch(current, c));
  return s;
}

Result DeploymentDriver::unexpectedlyReleased(const json::Value& current,
                                              const std::string& systemId) const {
  std::string message = "MAAS machine " + systemId +
                        " was released or deleted outside maasprov; replace this machine";
  Result r;
  r.status = withDeployedCondition(current, {kMachineDeployed, kConditionFalse,
                                             reason::kMachineReleased, message, kSeverityError});
  r.status.set("machinePowered", false);
  r.status.set("failureReason", "UpdateError");
  r.status.set("failureMessage", message);
  return r;
}

Result DeploymentDriver::drive(const DeployTarget& t, const MaasMachineView& m) const {
  const json::Value& cur = t.request.status();
  const MaasClient maas = t.host.maas();
  if (m.is(machine_state::kAllocated)) return deployNow(t, m);
  if (m.is(machine_state::kDeploying)) {
    Result r;
    r.status = statusFor(cur, m,
                         {kMachineDeployed, kConditionFalse, reason::kDeploying,
                          "MAAS is deploying " + t.image.value + " on " + describe(m) + " " +
                              attemptText(nextAttempt(cur)),
                          kSeverityInfo},
                         false);
    r.requeueAfterSeconds = s_.pollSeconds;
    return r;
  }
  if (m.is(machine_state::kDeployed)) {
    Result r;
    // Only "off" is acted on: "unknown"/"error" (e.g. manual power) cannot be fixed by power_on.
    if (m.powerState == "off") {
      MaasMachineView on = powerOn(maas, m.systemId);
      t.host.info("machine " + m.systemId + " was Deployed but powered off; powering it on");
      r.status = statusFor(
          cur, on,
          {kMachineDeployed, kConditionFalse, reason::kPoweredOff,
           "MAAS showed " + describe(m) + " Deployed but powered off; asked MAAS to power it on",
           kSeverityWarning},
          false);
      r.requeueAfterSeconds = s_.pollSeconds;
      return r;
    }
    r.status = statusFor(cur, m,
                         {kMachineDeployed, kConditionTrue, reason::kDeployed,
                          t.image.value + " deployed on " + describe(m), ""},
                         true);
    return r;
  }
  if (m.is(machine_state::kFailedDeployment)) {
    return failed(t, m, "MAAS reported \"Failed deployment\"");
  }
  if (m.beingReleased()) return unexpectedlyReleased(cur, m.systemId);
  Result r;
  r.status = statusFor(
      cur, m,
      {kMachineDeployed, kConditionUnknown, "UnexpectedMachineState",
       "MAAS shows " + describe(m) + " in state \"" + m.statusName + "\"", kSeverityWarning},
      false);
  r.requeueAfterSeconds = s_.pollSeconds;
  return r;
}

Result DeploymentDriver::deployNow(const DeployTarget& t, const MaasMachineView& m) const {
  const MaasClient maas = t.host.maas();
  if (!t.owner.annotated(m)) annotate(maas, m.systemId, t.owner);
  int attempt = nextAttempt(t.request.status());
  DeployResult d = deploy(maas, m.systemId, t.userData, t.image, t.owner.uid);
  if (!d.machine && d.httpStatus >= 400 && d.httpStatus < 500) {
    return failed(
        t, m,
        "MAAS refused to deploy it (HTTP " + std::to_string(d.httpStatus) + ": " + d.error + ")");
  }
  if (!d.machine) {
    // A 5xx (or anything but a refusal) says nothing about the machine: MAAS may or may not have
    // started deploying it. Keep it; the next reconcile reads its state and acts on that.
    throw PluginError(ErrorType::Transient,
                      "MAAS answered POST machines/" + m.systemId + "/?op=deploy for " +
                          describe(m) + " with HTTP " + std::to_string(d.httpStatus) + ": " +
                          d.error + "; the deployment may or may not have started, so " +
                          m.systemId + " stays recorded and is read again")
        .retryable(true);
  }
  Result r;
  r.status = statusFor(t.request.status(), *d.machine,
                       {kMachineDeployed, kConditionFalse, reason::kDeploying,
                        "MAAS is deploying " + t.image.value + " on " + describe(*d.machine) + " " +
                            attemptText(attempt),
                        kSeverityInfo},
                       false);
  r.requeueAfterSeconds = s_.pollSeconds;
  return r;
}

Result DeploymentDriver::failed(const DeployTarget& t, const MaasMachineView& m,
                                const std::string& why) const {
  const json::Value& cur = t.request.status();
  const int attempt = std::max(attemptOf(cur), 1);
  Result r;
  std::string what = "deployment of " + t.image.value + " on " + describe(m) + " failed " +
                     attemptText(attempt) + ": " + why + "; released it";
  if (attempt >= s_.maxAttempts) {
    r.status =
        withDeployedCondition(cur, {kMachineDeployed, kConditionFalse, reason::kDeploymentFailed,
                                    what + "; giving up", kSeverityError});
    r.status.set("failureReason", "CreateError");
    r.status.set("failureMessage",
                 what + "; giving up after " + std::to_string(attempt) + " attempt(s)");
  } else {
    int64_t wait = s_.backoffSeconds(attempt);
    r.status = withDeployedCondition(
        cur, {kMachineDeployed, kConditionFalse, reason::kDeploymentRetrying,
              what + "; next attempt not before " + formatRfc3339(nowSeconds() + wait),
              kSeverityWarning});
    r.requeueAfterSeconds = std::max<int64_t>(wait, 1);
  }
  r.status.set("systemID", nullptr);
  r.status.set("providerID", nullptr);
  r.status.set("machineState", machine_state::kReleasing);
  r.status.set("machinePowered", false);
  r.status.set("addresses", json::Value::array());
  r.status.set(kDiscardedSystemIDs, discardedWith(cur, m.systemId));
  // Forget the machine durably before releasing it, together with the attempt count (a crash
  // must not reset the budget) and its id in discardedSystemIDs: a crash in between, or a
  // release that fails or is still on its way, leaves it findable through agent_name (LXD: its
  // hostname), and the lookup must give it back again rather than adopt it.
  t.host.checkpoint(r.status);
  const std::string comment = "maasprov: deployment failed " + attemptText(attempt);
  if (s_.discard) {
    s_.discard(t.host.maas(), m.systemId, comment);
  } else {
    release(t.host.maas(), m.systemId, comment);
  }
  t.host.warn("deployment of " + m.systemId + " failed " + attemptText(attempt) + ": " + why +
              "; released it");
  return r;
}

}  // namespace maasprov::common
