#include "framework/controller/plugin_caller.hpp"

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

// One call in flight; guarded by State::mutex. Shared by the waiting worker and the call thread.
struct PluginCaller::Call {
  std::string plugin;     // the instance's name, for the refusals of later calls
  std::string objectKey;  // empty: not entered in State::objects
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  std::condition_variable done;  // finished, or the caller is stopping
  bool finished = false;
  bool abandoned = false;       // its caller stopped waiting; the plugin may still be running
  std::string abandonedWhy;     // why, for the refusals of later calls for the object
  plugin::CallOutcome result;   // written by the call thread alone, before `finished`
  plugin::CallOutcome outcome;  // guarded by State::mutex
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

plugin::CallOutcome PluginCaller::call(const std::shared_ptr<plugin::PluginInstance>& instance,
                                       PluginOp op, const std::string& request,
                                       const std::string& objectKey,
                                       plugin::CheckpointFn checkpoint) {
  auto c = std::make_shared<Call>();
  c->plugin = instance->name();
  c->objectKey = objectKey;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping)
      return abandoned(instance->name(), "was not called: the controller is stopping");
    if (!objectKey.empty()) {
      auto [it, inserted] = state_->objects.try_emplace(objectKey, c);
      if (!inserted) return busy(instance->name(), *it->second);
    }
    state_->waiting.insert(c);
    ++state_->helpers;
  }
  plugin::CallOptions options;
  options.objectKey = objectKey;
  options.checkpoint = std::move(checkpoint);
  options.cancel = c->cancel;
  // The call thread's work; only `done` (under the state's mutex) tells the caller about it.
  auto task = [target = instance, op, request, options = std::move(options), c]() mutable {
    c->result = op == PluginOp::Reconcile ? target->reconcile(request, options)
                                          : target->remove(request, options);
  };
  // Runs after the task's captures are gone: once waitIdle() says no call is running, nothing
  // of the call holds the instance any more.
  auto done = [state = state_, c] {
    {
      std::lock_guard lock(state->mutex);
      c->outcome = std::move(c->result);  // an abandoned call's late result: dropped with c
      c->finished = true;
      // Same critical section as `helpers`: once waitIdle() holds, every key is free again.
      if (!c->objectKey.empty()) state->objects.erase(c->objectKey);
      --state->helpers;
    }
    // Notified after unlocking, so that a woken caller does not block at once on the mutex.
    c->done.notify_all();
    state->changed.notify_all();
  };
  try {
    threads_.run(std::move(task), std::move(done));
  } catch (...) {
    std::lock_guard lock(state_->mutex);
    state_->waiting.erase(c);
    if (!objectKey.empty()) state_->objects.erase(objectKey);
    --state_->helpers;
    throw;
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  bool stopping = false;
  {
    std::unique_lock lock(state_->mutex);
    c->done.wait_until(lock, deadline, [&] { return c->finished || state_->stopping; });
    state_->waiting.erase(c);
    if (c->finished) return std::move(c->outcome);
    c->abandoned = true;
    stopping = state_->stopping;
    c->abandonedWhy = stopping
                          ? "the controller is stopping"
                          : "it did not return within " + std::to_string(timeout_.count()) + " ms";
    c->cancel->store(true);  // under the lock: no refusal names it cancelled before it is
  }
  plugin::CallOutcome out =
      stopping ? abandoned(instance->name(), "call abandoned: the controller is stopping")
               : abandoned(instance->name(), "did not return within " +
                                                 std::to_string(timeout_.count()) +
                                                 " ms; the call was abandoned and cancelled");
  out.timedOut = !stopping;
  return out;
}

void PluginCaller::cancelAll() {
  std::lock_guard lock(state_->mutex);
  state_->stopping = true;
  for (const auto& c : state_->waiting) {
    c->cancel->store(true);
    c->done.notify_all();
  }
  state_->changed.notify_all();
}

bool PluginCaller::waitIdle(std::chrono::milliseconds limit) {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, limit, [this] { return state_->helpers == 0; });
}

std::size_t PluginCaller::running() const {
  std::lock_guard lock(state_->mutex);
  return state_->helpers;
}

}  // namespace maasprov::controller
