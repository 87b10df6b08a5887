// Runs plugin calls so that the controller can always walk away from them: each call runs on a
// helper thread; the worker waits for it at most `timeout`, and returns at once when cancelAll()
// is called (shutdown). A call walked away from is cancelled (host services then refuse its
// MAAS calls and checkpoints) and its helper finishes on its own, holding its own references.
//
// Ownership: owns nothing but the bookkeeping of running calls; helpers keep the instance alive
// via shared_ptr. Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "framework/plugin/plugin_instance.hpp"

namespace maasprov::controller {

enum class PluginOp { Reconcile, Remove };

class PluginCaller {
 public:
  explicit PluginCaller(std::chrono::milliseconds timeout)
      : timeout_(timeout), state_(std::make_shared<State>()) {}
  PluginCaller(const PluginCaller&) = delete;
  PluginCaller& operator=(const PluginCaller&) = delete;

  // The plugin's outcome, or a Transient failure saying it timed out / was abandoned.
  plugin::CallOutcome call(const std::shared_ptr<plugin::PluginInstance>& instance, PluginOp op,
                           const std::string& request, const std::string& objectKey,
                           plugin::CheckpointFn checkpoint);

  // Cancels every running call and makes every waiting caller return; later calls fail at once.
  void cancelAll();
  // Waits until no helper thread is running, at most `limit`; true when none is.
  bool waitIdle(std::chrono::milliseconds limit);
  std::size_t running() const;

 private:
  // Shared with helper threads, which may outlive the caller object.
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::set<std::shared_ptr<std::atomic<bool>>> cancels;
    std::size_t helpers = 0;
    bool stopping = false;
  };
  const std::chrono::milliseconds timeout_;
  std::shared_ptr<State> state_;
};

}  // namespace maasprov::controller
