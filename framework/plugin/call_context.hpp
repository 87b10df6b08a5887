// The host's side of one plugin call: what the opaque `maasprov_call*` of the ABI points to, and
// the environment (MAAS transport, logger, limits) host services act in.
//
// Ownership: PluginInstance creates one CallContext per call and keeps it alive (shared_ptr)
// until the plugin function returns, even when the caller stopped waiting (timeout).
// HostEnvironment is shared by every instance; its Transport must outlive them.
// Thread-safety: host services may be called from several plugin threads during one call; the
// mutable parts of CallContext are guarded by its mutex or atomic.
#pragma once

#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "framework/maas/transport.hpp"
#include "maasprov/plugin_abi.h"

namespace spdlog {
class logger;
}

namespace maasprov::plugin {

struct HostEnvironment {
  // Where plugins' MAAS calls go (the production maas::Client, or a test's transport).
  // nullptr: every MAAS call fails as a transport error saying no MAAS is configured.
  maas::Transport* transport = nullptr;
  std::shared_ptr<spdlog::logger> logger;         // nullptr: spdlog's default logger
  size_t maxDocumentBytes = 16u * 1024u * 1024u;  // per result / MAAS body, against runaway plugins
};

// Stores a checkpointed status durably before returning; throws on failure (the plugin is then
// told MAASPROV_E_CHECKPOINT and must stop).
using CheckpointFn = std::function<void(const Poco::JSON::Object::Ptr& status)>;

// Answers the JSON array of the cluster's other machines (peer summaries) when an ABI v2 plugin
// asks for it (cluster_machines); worked out only then. Throws on failure.
using MachinesFn = std::function<std::string()>;

struct MaasCallRecord {
  std::string method;
  std::string path;
  std::string op;
  int status = 0;  // HTTP status; kTransportFailed / kCancelled when there was none
  static constexpr int kTransportFailed = -1;
  static constexpr int kCancelled = -2;
};

}  // namespace maasprov::plugin

// The ABI's opaque call type, defined by the host.
struct maasprov_call {
  std::string pluginName;
  std::string objectKey;  // "Kind/namespace/name" of the object being reconciled; empty otherwise
  std::shared_ptr<const maasprov::plugin::HostEnvironment> env;
  maasprov::plugin::CheckpointFn checkpoint;  // empty: checkpoints are unsupported in this call
  maasprov::plugin::MachinesFn machines;      // empty: cluster_machines is unsupported
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<std::atomic<bool>> cancel;  // set by the host to stop the call

  std::mutex mutex;  // guards the records below
  std::vector<maasprov::plugin::MaasCallRecord> maasCalls;
  size_t checkpoints = 0;

  bool isCancelled() const {
    return (cancel && cancel->load()) || std::chrono::steady_clock::now() >= deadline;
  }
};

namespace maasprov::plugin {
// The host services table handed to every plugin (static storage; thread-safe functions).
const maasprov_host_services* hostServices();
}  // namespace maasprov::plugin
