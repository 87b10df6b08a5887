// Routes: which endpoint an (already percent-decoded) request path names, and the resource
// types the API serves. Pure functions of the path; the handler decides methods and access.
//
// Ownership: Route points at static ResourceType descriptions that live for the whole program.
// Thread-safety: reentrant.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maasprov::api {

struct ResourceType {
  std::string_view kind;        // "MaasMachine"
  std::string_view plural;      // "maasmachines", the path segment
  std::string_view apiVersion;  // "infrastructure.cluster.x-k8s.io/v1beta1"
  std::string_view listKind;    // "MaasMachineList"
  std::string_view prefix;      // "/apis/infrastructure.cluster.x-k8s.io/v1beta1"
};

enum class Endpoint {
  Unknown,
  Healthz,
  Readyz,
  Metrics,
  Plugins,
  VmHosts,
  Collection,    // list, watch, create
  Object,        // get, replace, delete, apply
  ObjectStatus,  // the status subresource (read-only)
};

struct Route {
  Endpoint endpoint = Endpoint::Unknown;
  const ResourceType* resource = nullptr;  // set for Collection, Object and ObjectStatus
  std::optional<std::string> ns;           // nullopt: a cross-namespace collection
  std::string name;                        // Object and ObjectStatus
  // The path with namespace and name replaced by {namespace} and {name}: a bounded label for
  // metrics ("other" for unknown paths).
  std::string pattern;
};

Route matchRoute(std::string_view path);

// The resource types served, for lookups by kind (nullptr when the kind is not served).
const ResourceType* resourceForKind(std::string_view kind);

}  // namespace maasprov::api
