// The controller's metrics, registered once in a metrics::Registry:
//   maasprov_reconciles_total{kind,result}            reconciles by outcome
//   maasprov_reconcile_duration_seconds{kind}         latency histogram
//   maasprov_workqueue_depth                          keys ready to be processed
//   maasprov_plugin_maas_requests_total{plugin,endpoint,status}  MAAS calls made by plugins
//   maasprov_machine_maas_requests_total{namespace,name}         MAAS calls per machine
//   maasprov_poller_requests_total                    batched status polls sent to MAAS
//   maasprov_poller_machines_total                    machines those polls asked for
//   maasprov_machines{phase}                          MaasMachines by derived phase
//
// Ownership: the families belong to the Registry, which must outlive this struct.
// Thread-safety: the families are thread-safe.
#pragma once

#include "framework/metrics/registry.hpp"

namespace maasprov::controller {

struct ControllerMetrics {
  explicit ControllerMetrics(metrics::Registry& registry);

  metrics::ValueFamily& reconciles;
  metrics::HistogramFamily& latency;
  metrics::ValueFamily& queueDepth;
  metrics::ValueFamily& pluginMaasRequests;
  metrics::ValueFamily& machineMaasRequests;
  metrics::ValueFamily& pollerRequests;
  metrics::ValueFamily& pollerMachines;
  metrics::ValueFamily& machinesByPhase;
};

}  // namespace maasprov::controller
