// The batched status poller: watches the MAAS machines behind MaasMachines that are still
// changing (deploying, commissioning, releasing) with `GET machines/?id=..&id=..` for all that
// are due at once (in batches of batchSize ids), and requeues a machine only when its MAAS
// status_name or power_state differs from what was last seen. Plugins therefore return a long
// requeueAfterSeconds as a safety net and the poller brings the next reconcile forward.
//
// When to look again backs off with the time a machine has been waiting: a tenth of it, at
// least minInterval and at most interval. A VM that commissions in a second is noticed within
// a fraction of a second, while a bare-metal deployment of fifteen minutes costs about as many
// looks as a fixed ten-second period would; and since due machines share one list call, a
// thousand machines cost what one does.
//
// What the poll saw of a changed machine (the MAAS machine JSON) is kept for the reconcile it
// wakes (takeObservation), so the plugin need not read the machine again.
// See docs/controller.md, "Status poller".
//
// Ownership: borrows the Transport (must outlive the poller); owns its thread.
// Thread-safety: every method may be called from any thread, except start/stop (one thread).
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
#include <utility>
#include <vector>

#include "framework/maas/transport.hpp"

namespace spdlog {
class logger;
}

namespace maasprov::controller {

class StatusPoller {
 public:
  struct Options {
    std::chrono::milliseconds interval{10000};       // the longest wait between two looks
    std::chrono::milliseconds minInterval{250};      // the shortest (capped at interval)
    std::size_t batchSize = 100;                     // ids per list call (keeps URLs short)
    std::chrono::milliseconds observationTtl{5000};  // a kept observation older is dropped
  };
  using Requeue = std::function<void(const std::string& key)>;
  // Called once per list request sent, with the number of machines it asks for (for metrics).
  using OnRequest = std::function<void(std::size_t machines)>;

  StatusPoller(Options options, maas::Transport& transport, Requeue requeue,
               std::shared_ptr<spdlog::logger> logger, OnRequest onRequest = {});
  ~StatusPoller();
  StatusPoller(const StatusPoller&) = delete;
  StatusPoller& operator=(const StatusPoller&) = delete;

  // Watches `key`'s machine `systemID`, whose stored status says `state` / `powered`. Calling it
  // again (after each reconcile) resets what counts as "changed" to the stored values.
  void track(const std::string& key, const std::string& systemID, const std::string& state,
             bool powered);
  // As track(), but leaves an entry for the same machine alone: after a failed reconcile the
  // stored status may lag MAAS, and re-basing on it would make the next poll see a "change"
  // and requeue the machine at once, bypassing the failure's backoff.
  void trackUnlessWatched(const std::string& key, const std::string& systemID,
                          const std::string& state, bool powered);
  void untrack(const std::string& key);

  // One round over every tracked machine, due or not: the list calls, and after each the
  // comparisons and requeues of its machines. Returns how many keys it requeued. A MAAS error is
  // logged and ends the round: the machines of the failed call and of those not sent yet are
  // left as they were (looked at again no sooner than usual); earlier calls' stay settled.
  std::size_t pollOnce();

  // What the last poll saw of `key`'s machine when it found it changed (the MAAS machine as a
  // JSON object text), if that machine is still `systemID` and the poll is recent
  // (observationTtl); "" otherwise. Hands it over: a second call returns "".
  std::string takeObservation(const std::string& key, const std::string& systemID);

  void start();  // a thread polling machines as they fall due
  void stop();

  std::size_t tracked() const;
  std::uint64_t requests() const;  // list calls sent so far

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::string systemID;
    std::string state;
    bool powered = false;
    Clock::time_point since;  // when it was first seen in this state
    Clock::time_point due;    // next look
    // The machine's text at the last look, as its hash and length, and what that text said:
    // the next look reads a text it has seen before without scanning it again. 0: none yet.
    std::size_t lastTextHash = 0;
    std::size_t lastTextSize = 0;
    std::string lastTextState;
    bool lastTextPowered = false;
  };
  struct Observation {
    std::string systemID;
    std::string machine;  // JSON text
    Clock::time_point at;
  };

  // Polls `keys` (a snapshot of entries); the shared body of pollOnce and the thread's rounds.
  std::size_t poll(std::vector<std::pair<std::string, Entry>> snapshot);
  Clock::time_point nextLook(const Entry& e, Clock::time_point now) const;

  const Options options_;
  maas::Transport& transport_;
  const Requeue requeue_;
  const std::shared_ptr<spdlog::logger> logger_;
  const OnRequest onRequest_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Entry> entries_;  // by queue key
  std::map<std::string, Observation> observations_;
  std::uint64_t requests_ = 0;
  bool stopping_ = false;
  // When the polling thread will wake by itself (min() while it is awake): track() wakes it
  // only for an entry due sooner, without scanning every entry.
  Clock::time_point nextWake_ = Clock::time_point::min();
  std::thread thread_;
};

}  // namespace maasprov::controller
