// Cluster API style conditions in status documents: {type, status, severity, reason, message,
// lastTransitionTime}. The host merges a returned "conditions" list into the stored one by type,
// so plugins return only the types they own (conditionPatch); withCondition() gives the whole
// list with one type replaced, for callers that need it.
//
// Ownership: values only. Thread-safety: pure functions (the clock is std::chrono).
#pragma once

#include <string>
#include <string_view>

#include "maasprov/json.hpp"

namespace maasprov::common {

inline constexpr const char* kConditionTrue = "True";
inline constexpr const char* kConditionFalse = "False";
inline constexpr const char* kConditionUnknown = "Unknown";
inline constexpr const char* kSeverityError = "Error";
inline constexpr const char* kSeverityWarning = "Warning";
inline constexpr const char* kSeverityInfo = "Info";

struct Condition {
  std::string type;      // "MachineDeployed", "DNSAttached", ...
  std::string status;    // kConditionTrue / False / Unknown
  std::string reason;    // CamelCase, machine-readable
  std::string message;   // for people
  std::string severity;  // "" (for True), or kSeverityError / Warning / Info
};

// Now as RFC 3339 UTC without fractions, e.g. "2026-11-25T07:41:33Z".
std::string nowRfc3339();
// `epochSeconds` (since 1970, UTC) in the same form.
std::string formatRfc3339(long long epochSeconds);
// Seconds since the epoch for an RFC 3339 UTC time written by nowRfc3339(); -1 if unparsable.
long long parseRfc3339(const std::string& text);

// The condition of `type` in status.conditions, or nullptr.
const json::Value* findCondition(const json::Value& status, std::string_view type);

// status.conditions with `c` inserted or replacing the one of the same type. The previous
// lastTransitionTime is kept when the status ("True"/"False"/"Unknown") did not change.
json::Value withCondition(const json::Value& status, const Condition& c);

// A "conditions" list holding only `c` (time kept from status.conditions when its status did
// not change): what a plugin returns, since the host merges returned conditions by type and
// other writers (e.g. the DNS plugin's DNSAttached) must not be overwritten with stale copies.
json::Value conditionPatch(const json::Value& status, const Condition& c);

// The condition as a JSON object; lastTransitionTime set to `time`.
json::Value conditionJson(const Condition& c, const std::string& time);

}  // namespace maasprov::common
