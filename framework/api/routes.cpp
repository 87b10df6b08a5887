#include "framework/api/routes.hpp"

#include <array>
#include <vector>

namespace maasprov::api {
namespace {

constexpr std::string_view kInfraPrefix = "/apis/infrastructure.cluster.x-k8s.io/v1beta1";
constexpr std::string_view kCorePrefix = "/api/v1";

constexpr std::array<ResourceType, 3> kResources{{
    {"MaasMachine", "maasmachines", "infrastructure.cluster.x-k8s.io/v1beta1", "MaasMachineList",
     kInfraPrefix},
    {"MaasCluster", "maasclusters", "infrastructure.cluster.x-k8s.io/v1beta1", "MaasClusterList",
     kInfraPrefix},
    {"Secret", "secrets", "v1", "SecretList", kCorePrefix},
}};

std::vector<std::string_view> split(std::string_view rest) {
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    // A trailing or doubled slash leaves an empty segment, which matches nothing.
    if (rest.empty()) parts.emplace_back();
  }
  return parts;
}

const ResourceType* byPlural(std::string_view prefix, std::string_view plural) {
  for (const auto& resource : kResources) {
    if (resource.prefix == prefix && resource.plural == plural) return &resource;
  }
  return nullptr;
}

Route resourceRoute(std::string_view prefix, const std::vector<std::string_view>& parts) {
  Route route;
  route.pattern = "other";
  const std::string base(prefix);
  if (parts.size() == 1) {
    if (const auto* resource = byPlural(prefix, parts[0])) {
      route = {Endpoint::Collection, resource, std::nullopt, "",
               base + "/" + std::string(resource->plural)};
    }
    return route;
  }
  if (parts.size() < 3 || parts.size() > 5 || parts[0] != "namespaces" || parts[1].empty()) {
    return route;
  }
  const auto* resource = byPlural(prefix, parts[2]);
  if (resource == nullptr) return route;
  const std::string collection = base + "/namespaces/{namespace}/" + std::string(resource->plural);
  if (parts.size() == 3) {
    return {Endpoint::Collection, resource, std::string(parts[1]), "", collection};
  }
  if (parts[3].empty()) return route;
  if (parts.size() == 4) {
    return {Endpoint::Object, resource, std::string(parts[1]), std::string(parts[3]),
            collection + "/{name}"};
  }
  // Secrets have no status to read.
  if (parts[4] == "status" && resource->kind != "Secret") {
    return {Endpoint::ObjectStatus, resource, std::string(parts[1]), std::string(parts[3]),
            collection + "/{name}/status"};
  }
  return route;
}

}  // namespace

Route matchRoute(std::string_view path) {
  Route route;
  route.pattern = "other";
  if (path == "/healthz") return {Endpoint::Healthz, nullptr, std::nullopt, "", "/healthz"};
  if (path == "/readyz") return {Endpoint::Readyz, nullptr, std::nullopt, "", "/readyz"};
  if (path == "/metrics") return {Endpoint::Metrics, nullptr, std::nullopt, "", "/metrics"};
  if (path == "/apis/maasprov.io/v1/plugins") {
    return {Endpoint::Plugins, nullptr, std::nullopt, "", std::string(path)};
  }
  if (path == "/apis/maasprov.io/v1/vmhosts") {
    return {Endpoint::VmHosts, nullptr, std::nullopt, "", std::string(path)};
  }
  for (const auto prefix : {kInfraPrefix, kCorePrefix}) {
    if (path.size() > prefix.size() + 1 && path.substr(0, prefix.size()) == prefix &&
        path[prefix.size()] == '/') {
      return resourceRoute(prefix, split(path.substr(prefix.size() + 1)));
    }
  }
  return route;
}

const ResourceType* resourceForKind(std::string_view kind) {
  for (const auto& resource : kResources) {
    if (resource.kind == kind) return &resource;
  }
  return nullptr;
}

}  // namespace maasprov::api
