// A live instance of a plugin, and the only way host code calls one.
//
// Every call gets its own CallContext (the ABI's maasprov_call) naming the plugin and object,
// carrying the checkpoint callback, a deadline and a cancel flag. The plugin's result document
// and error struct are received into host-owned buffers and checked: malformed JSON, a wrong
// shape, an unknown return code or an exception-free but empty failure all become a clear
// PluginFailure rather than reaching the controller half-parsed.
//
// Timeouts: with CallOptions::timeout > 0 the call runs on a reusable thread of
// CallThreads::shared() (no thread is started per call); if the plugin has not returned in time
// the caller gets a Transient failure at once, the call is flagged cancelled (host services then
// refuse further MAAS calls and checkpoints), and it keeps its thread until it finishes on its
// own, keeping the instance and its library alive until it does. A timed call also returns
// (Transient, "cancelled", timedOut false) within ~50 ms of CallOptions::cancel being set, even
// if the plugin never checks it.
// Crashes: a plugin runs in the daemon's process, so its crash is the daemon's (systemd restarts
// it). The first create() installs handlers for SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT that print
// "maasprovd: fatal signal during plugin call: plugin 'NAME' OP OBJECT" for every call in
// flight to stderr (the journal), then pass the signal on to the previous disposition.
// Error messages and hosts are made valid UTF-8 (bad bytes become U+FFFD) before they leave.
//
// Ownership: always held by shared_ptr (create()); destroys the plugin's instance in its
// destructor, which runs only when no call is running. Keeps its PluginLibrary alive.
// Thread-safety: reconcile/remove/describe may be called concurrently (the ABI labels them
// [any-thread]); the caller must not run two calls for the same object at once.
#pragma once

#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/plugin/call_context.hpp"
#include "framework/plugin/plugin_error.hpp"
#include "framework/plugin/plugin_library.hpp"

namespace maasprov::plugin {

struct CallOptions {
  std::string objectKey;                      // "Kind/namespace/name", for logs
  std::chrono::milliseconds timeout{0};       // 0: no limit, the call runs on the caller's thread
  CheckpointFn checkpoint;                    // empty: the plugin's checkpoints are refused
  std::shared_ptr<std::atomic<bool>> cancel;  // optional: set it to stop the call (shutdown)
  // Answers cluster_machines (plugins of ABI v2, during reconcile/remove); empty: refused.
  MachinesFn machines;
};

struct CallOutcome {
  std::optional<PluginFailure> error;  // set when the call failed, for whatever reason
  Poco::JSON::Object::Ptr status;      // status fields to set (may accompany an error)
  Poco::JSON::Object::Ptr document;    // the whole result document (describe's answer)
  std::optional<std::chrono::seconds> requeueAfter;
  bool done = false;                      // remove(): nothing is left in MAAS
  std::vector<MaasCallRecord> maasCalls;  // MAAS requests the plugin made in this call
  size_t checkpoints = 0;                 // checkpoints stored during this call
  bool timedOut = false;

  bool ok() const { return !error.has_value(); }
};

class PluginInstance : public std::enable_shared_from_this<PluginInstance> {
 public:
  // Calls the plugin's create() with `configJson` (a JSON object; "" means "{}"). Throws
  // PluginLoadError naming the file when the plugin refuses.
  static std::shared_ptr<PluginInstance> create(std::shared_ptr<const PluginLibrary> library,
                                                std::shared_ptr<const HostEnvironment> env,
                                                const std::string& configJson = "{}");
  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  // `request` is the request document of plugin_abi.h (object, cluster, userData, machines).
  CallOutcome reconcile(const std::string& request, const CallOptions& options = {});
  CallOutcome remove(const std::string& request, const CallOptions& options = {});
  // Health/summary; a plugin without describe answers an empty object.
  CallOutcome describe(const CallOptions& options = {});

  const PluginLibrary& library() const { return *library_; }
  const std::string& name() const { return library_->name(); }

 private:
  struct Private {};

 public:
  PluginInstance(Private, std::shared_ptr<const PluginLibrary> library,
                 std::shared_ptr<const HostEnvironment> env);

 private:
  enum class Op { Reconcile, Remove, Describe };
  CallOutcome invoke(Op op, const std::string& request, const CallOptions& options);
  CallOutcome invokeHere(Op op, const std::string& request,
                         const std::shared_ptr<maasprov_call>& call);

  std::shared_ptr<const PluginLibrary> library_;
  std::shared_ptr<const HostEnvironment> env_;
  maasprov_instance* instance_ = nullptr;
};

}  // namespace maasprov::plugin
