// Errors a plugin reports to the host. Throw maasprov::PluginError from reconcile/remove (or let
// any other exception escape): the SDK's boundary glue turns it into the ABI's error struct, so
// no exception ever crosses the shared-object boundary.
//
// Ownership: plain value types. Thread-safety: none needed (values, no shared state). C++17.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "maasprov/json.hpp"
#include "maasprov/plugin_abi.h"

namespace maasprov {

// Mirrors MAASPROV_ERROR_* in plugin_abi.h (the values cross the ABI).
enum class ErrorType : int32_t {
  HostUnavailable = MAASPROV_ERROR_HOST_UNAVAILABLE,
  InsufficientResources = MAASPROV_ERROR_INSUFFICIENT_RESOURCES,
  ProfileNotFound = MAASPROV_ERROR_PROFILE_NOT_FOUND,
  ProjectNotFound = MAASPROV_ERROR_PROJECT_NOT_FOUND,
  VMCreationFailed = MAASPROV_ERROR_VM_CREATION_FAILED,
  VMDeploymentFailed = MAASPROV_ERROR_VM_DEPLOYMENT_FAILED,
  InvalidSpec = MAASPROV_ERROR_INVALID_SPEC,
  Transient = MAASPROV_ERROR_TRANSIENT,
  Internal = MAASPROV_ERROR_INTERNAL,
};

inline const char* errorTypeName(ErrorType t) {
  switch (t) {
    case ErrorType::HostUnavailable:
      return "HostUnavailable";
    case ErrorType::InsufficientResources:
      return "InsufficientResources";
    case ErrorType::ProfileNotFound:
      return "ProfileNotFound";
    case ErrorType::ProjectNotFound:
      return "ProjectNotFound";
    case ErrorType::VMCreationFailed:
      return "VMCreationFailed";
    case ErrorType::VMDeploymentFailed:
      return "VMDeploymentFailed";
    case ErrorType::InvalidSpec:
      return "InvalidSpec";
    case ErrorType::Transient:
      return "Transient";
    case ErrorType::Internal:
      return "Internal";
  }
  return "Internal";
}

// Whether a type is retried by default; the constructor's `retryable` argument overrides.
// The terminal ones stay terminal until the object's spec changes.
inline bool defaultRetryable(ErrorType t) {
  switch (t) {
    case ErrorType::ProfileNotFound:
    case ErrorType::ProjectNotFound:
    case ErrorType::InvalidSpec:
    case ErrorType::VMDeploymentFailed:
      return false;
    default:
      return true;
  }
}

class PluginError : public std::runtime_error {
 public:
  PluginError(ErrorType type, const std::string& message, std::string host = {})
      : std::runtime_error(message),
        type_(type),
        host_(std::move(host)),
        retryable_(defaultRetryable(type)) {}

  PluginError& retryable(bool r) { return retryable_ = r, *this; }
  PluginError& requeueAfterSeconds(int64_t s) { return requeueAfterMs_ = s * 1000, *this; }
  PluginError& requeueAfterMs(int64_t ms) { return requeueAfterMs_ = ms, *this; }
  // Status fields the host should still apply (e.g. a condition naming the shortfall).
  PluginError& status(json::Value s) { return status_ = std::move(s), *this; }

  ErrorType type() const { return type_; }
  const std::string& host() const { return host_; }
  bool isRetryable() const { return retryable_; }
  int64_t requeueAfterMs() const { return requeueAfterMs_; }
  const std::optional<json::Value>& statusUpdate() const { return status_; }

 private:
  ErrorType type_;
  std::string host_;
  bool retryable_;
  int64_t requeueAfterMs_ = 0;
  std::optional<json::Value> status_;
};

// Convenience: the spec is wrong; names the field so users know what to fix.
inline PluginError invalidSpec(const std::string& field, const std::string& expected) {
  return PluginError(ErrorType::InvalidSpec, field + ": " + expected);
}

}  // namespace maasprov
