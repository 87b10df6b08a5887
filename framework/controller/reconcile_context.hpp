// What the MaasMachine and MaasCluster reconcilers share: the parts they work with, the shape
// of their verdict (when to look again), and the gate through which plugin checkpoints reach
// the store.
//
// Ownership: ReconcileContext borrows everything it names; the Controller owns them and
// outlives every reconcile. StoreGate is shared (shared_ptr) with checkpoint callbacks, which
// may outlive the controller inside an abandoned plugin call: once closed it refuses writes.
// Thread-safety: all members are thread-safe; a reconciler may run on many workers at once
// (never twice for the same key: the work queue guarantees that).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "framework/controller/controller_metrics.hpp"
#include "framework/controller/json_status.hpp"
#include "framework/controller/machine_index.hpp"
#include "framework/controller/plugin_caller.hpp"
#include "framework/controller/status_poller.hpp"
#include "framework/plugin/plugin_registry.hpp"
#include "framework/store/store.hpp"

namespace spdlog {
class logger;
}

namespace maasprov::controller {

inline constexpr const char* kSecretKind = "Secret";

// "MaasMachine/default/m1": the work-queue key of an object.
std::string queueKey(const std::string& kind, const std::string& ns, const std::string& name);
// Throws std::invalid_argument for a key not made by queueKey.
store::ObjectKey parseQueueKey(const std::string& key);

struct ReconcileOutcome {
  enum class Next { None, After, Backoff };
  std::string result = "success";  // metric label: success, waiting, error, deleted, gone
  Next next = Next::None;
  std::chrono::milliseconds after{0};  // for Next::After

  static ReconcileOutcome done(std::string result = "success") { return {std::move(result)}; }
  static ReconcileOutcome requeue(std::chrono::milliseconds after, std::string result = "success") {
    return {std::move(result), Next::After, after};
  }
  static ReconcileOutcome backoff(std::string result = "error") {
    return {std::move(result), Next::Backoff, {}};
  }
};

// The object as one reconcile last read or wrote it, handed from each of its status writes to
// the next (checkpoints on the plugin's call thread, then the outcome on the worker) so that
// each starts from it instead of reading and parsing the stored object again. Only a hint: a
// write that finds it stale reads the store (writeWithRetry). Thread-safe.
class LatestObject {
 public:
  explicit LatestObject(Json object) : object_(std::move(object)) {}
  // The object, handed over to be mutated; null when a write already took it and has not put
  // back what it stored.
  Json take() {
    std::lock_guard lock(mutex_);
    Json out = object_;
    object_ = nullptr;
    return out;
  }
  void put(Json written) {
    std::lock_guard lock(mutex_);
    object_ = std::move(written);
  }

 private:
  std::mutex mutex_;
  Json object_;
};

// Durable writes of plugin checkpoints; close() makes later checkpoints fail instead of
// touching a store that is going away.
class StoreGate {
 public:
  explicit StoreGate(store::Store& store) : store_(&store) {}
  // Merges `patch` into the object's status now (conflict-safe), starting from `latest`'s
  // object when it has one and leaving the stored result there. Throws when closed or when the
  // store fails, which the host services report to the plugin as MAASPROV_E_CHECKPOINT.
  void checkpoint(const store::ObjectKey& key, Json patch, LatestObject* latest = nullptr);
  void close();

 private:
  // Checkpoints share it, so concurrent ones reach the store's group commit together; close()
  // takes it alone and so waits for those in flight.
  std::shared_mutex mutex_;
  store::Store* store_;
};

struct ReconcileContext {
  store::Store& store;
  plugin::PluginRegistry& registry;
  PluginCaller& caller;
  StatusPoller* poller = nullptr;        // null: no batched polling
  const MachineIndex* index = nullptr;   // the cluster's other machines; never null in use
  ControllerMetrics* metrics = nullptr;  // null: no metrics
  std::shared_ptr<spdlog::logger> logger;
  std::shared_ptr<StoreGate> gate;
  // Next look at an unfinished object when its plugin names no time of its own.
  std::chrono::milliseconds requeueInterval{60000};
};

// Counts the plugin's MAAS calls by endpoint/status and for the object (metrics).
void recordMaasCalls(const ReconcileContext& ctx, const std::string& plugin,
                     const store::ObjectKey& key, const plugin::CallOutcome& outcome);

// When to look again after a plugin call: the error's own delay, backoff for retryable errors,
// nothing for terminal ones (a spec change wakes the object), the plugin's requeueAfter on
// success, else `fallback` (nullopt: no requeue).
ReconcileOutcome nextFromOutcome(const plugin::CallOutcome& outcome,
                                 std::optional<std::chrono::milliseconds> fallback);

// `text` cut to `limit` bytes, with control characters and broken UTF-8 replaced by '?': what
// a plugin (or a library's error message) says must never make a status unstorable.
std::string printable(const std::string& text, std::size_t limit = 1024);

// A one-line, printable description of a plugin failure for conditions and logs.
std::string describeFailure(const plugin::PluginFailure& failure);

}  // namespace maasprov::controller
