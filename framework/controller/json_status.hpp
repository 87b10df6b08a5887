// Small helpers over stored JSON documents that the reconcilers share: reading nested fields,
// finalizers, merging a plugin's status patch, and conditions in the Cluster API shape.
//
// The controller works on the stored JSON rather than decoding into model types, so status
// fields it does not know (a plugin's own bookkeeping) pass through unchanged.
//
// Ownership: functions mutate only the documents passed in; nothing is retained.
// Thread-safety: reentrant; a document must not be mutated by two threads at once.
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>

#include "framework/model/time.hpp"

namespace maasprov::controller {

using Json = Poco::JSON::Object::Ptr;

// The member object `key` of `obj`, or null when absent or not an object.
Json objectAt(Json obj, const std::string& key);
// Follows `path` through objects; nullopt unless it ends at a string.
std::optional<std::string> stringAt(Json obj, std::initializer_list<std::string> path);
bool boolAt(Json obj, std::initializer_list<std::string> path, bool fallback = false);
long long intAt(Json obj, std::initializer_list<std::string> path, long long fallback = 0);

// obj.status, created as {} when missing.
Json ensureStatus(Json obj);
// Sets obj[key] = value unless it already holds an equivalent value; returns whether it changed.
bool setIfDifferent(Json obj, const std::string& key, const Poco::Dynamic::Var& value);
// A deep copy (via the JSON text), for patches kept beyond the call that produced them.
Json deepCopy(Json obj);

bool hasFinalizer(Json obj, std::string_view finalizer);
// Returns true when the list changed.
bool addFinalizer(Json obj, std::string_view finalizer);
bool removeFinalizer(Json obj, std::string_view finalizer);
bool isBeingDeleted(Json obj);

// Applies a plugin's status patch: top-level keys replace, except `conditions`, which are merged
// by type (a condition keeps its lastTransitionTime while its status is unchanged). A patch
// that is not an object changes nothing. Returns whether `status` changed.
bool mergeStatus(Json status, Json patch, model::Time now);

struct ConditionValue {
  std::string type;
  std::string status;  // True, False, Unknown
  std::string reason;
  std::string message;
  std::string severity;  // empty when status is True
};
// Adds the condition, or replaces the one of that type where it stands (so rewriting conditions
// does not reorder them); lastTransitionTime moves only with the status. Returns whether
// `status` changed.
bool setCondition(Json status, const ConditionValue& condition, model::Time now);
// The condition of `type` in status.conditions, or null.
Json findCondition(Json status, std::string_view type);
void removeCondition(Json status, std::string_view type);

}  // namespace maasprov::controller
