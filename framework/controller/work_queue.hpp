// The controller's work queue, in the spirit of client-go's rate-limited workqueue.
//
// Keys (e.g. "MaasMachine/default/m1") are de-duplicated while queued; a key is handed to one
// worker at a time, and a key added while it is being processed is queued again when the worker
// calls done(). Ready keys are served first in, first out. Keys can be delayed (addAfter, for a
// plugin's requeueAfter) or rate-limited (addRateLimited: per-key exponential backoff, capped,
// reset by forget). Delayed keys become ready at their time, earliest first; a key both waiting
// and added again keeps the earlier time.
//
// Ownership: a plain object owning its keys; no threads of its own (waiting workers move delayed
// keys along). Thread-safety: every method may be called concurrently from any thread; get()
// blocks. Destroy the queue only after shutdown() and after every worker has left get().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

namespace maasprov::controller {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    // addRateLimited waits baseDelay * 2^retries, never more than maxDelay.
    std::chrono::milliseconds baseDelay{5};
    std::chrono::milliseconds maxDelay{std::chrono::minutes(5)};
  };

  WorkQueue();  // default Options
  // Throws std::invalid_argument unless 0 < baseDelay <= maxDelay.
  explicit WorkQueue(Options options);
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless already queued (or, while processing, marks it to be queued on done()).
  // Ignored after shutdown().
  void add(const std::string& key);
  // Queues `key` once `delay` has passed; a zero or negative delay is add().
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  // Counts one more retry of `key` and queues it after its backoff; returns the delay used.
  std::chrono::milliseconds addRateLimited(const std::string& key);
  // Resets the retry count of `key` (call when it was processed successfully).
  void forget(const std::string& key);
  int retries(const std::string& key) const;

  // Blocks until a key is ready and returns it, marked as being processed; the caller must call
  // done(key) when finished. Returns nullopt once shutdown() was called.
  std::optional<std::string> get();
  void done(const std::string& key);

  // Wakes every get() (they return nullopt) and refuses new keys. Keys being processed may still
  // be passed to done().
  void shutdown();
  bool shuttingDown() const;

  std::size_t depth();               // keys ready to be handed out (due ones included), for metrics
  std::size_t delayedCount() const;  // keys waiting for their time
  std::size_t processingCount() const;

 private:
  struct Delayed {
    Clock::time_point readyAt;
    std::uint64_t sequence;  // keeps equal times in the order they were added
    std::string key;
    bool operator>(const Delayed& other) const {
      return readyAt != other.readyAt ? readyAt > other.readyAt : sequence > other.sequence;
    }
  };

  void addLocked(const std::string& key);
  // Moves every delayed key whose time has come to the ready queue. Needs mutex_ held.
  void promoteDue(Clock::time_point now);

  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> ready_;
  std::set<std::string> dirty_;       // queued (in ready_) or to be queued on done()
  std::set<std::string> processing_;  // handed out, done() not yet called
  // Delayed entries; an entry is stale (skipped) unless waiting_ still maps its key to its time.
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_;
  std::map<std::string, Clock::time_point> waiting_;
  std::map<std::string, int> retries_;
  std::uint64_t sequence_ = 0;
  bool shutdown_ = false;
};

}  // namespace maasprov::controller
