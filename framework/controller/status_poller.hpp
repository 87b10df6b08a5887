// The batched status poller: watches the MAAS machines behind MaasMachines that are still
// changing (deploying, commissioning, releasing) with ONE `GET machines/?id=..&id=..` per
// interval for all of them (in batches of batchSize ids), and requeues a machine only when its
// MAAS status_name or power_state differs from what was last seen. Plugins therefore return a
// long requeueAfterSeconds as a safety net and the poller brings the next reconcile forward.
// See docs/controller.md, "Status poller".
//
// Ownership: borrows the Transport (must outlive the poller); owns its thread.
// Thread-safety: track/untrack/pollOnce may be called from any thread; start/stop from one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "framework/maas/transport.hpp"

namespace spdlog {
class logger;
}

namespace maasprov::controller {

class StatusPoller {
 public:
  struct Options {
    std::chrono::milliseconds interval{10000};
    std::size_t batchSize = 100;  // ids per list call (keeps URLs short)
  };
  using Requeue = std::function<void(const std::string& key)>;
  // Called once per list request sent (for metrics).
  using OnRequest = std::function<void()>;

  StatusPoller(Options options, maas::Transport& transport, Requeue requeue,
               std::shared_ptr<spdlog::logger> logger, OnRequest onRequest = {});
  ~StatusPoller();
  StatusPoller(const StatusPoller&) = delete;
  StatusPoller& operator=(const StatusPoller&) = delete;

  // Watches `key`'s machine `systemID`, whose stored status says `state` / `powered`. Calling it
  // again (after each reconcile) resets what counts as "changed" to the stored values.
  void track(const std::string& key, const std::string& systemID, const std::string& state,
             bool powered);
  void untrack(const std::string& key);

  // One round: the list calls, the comparisons, the requeues. Returns how many keys it requeued.
  // MAAS errors are logged and leave everything as it was.
  std::size_t pollOnce();

  void start();  // a thread calling pollOnce() every interval
  void stop();

  std::size_t tracked() const;
  std::uint64_t requests() const;  // list calls sent so far

 private:
  struct Entry {
    std::string systemID;
    std::string state;
    bool powered = false;
  };

  const Options options_;
  maas::Transport& transport_;
  const Requeue requeue_;
  const std::shared_ptr<spdlog::logger> logger_;
  const OnRequest onRequest_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Entry> entries_;  // by queue key
  std::uint64_t requests_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace maasprov::controller
