// Runs plugin calls so that the controller can always walk away from them: each call runs on one
// of the caller's reusable call threads (plugin::CallThreads); the worker waits for it at most
// `timeout`, and returns at once when cancelAll() is called (shutdown). A call walked away from
// is cancelled (host services then refuse its MAAS calls and checkpoints) and keeps its thread
// until it finishes on its own, holding its own references; other calls get other threads.
//
// One call per object at a time (the ABI's [any-thread] promise: never two calls for the same
// object at once): a call's objectKey stays taken until its plugin function has returned, even
// when the call was abandoned, and a call for a taken key is refused at once, not started
// (Transient, requeueAfter kBusyRetry), so the controller retries it later.
//
// Ownership: owns its call threads and the bookkeeping of running calls and the objects they
// hold; calls keep the instance alive via shared_ptr, and abandoned ones may outlive the caller.
// Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "framework/plugin/call_threads.hpp"
#include "framework/plugin/plugin_instance.hpp"

namespace maasprov::controller {

enum class PluginOp { Reconcile, Remove };

class PluginCaller {
 public:
  explicit PluginCaller(std::chrono::milliseconds timeout)
      : timeout_(timeout), state_(std::make_shared<State>()) {}
  PluginCaller(const PluginCaller&) = delete;
  PluginCaller& operator=(const PluginCaller&) = delete;

  // How soon a call refused because its object's earlier call still runs asks to be retried.
  static constexpr std::chrono::milliseconds kBusyRetry{1000};

  // The plugin's outcome, or a Transient failure saying it timed out / was abandoned, or that
  // it was not called because an earlier call for `objectKey` still runs (an empty key is
  // never treated as taken). The controller passes the object's queue key, "Kind/ns/name": a
  // MaasCluster and a MaasMachine of the same name are different objects.
  plugin::CallOutcome call(const std::shared_ptr<plugin::PluginInstance>& instance, PluginOp op,
                           const std::string& request, const std::string& objectKey,
                           plugin::CheckpointFn checkpoint);

  // Cancels every running call and makes every waiting caller return; later calls fail at once.
  void cancelAll();
  // Waits until no plugin call is running, at most `limit`; true when none is.
  bool waitIdle(std::chrono::milliseconds limit);
  std::size_t running() const;
  // Call threads alive (busy, abandoned or idle) and ever started: for tests and metrics.
  std::size_t threads() const { return threads_.threads(); }
  std::size_t threadsStarted() const { return threads_.started(); }

 private:
  struct Call;
  static plugin::CallOutcome busy(const std::string& plugin, const Call& holder);
  // Shared with the call threads, which may outlive the caller object. One mutex guards it and
  // every Call, so a cancelAll() wakes waiting callers without a second lock or polling.
  struct State {
    std::mutex mutex;
    std::condition_variable changed;          // a call finished (waitIdle)
    std::set<std::shared_ptr<Call>> waiting;  // calls whose caller still waits
    // objectKey -> its call, from start until the plugin returns (abandoned calls included)
    std::map<std::string, std::shared_ptr<Call>> objects;
    std::size_t helpers = 0;  // calls running, abandoned ones included
    bool stopping = false;
  };
  const std::chrono::milliseconds timeout_;
  std::shared_ptr<State> state_;
  plugin::CallThreads threads_;
};

}  // namespace maasprov::controller
