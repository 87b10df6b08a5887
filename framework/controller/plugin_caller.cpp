#include "framework/controller/plugin_caller.hpp"

#include <thread>

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

plugin::CallOutcome PluginCaller::call(const std::shared_ptr<plugin::PluginInstance>& instance,
                                       PluginOp op, const std::string& request,
                                       const std::string& objectKey,
                                       plugin::CheckpointFn checkpoint) {
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  // Shared between the worker and the helper; whoever is last frees it.
  struct Slot {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    plugin::CallOutcome outcome;
  };
  auto slot = std::make_shared<Slot>();
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping)
      return abandoned(instance->name(), "was not called: the controller is stopping");
    state_->cancels.insert(cancel);
    ++state_->helpers;
  }
  plugin::CallOptions options;
  options.objectKey = objectKey;
  options.checkpoint = std::move(checkpoint);
  options.cancel = cancel;
  std::thread([state = state_, instance, op, request, options, slot]() {
    plugin::CallOutcome out = op == PluginOp::Reconcile ? instance->reconcile(request, options)
                                                        : instance->remove(request, options);
    {
      std::lock_guard lock(slot->mutex);
      slot->outcome = std::move(out);
      slot->finished = true;
    }
    slot->done.notify_all();
    std::lock_guard lock(state->mutex);
    --state->helpers;
    state->changed.notify_all();
  }).detach();

  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  bool finished = false;
  {
    std::unique_lock lock(slot->mutex);
    // Short waits so that cancelAll() is noticed promptly without coupling the two mutexes.
    while (!slot->finished && std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard outer(state_->mutex);
        if (state_->stopping) break;
      }
      slot->done.wait_for(lock, std::chrono::milliseconds(50));
    }
    finished = slot->finished;
  }
  {
    std::lock_guard lock(state_->mutex);
    state_->cancels.erase(cancel);
  }
  if (finished) return std::move(slot->outcome);
  cancel->store(true);
  bool stopping;
  {
    std::lock_guard lock(state_->mutex);
    stopping = state_->stopping;
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
  for (const auto& c : state_->cancels) c->store(true);
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
