#include "framework/model/condition.hpp"

#include <algorithm>
#include <utility>

namespace maasprov::model {

const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type) {
  const auto it = std::find_if(conditions.begin(), conditions.end(),
                               [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* condition = findCondition(conditions, type);
  return condition != nullptr && condition->status == kConditionTrue;
}

bool setCondition(std::vector<Condition>& conditions, Condition condition, Time now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == condition.type; });
  if (it == conditions.end()) {
    condition.lastTransitionTime = now;
    conditions.push_back(std::move(condition));
    return true;
  }
  condition.lastTransitionTime = it->status == condition.status ? it->lastTransitionTime : now;
  if (*it == condition) return false;
  *it = std::move(condition);
  return true;
}

}  // namespace maasprov::model
