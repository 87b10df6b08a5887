// The controller: watches the store, queues MaasMachine/MaasCluster keys, runs N workers that
// reconcile them through the plugins, requeues by the plugins' word or with backoff, polls
// deploying machines in batches, resyncs on start-up and slowly afterwards, and shuts down
// promptly. docs/controller.md describes the whole flow.
//
// Ownership: borrows the Store, the PluginRegistry, the MAAS Transport (for the poller) and the
// metrics Registry; all must outlive the Controller. Owns its queue, threads and subscription.
// Thread-safety: start() and stop() from one thread; everything else from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "framework/controller/cluster_reconciler.hpp"
#include "framework/controller/controller_metrics.hpp"
#include "framework/controller/machine_index.hpp"
#include "framework/controller/machine_reconciler.hpp"
#include "framework/controller/plugin_caller.hpp"
#include "framework/controller/reconcile_context.hpp"
#include "framework/controller/status_poller.hpp"
#include "framework/controller/work_queue.hpp"
#include "framework/maas/transport.hpp"
#include "framework/metrics/registry.hpp"
#include "framework/plugin/plugin_registry.hpp"
#include "framework/store/store.hpp"

namespace spdlog {
class logger;
}

namespace maasprov::controller {

struct ControllerOptions {
  std::vector<std::string> namespaces;  // empty: every namespace
  int workers = 32;
  std::chrono::milliseconds requeueInterval{60000};  // unfinished objects, plugin named no time
  std::chrono::milliseconds pollInterval{10000};     // batched status poller: the longest wait
                                                     // between looks; 0 turns it off
  std::chrono::milliseconds pollMinInterval{250};    // the shortest (see StatusPoller)
  std::size_t pollBatchSize = 100;
  std::chrono::milliseconds resyncInterval{600000};  // queue everything again; 0 turns it off
  std::chrono::milliseconds pluginTimeout{120000};
  std::chrono::milliseconds backoffBase{1000};
  std::chrono::milliseconds backoffMax{300000};
};

class Controller {
 public:
  // `maas` may be null (no poller); `metrics` may be null (no metrics). Throws
  // std::invalid_argument for unusable options (workers < 1, backoff, timeout).
  Controller(ControllerOptions options, store::Store& store, plugin::PluginRegistry& registry,
             maas::Transport* maas, metrics::Registry* metrics,
             std::shared_ptr<spdlog::logger> logger);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Lists and queues every object in scope, starts the watch, the workers, the poller and the
  // resync timer. Throws store errors from the first list.
  void start();
  // Stops taking work, cancels running plugin calls, joins the workers (they return within
  // about 100 ms of the cancellation; one still inside a plugin 200 ms later is let go), and
  // closes the checkpoint gate. Idempotent.
  void stop();

  bool ready() const { return ready_.load(); }
  // Queues every object in scope now (what the periodic resync does).
  void resync();
  bool inScope(const std::string& ns) const;

  std::size_t queueDepth() { return queue_.depth(); }
  const StatusPoller* poller() const { return poller_.get(); }
  // Reconciles finished so far (tests wait on it instead of sleeping blindly).
  std::uint64_t reconcileCount() const { return reconciles_.load(); }

 private:
  void worker();
  // The watchdog's hook: `stuck` is inside a plugin call past the timeout for `key`.
  void replaceStuckWorker(const std::string& key, const std::string& plugin, std::thread::id stuck);
  void process(const std::string& key);
  void onEvent(const store::WatchEvent& event);
  void timerLoop();
  std::uint64_t listAndQueue();
  void subscribe(std::uint64_t fromVersion);
  void enqueueMachinesOf(const std::string& ns, const std::string& cluster);
  void enqueueMachinesUsingSecret(const std::string& ns, const std::string& secret);
  void refreshPhaseMetrics();

  const ControllerOptions options_;
  store::Store& store_;
  plugin::PluginRegistry& registry_;
  maas::Transport* maas_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<ControllerMetrics> metrics_;
  WorkQueue queue_;
  PluginCaller caller_;
  std::shared_ptr<StoreGate> gate_;
  std::unique_ptr<StatusPoller> poller_;
  // MaasMachines as the watch last delivered them (informer-style); reconcilers read peers here.
  MachineIndex index_;
  ReconcileContext ctx_;
  MachineReconciler machines_;
  ClusterReconciler clusters_;

  std::unique_ptr<store::Subscription> subscription_;
  std::mutex workersMutex_;  // guards workers_ (the watchdog's hook replaces stuck ones)
  std::vector<std::thread> workers_;
  std::thread timer_;
  std::mutex timerMutex_;
  std::condition_variable timerWake_;
  bool stopping_ = false;
  std::atomic<bool> rewatch_{false};
  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> reconciles_{0};

  // What the watch handler last saw, to tell a change that needs a reconcile (spec, labels,
  // annotations, deletion) from the controller's own status writes.
  std::mutex cacheMutex_;
  std::map<std::string, std::size_t>
      clusterTriggers_;  // cluster queue key -> ObjectView::trigger()
};

}  // namespace maasprov::controller
