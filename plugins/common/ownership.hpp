// How a provisioner marks what it holds in MAAS, so a crash never leaks or duplicates a machine:
//   - agent_name = the object's metadata.uid, set by allocate atomically with the allocation,
//     so GET machines/?agent_name=<uid> finds the machine again whatever was or was not stored;
//   - workload annotations naming cluster, namespace and machine, for operators reading MAAS
//     (keys maasprov_cluster, maasprov_namespace, maasprov_machine).
//
// Ownership: a value type. Thread-safety: none needed.
#pragma once

#include <string>

#include "maas_machine.hpp"
#include "maasprov/host.hpp"
#include "maasprov/plugin.hpp"

namespace maasprov::common {

inline constexpr const char* kAnnotationCluster = "maasprov_cluster";
inline constexpr const char* kAnnotationNamespace = "maasprov_namespace";
inline constexpr const char* kAnnotationMachine = "maasprov_machine";
inline constexpr const char* kClusterNameLabel = "cluster.x-k8s.io/cluster-name";

struct Owner {
  std::string uid;      // agent_name in MAAS
  std::string cluster;  // label cluster.x-k8s.io/cluster-name, else the cluster's name
  std::string ns;       // metadata.namespace
  std::string machine;  // metadata.name

  // Throws PluginError (InvalidSpec) when metadata.uid or metadata.name is missing.
  static Owner fromRequest(const Request& req);

  // Form parameters for set_workload_annotations.
  Params annotations() const;
  // True when `m` already carries every annotation with our values.
  bool annotated(const MaasMachineView& m) const;
};

}  // namespace maasprov::common
