// What a conformance scenario works with, inside its child process: the plugin loaded as the
// daemon loads it, one instance, a MAAS transport (real or stand-in) recording every request,
// and sample objects fed back the way the controller feeds back status between reconciles.
//
// Ownership: a Harness owns its instance, transports and event log. Thread-safety: reconcile()
// and remove() may be called concurrently for different objects (as the controller does).
#pragma once

#include <Poco/JSON/Object.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "framework/plugin/plugin_instance.hpp"
#include "transports.hpp"

namespace maasprov::check {

struct Settings {
  std::filesystem::path plugin;
  std::string maasUrl;  // empty: no MAAS given
  std::string maasKey;
  std::string config = "{}";
  Poco::JSON::Object::Ptr machine;  // sample MaasMachine (provisioners)
  Poco::JSON::Object::Ptr cluster;  // sample MaasCluster
  int rounds = 8;                   // reconcile/remove rounds before giving up
  bool verbose = false;
  bool haveMaas() const { return !maasUrl.empty(); }
};

enum class Backend { Maas, Unreachable, ServerError, Garbage };

class Harness {
 public:
  // Loads the plugin and creates an instance; throws PluginLoadError.
  Harness(const Settings& settings, Backend backend);

  // A fresh copy of the object to reconcile (machine or cluster, by the plugin's kind) with a
  // unique name and uid, so scenarios never meet each other's MAAS state.
  Poco::JSON::Object::Ptr freshObject(const std::string& tag) const;

  enum class Feedback { All, CheckpointsOnly, None };
  // Reconciles `object`; stored checkpoints and (per `feedback`) the result's status are merged
  // into object.status, as the controller would. `failCheckpoints` refuses every checkpoint.
  plugin::CallOutcome reconcile(const Poco::JSON::Object::Ptr& object,
                                Feedback feedback = Feedback::All, bool failCheckpoints = false);
  plugin::CallOutcome remove(const Poco::JSON::Object::Ptr& object);
  // remove() until done, up to settings.rounds; returns a failure description or nullopt.
  std::optional<std::string> removeUntilDone(const Poco::JSON::Object::Ptr& object);
  // Calls with a raw request text (for hostile input).
  plugin::CallOutcome reconcileRaw(const std::string& request);

  // The request for `object` as maasprovd builds it, and what answers its cluster_machines
  // (into `options`).
  std::string requestFor(const Poco::JSON::Object::Ptr& object, plugin::CallOptions& options) const;
  // Options of a call on `object` (null: none named): the kit's timeout.
  plugin::CallOptions callOptions(const Poco::JSON::Object::Ptr& object) const;
  bool isProvisioner() const;
  plugin::PluginInstance& instance() { return *instance_; }
  const plugin::PluginLibrary& library() const { return *library_; }
  EventLog& events() { return events_; }
  const Settings& settings() const { return settings_; }
  // Sleeps as the controller would before the next round (capped to keep the kit quick).
  static void pause(const plugin::CallOutcome& outcome);

 private:
  Settings settings_;
  EventLog events_;
  std::unique_ptr<maas::Transport> inner_;
  std::unique_ptr<RecordingTransport> recording_;
  std::shared_ptr<const plugin::PluginLibrary> library_;
  std::shared_ptr<plugin::PluginInstance> instance_;
};

// Deep copy through JSON text.
Poco::JSON::Object::Ptr cloneObject(const Poco::JSON::Object::Ptr& object);
std::string describeFailure(const plugin::CallOutcome& outcome);

}  // namespace maasprov::check
