#include "framework/controller/controller_metrics.hpp"

namespace maasprov::controller {

ControllerMetrics::ControllerMetrics(metrics::Registry& r)
    : reconciles(r.counter("maasprov_reconciles_total", "Reconciles by kind and result.",
                           {"kind", "result"})),
      latency(r.histogram("maasprov_reconcile_duration_seconds",
                          "Time one reconcile took, plugin call included.", {"kind"},
                          {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})),
      queueDepth(r.gauge("maasprov_workqueue_depth", "Keys waiting for a worker.")),
      pluginMaasRequests(r.counter("maasprov_plugin_maas_requests_total",
                                   "MAAS requests made by plugins, by endpoint and HTTP status "
                                   "(-1: no response, -2: cancelled).",
                                   {"plugin", "endpoint", "status"})),
      machineMaasRequests(r.counter("maasprov_machine_maas_requests_total",
                                    "MAAS requests made on behalf of each MaasMachine.",
                                    {"namespace", "name"})),
      pollerRequests(r.counter("maasprov_poller_requests_total",
                               "Batched machine status polls sent to MAAS.")),
      pollerMachines(r.counter("maasprov_poller_machines_total",
                               "Machines the batched status polls asked MAAS for.")),
      machinesByPhase(r.gauge("maasprov_machines", "MaasMachines by phase.", {"phase"})) {}

}  // namespace maasprov::controller
