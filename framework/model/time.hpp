// Timestamps of the resource model (metadata.creationTimestamp, conditions'
// lastTransitionTime, ...): whole seconds in UTC, written as RFC 3339 (`2024-05-01T12:00:00Z`)
// as Kubernetes does.
//
// Ownership: values. Thread-safety: the functions are reentrant.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace maasprov::model {

using Time = std::chrono::sys_seconds;

// Parses an RFC 3339 timestamp (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00+02:00`, optional
// fractional seconds, which are dropped). Returns nullopt for anything else, including
// impossible dates such as February 30th.
std::optional<Time> parseTime(std::string_view text);

// Formats as `YYYY-MM-DDTHH:MM:SSZ` (UTC), which parseTime reads back unchanged.
std::string formatTime(Time time);

// The current time, truncated to whole seconds.
Time now();

}  // namespace maasprov::model
