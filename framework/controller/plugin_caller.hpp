// Runs plugin calls on the caller's own thread, watched. A call still running `timeout` after it
// started is abandoned by the caller's watchdog thread: cancelled (host services then refuse its
// MAAS calls and checkpoints) and reported to the OnAbandoned hook with its object key and the
// thread it holds, so that the controller can hand the object back to its queue and start a
// worker in the stuck one's place. When an abandoned call's plugin returns at last, call() throws
// CallAbandoned: its caller must unwind without touching anything it shared, since the object is
// in other hands by then and the controller may be gone.
//
// Why the caller's thread: handing every call to a pooled thread and waiting for it cost about
// 6 % of the controller's CPU (two wake-ups per call; docs/performance.md, Stop 18). A plugin that
// never returns costs one thread either way.
//
// One call per object at a time (the ABI's [any-thread] promise: never two calls for the same
// object at once): a call's objectKey stays taken until its plugin function has returned, even
// when the call was abandoned, and a call for a taken key is refused at once, not started
// (Transient, requeueAfter kBusyRetry, a message saying why the earlier call was abandoned), so
// the controller retries it later.
//
// Ownership: owns its watchdog thread; the bookkeeping of running calls is shared with the
// calls, which may outlive the caller object; calls keep their instance alive via shared_ptr.
// Thread-safety: every method may be called concurrently. The hook runs on the watchdog thread
// with no lock of the caller's held, and never after cancelAll() has returned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "framework/plugin/plugin_instance.hpp"

namespace maasprov::controller {

enum class PluginOp { Reconcile, Remove };

// Thrown by PluginCaller::call() on the thread of a call that was abandoned and handed over
// (its timeout passed, or orphanRunning()), once its plugin has returned. Deliberately not a
// std::exception: no handler for ordinary failures may take it for one and carry on.
struct CallAbandoned {
  std::string why;
};

class PluginCaller {
 public:
  // The abandoned call's object key and plugin (its name), and the thread still inside it.
  using OnAbandoned = std::function<void(const std::string& objectKey, const std::string& plugin,
                                         std::thread::id stuck)>;

  explicit PluginCaller(std::chrono::milliseconds timeout, OnAbandoned onAbandoned = {});
  ~PluginCaller();  // stops the watchdog; running calls keep their own bookkeeping
  PluginCaller(const PluginCaller&) = delete;
  PluginCaller& operator=(const PluginCaller&) = delete;

  // How soon a call refused because its object's earlier call still runs asks to be retried.
  static constexpr std::chrono::milliseconds kBusyRetry{1000};
  // The failure a call past `timeout` reports (Transient, retryable), whoever reports it.
  static plugin::PluginFailure timedOut(const std::string& plugin,
                                        std::chrono::milliseconds timeout);

  // Calls the plugin on this thread. Returns its outcome; a Transient failure when it was not
  // called because an earlier call for `objectKey` still runs (an empty key is never taken) or
  // the caller is stopping; "call abandoned: the controller is stopping" when cancelAll() came
  // while it ran (its late result is dropped). Throws CallAbandoned when the call was handed
  // over while it ran. The controller passes the object's queue key, "Kind/ns/name": a
  // MaasCluster and a MaasMachine of the same name are different objects.
  // `machines` answers the plugin's cluster_machines (ABI v2); empty: it is refused.
  plugin::CallOutcome call(const std::shared_ptr<plugin::PluginInstance>& instance, PluginOp op,
                           const std::string& request, const std::string& objectKey,
                           plugin::CheckpointFn checkpoint, plugin::MachinesFn machines = {});

  // Cancels every running call and refuses later ones; no hook runs once it has returned.
  void cancelAll();
  // Abandons every call still running (after cancelAll(): shutdown) and returns their threads,
  // which will throw CallAbandoned if their plugins ever return.
  std::vector<std::thread::id> orphanRunning();
  // Waits until no plugin call is running, at most `limit`; true when none is.
  bool waitIdle(std::chrono::milliseconds limit);
  std::size_t running() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Call;
  static plugin::CallOutcome busy(const std::string& plugin, const Call& holder);
  // Shared with the calls, which may outlive the caller object. One mutex guards it and every
  // Call.
  struct State {
    std::mutex mutex;
    std::condition_variable changed;          // a call finished (waitIdle)
    std::condition_variable watch;            // wakes the watchdog
    std::set<std::shared_ptr<Call>> running;  // calls whose plugin function has not returned
    // objectKey -> its call, from start until the plugin returns (abandoned calls included)
    std::map<std::string, std::shared_ptr<Call>> objects;
    bool stopping = false;      // cancelAll() was called
    bool closing = false;       // the caller object is going away: the watchdog ends
    bool watchdogIdle = false;  // waiting with no call running: a new call must wake it
    std::mutex hookMutex;       // held while the hook runs; cancelAll() waits for it
  };
  void watchdog();

  const std::chrono::milliseconds timeout_;
  const OnAbandoned onAbandoned_;
  std::shared_ptr<State> state_;
  std::thread watchdog_;
};

}  // namespace maasprov::controller
