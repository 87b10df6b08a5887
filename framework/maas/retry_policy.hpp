// When the client repeats a MAAS request, and after how long.
//
// MAAS answers 503 with Retry-After when a region is busy (no RPC connection yet) and 409 with
// Retry-After when a database transaction lost a conflict it could not retry itself; in both
// cases nothing was applied, so any request may be repeated. Without a response (timeout,
// connection reset) MAAS may already have acted, so only requests safe to repeat are retried.
//
// Value types and pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct RetrySettings {
  int maxAttempts = 5;  // attempts in total, first one included; 1 disables retries
  std::chrono::milliseconds baseBackoff{200};  // first delay after a failure without Retry-After
  std::chrono::milliseconds maxBackoff{5000};  // cap of the exponential backoff
  std::chrono::milliseconds maxRetryAfter{30000};  // cap applied to MAAS's Retry-After
};

// Why an attempt got no usable answer.
enum class Failure {
  NotConnected,  // the connection could not be opened: the request never left
  Timeout,       // connect or read timed out
  Reset,         // the connection broke before a complete response arrived
};

// Exponential backoff for attempt n (1 = after the first failure), capped by maxBackoff.
std::chrono::milliseconds backoffDelay(const RetrySettings& settings, int attempt);

// The delay before repeating a request that got this response after `attempt` attempts, or
// nullopt when the response is final (delivered to the caller or mapped to an error).
std::optional<std::chrono::milliseconds> retryDelayFor(const RetrySettings& settings,
                                                       const Response& response, int attempt);

// The delay before repeating a request that failed without a response, or nullopt when it
// must not be repeated (not safe to repeat, or attempts exhausted).
std::optional<std::chrono::milliseconds> retryDelayFor(const RetrySettings& settings,
                                                       const Request& request, Failure failure,
                                                       int attempt);

// True when repeating the request cannot apply it twice: GETs, and requests the caller marked.
bool safeToRepeat(const Request& request);

}  // namespace maasprov::maas
