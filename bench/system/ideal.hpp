// The ideal time of a provisioning or deletion: the longest chain of MAAS calls that must
// happen one after another for one machine, times the simulator's per-request latency, plus
// the waits MAAS itself imposes (commissioning, deployment, release). With unlimited
// parallelism N machines take no longer than one, so this is the ideal for any N.
//
// The chains follow the plugins' documented flows (docs/plugins/baremetal.md, lxd.md,
// docs/controller.md for the poller), counting one batched poller call per wait.
//
// Thread-safety: values only.
#pragma once

#include <string>
#include <vector>

namespace maasprov::bench {

struct Chain {
  std::string name;
  std::vector<std::string> calls;  // in order
  double commissionWaits = 0;      // how many --commission-seconds waits
  double deployWaits = 0;          // how many --deploy-seconds waits
  double releaseWaits = 0;         // how many --release-seconds waits

  double seconds(double latencyMs, double commission, double deploy, double release) const {
    return static_cast<double>(calls.size()) * latencyMs / 1000.0 + commissionWaits * commission +
           deployWaits * deploy + releaseWaits * release;
  }
  std::string describe() const {
    std::string out = name + ": " + std::to_string(calls.size()) + " calls (";
    for (size_t i = 0; i < calls.size(); ++i) out += (i ? ", " : "") + calls[i];
    out += ")";
    if (commissionWaits > 0) out += " + commissioning";
    if (deployWaits > 0) out += " + deployment";
    if (releaseWaits > 0) out += " + release";
    return out;
  }
};

inline Chain bareMetalProvision() {
  // MAAS's own pick answers the allocate (docs/plugins/baremetal.md: the first try); the
  // reconcile the poller wakes reads nothing else (`observed`) but lists the object's machines
  // once before Ready (nothing else may be held for it).
  return {"bare metal",
          {"GET machines?agent_name", "POST allocate", "POST set_workload_annotations",
           "POST deploy", "GET machines?id (poller)", "GET machines?agent_name (before Ready)"},
          0,
          1,
          0};
}

inline Chain lxdProvision() {
  // The first VM on a host (docs/plugins/lxd.md, "Requests per VM"): the crash-safe lookup,
  // fresh capacity, the backing machines, the host's parameters, compose; after each wait the
  // poller's read is handed to the reconcile it wakes (`observed`), so no lookup follows it.
  return {
      "LXD VM",
      {"GET machines?hostname", "GET vm-hosts", "GET machines?id (backing)",
       "GET vm-hosts/{id}?op=parameters", "POST compose", "GET machines?id (poller)",
       "POST allocate", "POST set_workload_annotations", "POST deploy", "GET machines?id (poller)"},
      1,
      1,
      0};
}

inline Chain bareMetalRemove() {
  return {"bare metal",
          {"GET machines?agent_name", "POST release", "GET machines?id (poller)",
           "GET machines?agent_name"},
          0,
          0,
          1};
}

inline Chain lxdRemove() {
  return {"LXD VM",
          {"GET machines?hostname", "GET machines?agent_name", "POST release",
           "GET machines?id (poller)", "GET machines?hostname", "GET machines?agent_name",
           "GET machines?hostname", "GET machines?agent_name"},
          0,
          0,
          1};
}

}  // namespace maasprov::bench
