#include "settings.hpp"

#include <algorithm>
#include <utility>

#include "maasprov/error.hpp"
#include "machine_status.hpp"

namespace maasprov::lxd {
namespace {

const char* const kKnown[] = {"pollSeconds",
                              "maxDeployAttempts",
                              "retryBaseSeconds",
                              "retryMaxSeconds",
                              "bootstrapWaitSeconds",
                              "backoffInitialSeconds",
                              "backoffCeilingSeconds",
                              "backoffMaxSeconds",
                              "backoffFirstRetries",
                              "unschedulableTags",
                              "profileTagPrefix",
                              "skipCommissioning",
                              "backingMachineCacheMillis",
                              "vmHostCacheMillis"};

PluginError bad(const std::string& key, const std::string& expected) {
  return invalidSpec("plugin configuration \"" + key + "\"", expected);
}

}  // namespace

Settings Settings::fromConfig(const json::Value& config) {
  if (!config.isObject()) throw invalidSpec("plugin configuration", "expected a JSON object");
  for (const auto& [key, value] : config.asObject()) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&key = key](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : kKnown) list += (list.empty() ? "" : ", ") + std::string(k);
      throw bad(key, "unknown key; expected one of " + list);
    }
  }
  Settings s;
  common::DeploySettings defaults;
  defaults.scheme = common::kLxdScheme;
  defaults.provisioningMode = "lxd";
  s.deploy = common::DeploySettings::fromConfig(config, defaults);
  for (auto [key, target, min] : {std::tuple{"bootstrapWaitSeconds", &s.bootstrapWaitSeconds, 1},
                                  std::tuple{"backoffInitialSeconds", &s.backoffInitialSeconds, 1},
                                  std::tuple{"backoffCeilingSeconds", &s.backoffCeilingSeconds, 1},
                                  std::tuple{"backoffMaxSeconds", &s.backoffMaxSeconds, 1},
                                  std::tuple{"backoffFirstRetries", &s.backoffFirstRetries, 0}}) {
    const json::Value* v = config.find(key);
    if (v == nullptr || v->isNull()) continue;
    if (!v->isInt() || v->asInt() < min) {
      throw bad(key, "expected an integer >= " + std::to_string(min) + ", got " + v->dump());
    }
    *target = v->asInt();
  }
  if (const json::Value* v = config.find("unschedulableTags"); v != nullptr && !v->isNull()) {
    if (!v->isArray()) throw bad("unschedulableTags", "expected a list of tag names");
    s.unschedulableTags.clear();
    for (const auto& t : v->asArray()) {
      if (!t.isString() || t.asString().empty()) {
        throw bad("unschedulableTags", "expected non-empty strings, got " + t.dump());
      }
      s.unschedulableTags.push_back(t.asString());
    }
  }
  if (const json::Value* v = config.find("profileTagPrefix"); v != nullptr && !v->isNull()) {
    if (!v->isString()) throw bad("profileTagPrefix", "expected a string, got " + v->dump());
    s.profileTagPrefix = v->asString();
  }
  if (const json::Value* v = config.find("skipCommissioning"); v != nullptr && !v->isNull()) {
    if (!v->isBool()) throw bad("skipCommissioning", "expected true or false, got " + v->dump());
    s.skipCommissioning = v->asBool();
  }
  // Capped: a stale read keeps composing on a host drained or down since (and a VM host
  // listing keeps the ledger's reservations made since its read).
  constexpr int64_t kMaxCacheMillis = 600000;
  for (auto [key, target] : {std::pair{"backingMachineCacheMillis", &s.backingMachineCacheMillis},
                             std::pair{"vmHostCacheMillis", &s.vmHostCacheMillis}}) {
    const json::Value* v = config.find(key);
    if (v == nullptr || v->isNull()) continue;
    if (!v->isInt() || v->asInt() < 0 || v->asInt() > kMaxCacheMillis) {
      throw bad(key, "expected an integer from 0 to " + std::to_string(kMaxCacheMillis) + ", got " +
                         v->dump());
    }
    *target = v->asInt();
  }
  return s;
}

json::Value Settings::toJson() const {
  json::Value out = json::Value::object();
  out.set("pollSeconds", deploy.pollSeconds);
  out.set("maxDeployAttempts", deploy.maxAttempts);
  out.set("retryBaseSeconds", deploy.retryBaseSeconds);
  out.set("retryMaxSeconds", deploy.retryMaxSeconds);
  out.set("bootstrapWaitSeconds", bootstrapWaitSeconds);
  out.set("backoffInitialSeconds", backoffInitialSeconds);
  out.set("backoffCeilingSeconds", backoffCeilingSeconds);
  out.set("backoffMaxSeconds", backoffMaxSeconds);
  out.set("backoffFirstRetries", backoffFirstRetries);
  json::Value tags = json::Value::array();
  for (const auto& t : unschedulableTags) tags.push_back(t);
  out.set("unschedulableTags", tags);
  out.set("profileTagPrefix", profileTagPrefix);
  out.set("skipCommissioning", skipCommissioning);
  out.set("backingMachineCacheMillis", backingMachineCacheMillis);
  out.set("vmHostCacheMillis", vmHostCacheMillis);
  return out;
}

int64_t Settings::backoffSeconds(int64_t n) const {
  // First retries: initial x 2^(n-1), never above the ceiling; then doubling on to the max.
  int64_t wait = backoffInitialSeconds;
  for (int64_t i = 1; i < std::min(n, backoffFirstRetries) && wait < backoffCeilingSeconds; ++i) {
    wait *= 2;
  }
  wait = std::min(wait, backoffCeilingSeconds);
  for (int64_t i = backoffFirstRetries; i < n && wait < backoffMaxSeconds; ++i) wait *= 2;
  return std::min(wait, std::max(backoffMaxSeconds, backoffCeilingSeconds));
}

}  // namespace maasprov::lxd
