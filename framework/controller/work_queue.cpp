#include "framework/controller/work_queue.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace maasprov::controller {

WorkQueue::WorkQueue() : WorkQueue(Options{}) {}

WorkQueue::WorkQueue(Options options) : options_(options) {
  if (options_.baseDelay.count() <= 0 || options_.maxDelay < options_.baseDelay) {
    throw std::invalid_argument(
        "work queue backoff: expected 0 < baseDelay <= maxDelay, got baseDelay " +
        std::to_string(options_.baseDelay.count()) + "ms and maxDelay " +
        std::to_string(options_.maxDelay.count()) + "ms");
  }
}

void WorkQueue::addLocked(const std::string& key) {
  if (!dirty_.insert(key).second) return;  // already queued or already marked for requeue
  if (processing_.contains(key)) return;   // done() queues it again
  ready_.push_back(key);
  changed_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (shutdown_) return;
  addLocked(key);
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return add(key);
  std::lock_guard lock(mutex_);
  if (shutdown_) return;
  const auto readyAt = Clock::now() + delay;
  const auto waiting = waiting_.find(key);
  if (waiting != waiting_.end() && waiting->second <= readyAt) return;  // earlier time wins
  waiting_[key] = readyAt;
  const bool earliest = delayed_.empty() || readyAt < delayed_.top().readyAt;
  delayed_.push({readyAt, sequence_++, key});
  // Idle workers sleep until the earliest time they saw: only a new earliest one changes that.
  // Waking all of them at every requeue (a worker's usual last step) cost a context switch per
  // idle worker for nothing.
  if (earliest) changed_.notify_all();
}

std::chrono::milliseconds WorkQueue::addRateLimited(const std::string& key) {
  int attempt = 0;
  {
    std::lock_guard lock(mutex_);
    attempt = retries_[key]++;
  }
  // Doubling in floating point cannot overflow; the cap bounds the result.
  const double scaled = static_cast<double>(options_.baseDelay.count()) * std::pow(2.0, attempt);
  const auto cap = static_cast<double>(options_.maxDelay.count());
  const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(scaled, cap)));
  addAfter(key, delay);
  return delay;
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  retries_.erase(key);
}

int WorkQueue::retries(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = retries_.find(key);
  return found == retries_.end() ? 0 : found->second;
}

void WorkQueue::promoteDue(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.top().readyAt <= now) {
    const Delayed entry = delayed_.top();
    delayed_.pop();
    const auto waiting = waiting_.find(entry.key);
    if (waiting == waiting_.end() || waiting->second != entry.readyAt) continue;  // stale entry
    waiting_.erase(waiting);
    addLocked(entry.key);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutdown_) return std::nullopt;
    promoteDue(Clock::now());
    if (!ready_.empty()) {
      std::string key = std::move(ready_.front());
      ready_.pop_front();
      dirty_.erase(key);
      processing_.insert(key);
      return key;
    }
    if (delayed_.empty()) {
      changed_.wait(lock);
    } else {
      // A copy: wait_until keeps a reference while the lock is released, and another thread's
      // addAfter() may reallocate the heap under it.
      const Clock::time_point until = delayed_.top().readyAt;
      changed_.wait_until(lock, until);
    }
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.contains(key) && !shutdown_) {
    ready_.push_back(key);
    changed_.notify_one();
  }
}

void WorkQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
  }
  changed_.notify_all();
}

bool WorkQueue::shuttingDown() const {
  std::lock_guard lock(mutex_);
  return shutdown_;
}

std::size_t WorkQueue::depth() {
  std::lock_guard lock(mutex_);
  // Delayed keys whose time has come are ready: move them along (the earliest first, as a worker
  // would) instead of scanning every waiting key under the lock the workers need.
  promoteDue(Clock::now());
  return ready_.size();
}

std::size_t WorkQueue::delayedCount() const {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  return static_cast<std::size_t>(std::count_if(
      waiting_.begin(), waiting_.end(), [&](const auto& entry) { return entry.second > now; }));
}

std::size_t WorkQueue::processingCount() const {
  std::lock_guard lock(mutex_);
  return processing_.size();
}

}  // namespace maasprov::controller
