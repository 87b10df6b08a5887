// The MaasMachine spec as a MAAS machine provisioner reads it: allocation constraints and the
// image. Every field is checked and all problems are reported at once, each naming its field
// path and what was expected ("spec.minCPU: expected a non-negative integer, got string").
//
// Ownership: values only. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image.hpp"
#include "maasprov/json.hpp"

namespace maasprov::common {

struct AllocateConstraints {
  int64_t minCPU = 0;             // cpu_count  (spec.minCPU)
  int64_t minMemoryMB = 0;        // mem, MiB   (spec.minMemory)
  std::vector<std::string> tags;  // tags, one repeated key per tag (spec.tags)
  std::string zone;               // zone       (spec.failureDomain)
  std::string pool;               // pool       (spec.resourcePool)
  std::string systemId;           // system_id  (spec.systemID: pin this machine)
  // Never a VM: only machines MAAS lists with "pod": null are allocated (pinned by system_id,
  // so MAAS never composes), and a VM handed back anyway is released (docs/plugins/baremetal.md).
  bool bareMetalOnly = true;
  std::vector<std::string> notPodTypes;  // not_pod_type, one repeated key each (allocate only)
};

struct MachineSpec {
  AllocateConstraints constraints;
  DistroSeries image;
};

// Throws PluginError (InvalidSpec, terminal) listing every invalid field.
MachineSpec parseMachineSpec(const json::Value& spec);

}  // namespace maasprov::common
