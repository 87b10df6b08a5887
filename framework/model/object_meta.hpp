// ObjectMeta: the `metadata` every stored object carries, as in Kubernetes, plus the
// well-known label and annotation keys the controller and plugins agree on.
//
// Ownership: a plain value type. Thread-safety: none of its own; share const instances only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/model/time.hpp"

namespace maasprov::model {

// Names the MaasCluster a MaasMachine belongs to (same namespace).
inline constexpr std::string_view kClusterNameLabel = "cluster.x-k8s.io/cluster-name";
// Present (any value, usually "") on control-plane machines.
inline constexpr std::string_view kControlPlaneLabel = "cluster.x-k8s.io/control-plane";
// On a MaasCluster: the control-plane endpoint is provided by the user, not by MAAS DNS.
// Kept for compatibility with the existing Spectro Cloud provider.
inline constexpr std::string_view kCustomDnsProvidedAnnotation =
    "spectrocloud.com/custom-dns-provided";
// Finalizers the controller puts on the objects it reconciles.
inline constexpr std::string_view kMachineFinalizer = "maasmachine.infrastructure.cluster.x-k8s.io";
inline constexpr std::string_view kClusterFinalizer = "maascluster.infrastructure.cluster.x-k8s.io";

struct ObjectMeta {
  std::string name;        // required; a DNS label
  std::string namespace_;  // `namespace` in JSON/YAML (a C++ keyword); defaulted to "default"
  std::string uid;         // set by the store; empty = unset
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::int64_t generation = 0;  // bumped by the store on spec changes; 0 = unset
  std::string resourceVersion;  // opaque, set by the store; empty = unset
  std::optional<Time> creationTimestamp;
  std::optional<Time> deletionTimestamp;
  std::vector<std::string> finalizers;

  bool operator==(const ObjectMeta&) const = default;
};

}  // namespace maasprov::model
