// Conditions: the observations a reconciler records in an object's status, in the Cluster API
// shape (type, status, severity, reason, message, lastTransitionTime), the condition types of
// the seed design, and helpers to read and update a list of them.
//
// Ownership: plain values. Thread-safety: none of its own; the functions are reentrant and
// touch only their arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/model/time.hpp"

namespace maasprov::model {

// Condition types (the seed design's, plus the Ready summary).
inline constexpr std::string_view kConditionMachineDeployed = "MachineDeployed";
inline constexpr std::string_view kConditionDNSAttached = "DNSAttached";
inline constexpr std::string_view kConditionLXDHostSelected = "LXDHostSelected";
inline constexpr std::string_view kConditionLXDVMCreated = "LXDVMCreated";
inline constexpr std::string_view kConditionLXDVMDeployed = "LXDVMDeployed";
inline constexpr std::string_view kConditionLXDResourcesAllocated = "LXDResourcesAllocated";
inline constexpr std::string_view kConditionReady = "Ready";

// Values of Condition::status.
inline constexpr std::string_view kConditionTrue = "True";
inline constexpr std::string_view kConditionFalse = "False";
inline constexpr std::string_view kConditionUnknown = "Unknown";

// Values of Condition::severity (empty when status is True).
inline constexpr std::string_view kSeverityError = "Error";
inline constexpr std::string_view kSeverityWarning = "Warning";
inline constexpr std::string_view kSeverityInfo = "Info";

struct Condition {
  std::string type;      // required
  std::string status;    // required: True, False or Unknown
  std::string severity;  // empty, Error, Warning or Info
  std::string reason;    // CamelCase, machine-readable; may be empty
  std::string message;   // human-readable; may be empty
  std::optional<Time> lastTransitionTime;

  bool operator==(const Condition&) const = default;
};

// The condition of `type`, or nullptr.
const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type);

// True when the condition of `type` exists with status True.
bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type);

// Adds `condition` or replaces the one of the same type. lastTransitionTime becomes `now` when
// the status changes (or the condition is new) and is kept otherwise. Returns true when
// anything changed, so callers can skip writing an unchanged status.
bool setCondition(std::vector<Condition>& conditions, Condition condition, Time now);

}  // namespace maasprov::model
