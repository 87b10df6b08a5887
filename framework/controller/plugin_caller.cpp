#include "framework/controller/plugin_caller.hpp"

#include <algorithm>

namespace maasprov::controller {
namespace {

plugin::CallOutcome abandoned(const std::string& plugin, const std::string& why) {
  plugin::CallOutcome out;
  plugin::PluginFailure f;
  f.type = plugin::ErrorType::Transient;
  f.retryable = true;
  f.message = "plugin '" + plugin + "' " + why;
  out.error = f;
  return out;
}

}  // namespace

plugin::PluginFailure PluginCaller::timedOut(const std::string& plugin,
                                             std::chrono::milliseconds timeout) {
  return *abandoned(plugin, "did not return within " + std::to_string(timeout.count()) +
                                " ms; the call was abandoned and cancelled")
              .error;
}

// One call in flight; guarded by State::mutex.
struct PluginCaller::Call {
  std::string plugin;     // the instance's name, for the refusals of later calls
  std::string objectKey;  // empty: not entered in State::objects
  std::thread::id thread;
  std::chrono::steady_clock::time_point deadline;
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  bool abandoned = false;    // cancelled; its result will be dropped
  bool timedOut = false;     // abandoned by the watchdog
  bool handedOver = false;   // its thread is no longer its caller's: call() throws
  std::string abandonedWhy;  // why, for the refusals of later calls for the object
};

// Called under State::mutex, with the call that holds the object's key.
plugin::CallOutcome PluginCaller::busy(const std::string& plugin, const Call& holder) {
  const std::string other = holder.plugin == plugin ? "" : " to plugin '" + holder.plugin + "'";
  // Normally an abandoned call (the work queue never hands one key to two workers). Says why it
  // was cancelled: the object's condition shows only this message until that call returns.
  plugin::CallOutcome out = abandoned(
      plugin, holder.abandoned
                  ? "was not called: an earlier call for this object" + other +
                        " is still running after being cancelled; " + holder.abandonedWhy
                  : "was not called: another call for this object" + other + " is running");
  out.error->requeueAfter = kBusyRetry;
  return out;
}

PluginCaller::PluginCaller(std::chrono::milliseconds timeout, OnAbandoned onAbandoned)
    : timeout_(timeout), onAbandoned_(std::move(onAbandoned)), state_(std::make_shared<State>()) {
  watchdog_ = std::thread([this] { watchdog(); });
}

PluginCaller::~PluginCaller() {
  {
    std::lock_guard lock(state_->mutex);
    state_->closing = true;
  }
  state_->watch.notify_all();
  watchdog_.join();
}

void PluginCaller::watchdog() {
  const std::string why = "it did not return within " + std::to_string(timeout_.count()) + " ms";
  std::unique_lock lock(state_->mutex);
  while (!state_->closing) {
    // Deadlines grow with start times (one timeout for all), but a finished call leaves no
    // trace, so the earliest is looked for afresh at each wake: at most once per timeout.
    auto next = Clock::time_point::max();
    for (const auto& c : state_->running) {
      if (!c->abandoned) next = std::min(next, c->deadline);
    }
    if (next == Clock::time_point::max()) {
      state_->watchdogIdle = true;
      state_->watch.wait(lock);
      state_->watchdogIdle = false;
      continue;
    }
    if (Clock::now() < next) {
      state_->watch.wait_until(lock, next);
      continue;
    }
    struct Overdue {
      std::string key, plugin;
      std::thread::id thread;
    };
    std::vector<Overdue> overdue;
    const auto now = Clock::now();
    for (const auto& c : state_->running) {
      if (c->abandoned || c->deadline > now) continue;
      c->abandoned = true;
      c->timedOut = true;
      // Without a hook nobody takes the object over: its caller gets the timeout as outcome.
      c->handedOver = static_cast<bool>(onAbandoned_);
      c->abandonedWhy = why;
      c->cancel->store(true);
      overdue.push_back({c->objectKey, c->plugin, c->thread});
    }
    if (!onAbandoned_ || overdue.empty()) continue;
    lock.unlock();
    {
      std::lock_guard hook(state_->hookMutex);
      // Checked under the hook's mutex: cancelAll() sets it first and then waits for the hook.
      const bool stopping = [&] {
        std::lock_guard guard(state_->mutex);
        return state_->stopping;
      }();
      if (!stopping) {
        for (const auto& o : overdue) onAbandoned_(o.key, o.plugin, o.thread);
      }
    }
    lock.lock();
  }
}

plugin::CallOutcome PluginCaller::call(const std::shared_ptr<plugin::PluginInstance>& instance,
                                       PluginOp op, const std::string& request,
                                       const std::string& objectKey,
                                       plugin::CheckpointFn checkpoint,
                                       plugin::MachinesFn machines) {
  // Only locals after the plugin returns: the caller object may be gone by then.
  const std::shared_ptr<State> state = state_;
  const std::chrono::milliseconds timeout = timeout_;
  auto c = std::make_shared<Call>();
  c->plugin = instance->name();
  c->objectKey = objectKey;
  c->thread = std::this_thread::get_id();
  c->deadline = Clock::now() + timeout;
  {
    std::lock_guard lock(state->mutex);
    if (state->stopping) {
      return abandoned(instance->name(), "was not called: the controller is stopping");
    }
    if (!objectKey.empty()) {
      auto [it, inserted] = state->objects.try_emplace(objectKey, c);
      if (!inserted) return busy(instance->name(), *it->second);
    }
    state->running.insert(c);
    if (state->watchdogIdle) state->watch.notify_one();
  }
  plugin::CallOptions options;
  options.objectKey = objectKey;
  options.checkpoint = std::move(checkpoint);
  options.machines = std::move(machines);
  options.cancel = c->cancel;
  // Takes the call off the books once its plugin function has returned (or thrown).
  const auto finish = [&state, &c] {
    {
      std::lock_guard lock(state->mutex);
      state->running.erase(c);
      if (!c->objectKey.empty()) state->objects.erase(c->objectKey);
    }
    state->changed.notify_all();
  };
  plugin::CallOutcome out;
  try {
    out = op == PluginOp::Reconcile ? instance->reconcile(request, options)
                                    : instance->remove(request, options);
  } catch (...) {
    finish();
    throw;
  }
  finish();
  // Read without the lock: only the watchdog, cancelAll() and orphanRunning() write them, and
  // never once the call has left `running` (done above, under the lock).
  if (c->handedOver) throw CallAbandoned{c->abandonedWhy};
  if (!c->abandoned) return out;
  if (!c->timedOut)
    return abandoned(instance->name(), "call abandoned: the controller is stopping");
  plugin::CallOutcome late;
  late.error = timedOut(instance->name(), timeout);
  late.timedOut = true;
  return late;
}

void PluginCaller::cancelAll() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    for (const auto& c : state_->running) {
      c->cancel->store(true);
      if (c->abandoned) continue;
      c->abandoned = true;
      c->abandonedWhy = "the controller is stopping";
    }
  }
  // A hook already past its check finishes before this returns; none starts afterwards.
  std::lock_guard hook(state_->hookMutex);
}

std::vector<std::thread::id> PluginCaller::orphanRunning() {
  std::vector<std::thread::id> threads;
  std::lock_guard lock(state_->mutex);
  for (const auto& c : state_->running) {
    c->cancel->store(true);
    if (!c->abandoned) c->abandonedWhy = "the controller is stopping";
    c->abandoned = true;
    c->handedOver = true;
    threads.push_back(c->thread);
  }
  return threads;
}

bool PluginCaller::waitIdle(std::chrono::milliseconds limit) {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, limit, [this] { return state_->running.empty(); });
}

std::size_t PluginCaller::running() const {
  std::lock_guard lock(state_->mutex);
  return state_->running.size();
}

}  // namespace maasprov::controller
