// What the host learns when a plugin call fails: the plugin's own error struct, or the host's
// verdict on a plugin that misbehaved (malformed output, timeout, bad return code).
//
// Ownership: plain values. Thread-safety: none needed.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace maasprov::plugin {

// Mirrors MAASPROV_ERROR_* of the ABI; unknown values from newer plugins map to Internal.
enum class ErrorType : int32_t {
  HostUnavailable = 1,
  InsufficientResources = 2,
  ProfileNotFound = 3,
  ProjectNotFound = 4,
  VMCreationFailed = 5,
  VMDeploymentFailed = 6,
  InvalidSpec = 7,
  Transient = 8,
  Internal = 9,
};

const char* errorTypeName(ErrorType type);
ErrorType errorTypeFromAbi(int32_t value);  // unknown -> Internal

struct PluginFailure {
  ErrorType type = ErrorType::Internal;
  std::string message;
  std::string host;  // the MAAS / VM host involved, if any
  bool retryable = true;
  std::chrono::milliseconds requeueAfter{0};  // 0: the controller's own backoff
};

// Thrown by loading and instance creation; `file` names the plugin involved.
class PluginLoadError : public std::runtime_error {
 public:
  PluginLoadError(std::string file, const std::string& reason)
      : std::runtime_error(file + ": " + reason), file_(std::move(file)), reason_(reason) {}
  const std::string& file() const { return file_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::string reason_;
};

}  // namespace maasprov::plugin
