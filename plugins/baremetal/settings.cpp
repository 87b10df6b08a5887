#include "settings.hpp"

#include "maasprov/error.hpp"

namespace maasprov::baremetal {

Settings Settings::fromConfig(const json::Value& config) {
  if (!config.isObject()) throw invalidSpec("plugin configuration", "expected a JSON object");
  static const char* const kKnown[] = {
      "pollSeconds",         "maxDeployAttempts",    "retryBaseSeconds", "retryMaxSeconds",
      "noMatchRetrySeconds", "bootstrapWaitSeconds", "listFirst"};
  for (const auto& [key, value] : config.asObject()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) {
      throw invalidSpec("plugin configuration \"" + key + "\"",
                        "unknown key; expected one of pollSeconds, maxDeployAttempts, "
                        "retryBaseSeconds, retryMaxSeconds, noMatchRetrySeconds, "
                        "bootstrapWaitSeconds, listFirst");
    }
  }
  Settings s;
  s.deploy = common::DeploySettings::fromConfig(config, common::DeploySettings{});
  for (auto [key, target] : {std::pair{"noMatchRetrySeconds", &s.noMatchRetrySeconds},
                             std::pair{"bootstrapWaitSeconds", &s.bootstrapWaitSeconds}}) {
    const json::Value* v = config.find(key);
    if (v == nullptr || v->isNull()) continue;
    if (!v->isInt() || v->asInt() < 1) {
      throw invalidSpec(std::string("plugin configuration \"") + key + "\"",
                        "expected an integer >= 1, got " + v->dump());
    }
    *target = v->asInt();
  }
  if (const json::Value* v = config.find("listFirst"); v != nullptr && !v->isNull()) {
    if (!v->isBool()) {
      throw invalidSpec("plugin configuration \"listFirst\"",
                        "expected true or false, got " + v->dump());
    }
    s.listFirst = v->asBool();
  }
  return s;
}

json::Value Settings::toJson() const {
  json::Value out = json::Value::object();
  out.set("pollSeconds", deploy.pollSeconds);
  out.set("maxDeployAttempts", deploy.maxAttempts);
  out.set("retryBaseSeconds", deploy.retryBaseSeconds);
  out.set("retryMaxSeconds", deploy.retryMaxSeconds);
  out.set("noMatchRetrySeconds", noMatchRetrySeconds);
  out.set("bootstrapWaitSeconds", bootstrapWaitSeconds);
  out.set("listFirst", listFirst);
  return out;
}

}  // namespace maasprov::baremetal
