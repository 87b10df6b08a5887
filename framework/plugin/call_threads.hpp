// Reusable threads for plugin calls that the caller must be able to walk away from (a timeout,
// shutdown). A task runs on an idle thread, or on a newly started one when none is idle, so a
// task that never returns (an abandoned plugin call) holds only its own thread: later tasks are
// never queued behind it, and the pool grows a replacement on the next run(). Idle threads
// beyond `keepIdle` exit after `idleTimeout` without work.
//
// Ownership: threads are detached and share the pool's state, so destroying the pool never
// waits for a running task: its idle threads exit, busy ones exit when their task returns.
// Tasks must not throw (as for a std::thread, an escaping exception terminates the process).
// Thread-safety: every method may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace maasprov::plugin {

struct CallThreadLimits {
  std::size_t keepIdle = 4;                       // idle threads kept without a timeout
  std::chrono::milliseconds idleTimeout{30'000};  // how long further idle threads linger
};

class CallThreads {
 public:
  using Limits = CallThreadLimits;

  explicit CallThreads(Limits limits = {}) : state_(std::make_shared<State>(limits)) {}
  ~CallThreads() {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    state_->wake.notify_all();
  }
  CallThreads(const CallThreads&) = delete;
  CallThreads& operator=(const CallThreads&) = delete;

  // Starts `task` at once on an idle thread or a new one; never waits for other tasks. `done`,
  // if given, runs on the same thread after `task`, once the thread counts as idle again: a
  // caller told of the result through `done` and calling run() at once reuses the thread.
  // Throws std::system_error when a needed thread cannot be started (nothing is run then).
  void run(std::function<void()> task, std::function<void()> done = {}) {
    std::unique_lock lock(state_->mutex);
    const bool needThread = state_->idle <= state_->jobs.size();
    state_->jobs.push_back(Job{std::move(task), std::move(done)});
    if (!needThread) {
      lock.unlock();  // the woken thread should not block at once on the mutex
      state_->wake.notify_one();
      return;
    }
    try {
      std::thread(&CallThreads::loop, state_).detach();
    } catch (...) {
      state_->jobs.pop_back();
      throw;
    }
    ++state_->threads;
    ++state_->started;
  }

  // Threads alive (busy or idle) and how many of them are idle.
  std::size_t threads() const {
    std::lock_guard lock(state_->mutex);
    return state_->threads;
  }
  std::size_t idle() const {
    std::lock_guard lock(state_->mutex);
    return state_->idle;
  }
  // Threads ever started by this pool.
  std::size_t started() const {
    std::lock_guard lock(state_->mutex);
    return state_->started;
  }

  // The process-wide pool behind PluginInstance's timed calls.
  static CallThreads& shared() {
    static CallThreads pool;
    return pool;
  }

 private:
  struct Job {
    std::function<void()> task;
    std::function<void()> done;
  };
  struct State {
    explicit State(Limits l) : limits(l) {}
    const Limits limits;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Job> jobs;  // each matched with an idle thread or a new one
    std::size_t threads = 0;
    std::size_t idle = 0;
    std::size_t started = 0;
    bool closed = false;
  };

  static void loop(std::shared_ptr<State> s) {
    std::unique_lock lock(s->mutex);
    for (;;) {
      if (!s->jobs.empty()) {
        Job job = std::move(s->jobs.front());
        s->jobs.pop_front();
        lock.unlock();
        job.task();
        job.task = nullptr;  // its captures go before the thread counts as idle again
        lock.lock();
        if (job.done) {
          ++s->idle;  // run() may match a job with this thread from here on
          lock.unlock();
          job.done();
          job.done = nullptr;
          lock.lock();
          --s->idle;
        }
        continue;
      }
      if (s->closed) break;
      ++s->idle;
      const bool woken = s->wake.wait_for(lock, s->limits.idleTimeout,
                                          [&] { return !s->jobs.empty() || s->closed; });
      --s->idle;
      if (!woken && s->idle >= s->limits.keepIdle) break;  // enough others stay idle
    }
    --s->threads;
  }

  std::shared_ptr<State> state_;
};

}  // namespace maasprov::plugin
