#include "framework/maas/retry_policy.hpp"

#include <algorithm>

#include "framework/maas/errors.hpp"

namespace maasprov::maas {

std::chrono::milliseconds backoffDelay(const RetrySettings& settings, int attempt) {
  auto delay = settings.baseBackoff;
  for (int i = 1; i < attempt && delay < settings.maxBackoff; ++i) delay *= 2;
  return std::min(delay, settings.maxBackoff);
}

std::optional<std::chrono::milliseconds> retryDelayFor(const RetrySettings& settings,
                                                       const Response& response, int attempt) {
  if (attempt >= settings.maxAttempts) return std::nullopt;
  if (response.status != 503 && response.status != 409) return std::nullopt;
  // A 503 without Retry-After is an outage to report, and a 409 without it is MAAS's verdict.
  const auto retryAfter = retryAfterOf(response);
  if (!retryAfter) return std::nullopt;
  if (*retryAfter <= std::chrono::seconds::zero()) return backoffDelay(settings, attempt);
  return std::min<std::chrono::milliseconds>(*retryAfter, settings.maxRetryAfter);
}

bool safeToRepeat(const Request& request) {
  return request.method == "GET" || request.idempotent;
}

std::optional<std::chrono::milliseconds> retryDelayFor(const RetrySettings& settings,
                                                       const Request& request, Failure failure,
                                                       int attempt) {
  if (attempt >= settings.maxAttempts) return std::nullopt;
  // A connection that never opened carried nothing, so even a POST may go again.
  if (failure != Failure::NotConnected && !safeToRepeat(request)) return std::nullopt;
  return backoffDelay(settings, attempt);
}

}  // namespace maasprov::maas
