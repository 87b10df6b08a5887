// Object: any object the resource model knows (MaasMachine, MaasCluster, Secret), and
// accessors that work on all of them.
//
// Ownership: a value type (std::variant). Thread-safety: none of its own; the functions are
// reentrant and touch only their arguments.
#pragma once

#include <string_view>
#include <variant>

#include "framework/model/maas_cluster.hpp"
#include "framework/model/maas_machine.hpp"
#include "framework/model/secret.hpp"

namespace maasprov::model {

using Object = std::variant<MaasMachine, MaasCluster, Secret>;

// "MaasMachine", "MaasCluster" or "Secret".
std::string_view kindOf(const Object& object);
// "infrastructure.cluster.x-k8s.io/v1beta1" or "v1".
std::string_view apiVersionOf(const Object& object);

ObjectMeta& metadataOf(Object& object);
const ObjectMeta& metadataOf(const Object& object);

}  // namespace maasprov::model
