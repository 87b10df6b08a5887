#include "framework/controller/json_status.hpp"

#include <Poco/JSON/Array.h>

#include "framework/store/object_rules.hpp"

namespace maasprov::controller {

Json objectAt(Json obj, const std::string& key) {
  if (!obj || !obj->has(key)) return nullptr;
  try {
    return obj->getObject(key);
  } catch (const Poco::Exception&) {  // present but not an object
    return nullptr;
  }
}

namespace {

Poco::Dynamic::Var valueAt(Json obj, std::initializer_list<std::string> path) {
  Json cur = obj;
  std::size_t i = 0;
  for (const auto& key : path) {
    if (!cur || !cur->has(key)) return {};
    if (++i == path.size()) return cur->get(key);
    cur = objectAt(cur, key);
  }
  return {};
}

Poco::JSON::Array::Ptr conditionsOf(Json status, bool create) {
  if (!status) return nullptr;
  Poco::JSON::Array::Ptr list;
  if (status->has("conditions")) {
    try {
      list = status->getArray("conditions");
    } catch (const Poco::Exception&) {
      list = nullptr;
    }
  }
  if (!list && create) {
    list = new Poco::JSON::Array;
    status->set("conditions", list);
  }
  return list;
}

Poco::JSON::Array::Ptr finalizersOf(Json obj, bool create) {
  Json meta = objectAt(obj, "metadata");
  if (!meta) return nullptr;
  Poco::JSON::Array::Ptr list;
  if (meta->has("finalizers")) {
    try {
      list = meta->getArray("finalizers");
    } catch (const Poco::Exception&) {
      list = nullptr;
    }
  }
  if (!list && create) {
    list = new Poco::JSON::Array;
    meta->set("finalizers", list);
  }
  return list;
}

}  // namespace

std::optional<std::string> stringAt(Json obj, std::initializer_list<std::string> path) {
  Poco::Dynamic::Var v = valueAt(obj, path);
  if (v.isEmpty() || !v.isString()) return std::nullopt;
  return v.convert<std::string>();
}

bool boolAt(Json obj, std::initializer_list<std::string> path, bool fallback) {
  Poco::Dynamic::Var v = valueAt(obj, path);
  return v.isBoolean() ? v.extract<bool>() : fallback;
}

long long intAt(Json obj, std::initializer_list<std::string> path, long long fallback) {
  Poco::Dynamic::Var v = valueAt(obj, path);
  if (v.isEmpty() || !v.isNumeric()) return fallback;
  try {
    return v.convert<long long>();
  } catch (const Poco::Exception&) {
    return fallback;
  }
}

Json ensureStatus(Json obj) {
  Json status = objectAt(obj, "status");
  if (!status) {
    status = new Poco::JSON::Object;
    obj->set("status", status);
  }
  return status;
}

Json deepCopy(Json obj) {
  return store::rules::deepCopy(obj);
}

bool hasFinalizer(Json obj, std::string_view finalizer) {
  auto list = finalizersOf(obj, false);
  if (!list) return false;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (list->get(i).toString() == finalizer) return true;
  }
  return false;
}

bool addFinalizer(Json obj, std::string_view finalizer) {
  if (hasFinalizer(obj, finalizer)) return false;
  finalizersOf(obj, true)->add(std::string(finalizer));
  return true;
}

bool removeFinalizer(Json obj, std::string_view finalizer) {
  auto list = finalizersOf(obj, false);
  if (!list) return false;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (list->get(i).toString() == finalizer) {
      list->remove(static_cast<unsigned>(i));
      return true;
    }
  }
  return false;
}

bool isBeingDeleted(Json obj) {
  auto ts = stringAt(obj, {"metadata", "deletionTimestamp"});
  return ts && !ts->empty();
}

namespace {

// `existing` says exactly what `c` says (its lastTransitionTime aside): no other members.
bool sameCondition(const Poco::JSON::Object& existing, const ConditionValue& c) {
  const std::size_t members =
      3 + !c.severity.empty() + !c.reason.empty() + !c.message.empty();  // + type, status, time
  return existing.size() == members &&
         existing.optValue<std::string>("severity", "") == c.severity &&
         existing.optValue<std::string>("reason", "") == c.reason &&
         existing.optValue<std::string>("message", "") == c.message;
}

}  // namespace

bool setCondition(Json status, const ConditionValue& c, model::Time now) {
  auto list = conditionsOf(status, true);
  std::string transition = model::formatTime(now);
  std::optional<unsigned> at;  // the position of the condition of that type, kept
  for (std::size_t i = 0; i < list->size(); ++i) {
    Json existing = list->getObject(static_cast<unsigned>(i));
    if (!existing || existing->optValue<std::string>("type", "") != c.type) continue;
    if (existing->optValue<std::string>("status", "") == c.status &&
        existing->has("lastTransitionTime")) {
      transition = existing->getValue<std::string>("lastTransitionTime");
      if (sameCondition(*existing, c)) return false;
    }
    at = static_cast<unsigned>(i);
    break;
  }
  Json cond = new Poco::JSON::Object;
  cond->set("type", c.type);
  cond->set("status", c.status);
  if (!c.severity.empty()) cond->set("severity", c.severity);
  if (!c.reason.empty()) cond->set("reason", c.reason);
  if (!c.message.empty()) cond->set("message", c.message);
  cond->set("lastTransitionTime", transition);
  if (at) {
    list->set(*at, cond);
  } else {
    list->add(cond);
  }
  return true;
}

Json findCondition(Json status, std::string_view type) {
  auto list = conditionsOf(status, false);
  if (!list) return nullptr;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Json c = list->getObject(static_cast<unsigned>(i));
    if (c && c->optValue<std::string>("type", "") == type) return c;
  }
  return nullptr;
}

void removeCondition(Json status, std::string_view type) {
  auto list = conditionsOf(status, false);
  if (!list) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Json c = list->getObject(static_cast<unsigned>(i));
    if (c && c->optValue<std::string>("type", "") == type) {
      list->remove(static_cast<unsigned>(i));
      return;
    }
  }
}

bool setIfDifferent(Json obj, const std::string& key, const Poco::Dynamic::Var& value) {
  if (obj->has(key) && store::rules::equivalent(obj->get(key), value)) return false;
  obj->set(key, value);
  return true;
}

bool mergeStatus(Json status, Json patch, model::Time now) {
  if (!status || !patch) return false;
  bool changed = false;
  for (const auto& [key, value] : *patch) {
    if (key != "conditions") {
      changed = setIfDifferent(status, key, value) || changed;
      continue;
    }
    Poco::JSON::Array::Ptr incoming;
    try {
      incoming = value.extract<Poco::JSON::Array::Ptr>();
    } catch (const Poco::Exception&) {
      continue;  // not a list: ignored rather than corrupting the stored conditions
    }
    for (std::size_t i = 0; i < incoming->size(); ++i) {
      Json c = incoming->getObject(static_cast<unsigned>(i));
      if (!c || !c->has("type")) continue;
      ConditionValue cv{
          c->optValue<std::string>("type", ""), c->optValue<std::string>("status", ""),
          c->optValue<std::string>("reason", ""), c->optValue<std::string>("message", ""),
          c->optValue<std::string>("severity", "")};
      if (cv.type.empty() || cv.status.empty()) continue;
      changed = setCondition(status, cv, now) || changed;
    }
  }
  return changed;
}

}  // namespace maasprov::controller
