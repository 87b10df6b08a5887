#include "framework/cli/resources.hpp"

#include <Poco/String.h>

#include <algorithm>

#include "framework/cli/cli_error.hpp"

namespace maasprov::cli {

std::string ResourceType::listPath(const std::string& ns) const {
  return ns.empty() ? prefix + "/" + plural : prefix + "/namespaces/" + ns + "/" + plural;
}

std::string ResourceType::objectPath(const std::string& ns, const std::string& name) const {
  return listPath(ns) + "/" + name;
}

const std::vector<ResourceType>& resourceTypes() {
  static const std::vector<ResourceType> types = {
      {"maasmachines",
       "maasmachine",
       "MaasMachine",
       "/apis/infrastructure.cluster.x-k8s.io/v1beta1",
       {"mm", "machine", "machines"}},
      {"maasclusters",
       "maascluster",
       "MaasCluster",
       "/apis/infrastructure.cluster.x-k8s.io/v1beta1",
       {"mc", "cluster", "clusters"}},
      {"secrets", "secret", "Secret", "/api/v1", {}},
  };
  return types;
}

const ResourceType& resourceByName(std::string_view name) {
  const std::string wanted = Poco::toLower(std::string(name));
  for (const auto& t : resourceTypes()) {
    if (wanted == t.plural || wanted == t.singular || wanted == Poco::toLower(t.kind) ||
        std::find(t.shortNames.begin(), t.shortNames.end(), wanted) != t.shortNames.end()) {
      return t;
    }
  }
  throw usageError("unknown resource type '" + std::string(name) +
                   "': expected maasmachines (mm), maasclusters (mc) or secrets");
}

const ResourceType& resourceByKind(std::string_view kind) {
  for (const auto& t : resourceTypes()) {
    if (t.kind == kind) return t;
  }
  throw CliError(kExitFailed, "unknown kind '" + std::string(kind) + "'");
}

}  // namespace maasprov::cli
