#include "deployment.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>

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
                              attemptText(std::max(attemptOf(cur), 1)),
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
  DeployResult d = deploy(maas, m.systemId, t.userData, t.image);
  if (!d.machine) {
    return failed(
        t, m,
        "MAAS refused to deploy it (HTTP " + std::to_string(d.httpStatus) + ": " + d.error + ")");
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
  // Forget the machine durably before releasing it (a crash in between finds it again through
  // agent_name), together with the attempt count so a crash does not reset the budget.
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
