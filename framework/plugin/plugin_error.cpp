#include "framework/plugin/plugin_error.hpp"

namespace maasprov::plugin {

const char* errorTypeName(ErrorType type) {
  switch (type) {
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

ErrorType errorTypeFromAbi(int32_t value) {
  if (value >= static_cast<int32_t>(ErrorType::HostUnavailable) &&
      value <= static_cast<int32_t>(ErrorType::Internal)) {
    return static_cast<ErrorType>(value);
  }
  return ErrorType::Internal;
}

}  // namespace maasprov::plugin
