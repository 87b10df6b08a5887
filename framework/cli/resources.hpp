// The resource types the CLI knows, their names and aliases (kubectl-style: plural, singular,
// kind, short names such as `mm` and `mc`) and their REST paths (docs/api.md).
//
// Ownership: static, immutable tables. Thread-safety: safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace maasprov::cli {

struct ResourceType {
  std::string plural;    // "maasmachines": the path segment
  std::string singular;  // "maasmachine": how objects are named in output (maasmachine/cp-0)
  std::string kind;      // "MaasMachine"
  std::string prefix;    // "/apis/infrastructure.cluster.x-k8s.io/v1beta1" or "/api/v1"
  std::vector<std::string> shortNames;

  // The list path: across namespaces when `ns` is empty.
  std::string listPath(const std::string& ns) const;
  std::string objectPath(const std::string& ns, const std::string& name) const;
};

// All types, in the order help text lists them.
const std::vector<ResourceType>& resourceTypes();

// By plural, singular, kind (case-insensitive) or short name; throws a usage CliError naming
// the accepted names otherwise.
const ResourceType& resourceByName(std::string_view name);
// By kind ("MaasMachine"); throws a CliError for an unknown kind.
const ResourceType& resourceByKind(std::string_view kind);

}  // namespace maasprov::cli
