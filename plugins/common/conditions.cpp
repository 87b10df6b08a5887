#include "conditions.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace maasprov::common {

std::string nowRfc3339() {
  return formatRfc3339(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

std::string formatRfc3339(long long epochSeconds) {
  std::time_t t = static_cast<std::time_t>(epochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

long long parseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != static_cast<int>(text.size())) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm));
}

const json::Value* findCondition(const json::Value& status, std::string_view type) {
  const json::Value* list = status.find("conditions");
  if (list == nullptr || !list->isArray()) return nullptr;
  for (const auto& c : list->asArray()) {
    const json::Value* t = c.find("type");
    if (t != nullptr && t->isString() && t->asString() == type) return &c;
  }
  return nullptr;
}

json::Value conditionJson(const Condition& c, const std::string& time) {
  json::Value out = json::Value::object();
  out.set("type", c.type);
  out.set("status", c.status);
  if (!c.severity.empty()) out.set("severity", c.severity);
  if (!c.reason.empty()) out.set("reason", c.reason);
  if (!c.message.empty()) out.set("message", c.message);
  out.set("lastTransitionTime", time);
  return out;
}

json::Value conditionPatch(const json::Value& status, const Condition& c) {
  json::Value out = json::Value::array();
  const json::Value all = withCondition(status, c);  // named: asArray() refers into it
  for (const auto& existing : all.asArray()) {
    const json::Value* t = existing.find("type");
    if (t != nullptr && t->isString() && t->asString() == c.type) out.push_back(existing);
  }
  return out;
}

json::Value withCondition(const json::Value& status, const Condition& c) {
  json::Value out = json::Value::array();
  std::string time = nowRfc3339();
  bool replaced = false;
  const json::Value* list = status.find("conditions");
  if (list != nullptr && list->isArray()) {
    for (const auto& existing : list->asArray()) {
      const json::Value* t = existing.find("type");
      if (t == nullptr || !t->isString() || t->asString() != c.type) {
        out.push_back(existing);
        continue;
      }
      if (!replaced) {
        // The transition time only moves when the status changes.
        const json::Value* s = existing.find("status");
        const json::Value* when = existing.find("lastTransitionTime");
        if (s != nullptr && s->isString() && s->asString() == c.status && when != nullptr &&
            when->isString()) {
          time = when->asString();
        }
        out.push_back(conditionJson(c, time));
        replaced = true;
      }
    }
  }
  if (!replaced) out.push_back(conditionJson(c, time));
  return out;
}

}  // namespace maasprov::common
