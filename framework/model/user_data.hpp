// Where a MaasMachine's cloud-init user data comes from (docs/resource-model.md, "User data"):
// inline spec.userData, or data.value of the Secret named by spec.bootstrapDataSecretName in the
// machine's namespace. The controller looks the Secret up and asks here for the result.
//
// User data is secret: callers must not log what these functions return.
// Ownership: returns values; keeps nothing. Thread-safety: reentrant.
#pragma once

#include <optional>
#include <string>

#include "framework/model/maas_machine.hpp"
#include "framework/model/secret.hpp"

namespace maasprov::model {

// The name of the Secret to look up (same namespace as the machine), or nullopt when the user
// data is inline or not given at all.
std::optional<std::string> bootstrapSecretName(const MaasMachine& machine);

// The base64 user data to deploy with: spec.userData, or else data.value of `secret` when it is
// the machine's bootstrap Secret (same name and namespace; pass nullptr while it does not
// exist). nullopt means "not available yet": the controller waits.
std::optional<std::string> resolveUserData(const MaasMachine& machine, const Secret* secret);

}  // namespace maasprov::model
