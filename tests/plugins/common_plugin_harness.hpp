// Shared fixtures for the in-tree plugin tests (baremetal, dns, lxd): a real maas-sim process on
// an ephemeral loopback port, the real MAAS client pointed at it, and a plugin .so loaded by the
// real loader, called the way the controller calls it (checkpoints and the result's status are
// merged into the object's status; top-level keys replace).
//
// Ownership: SimMaas owns the simulator process and the client; LoadedPlugin owns its library
// and instance and borrows the transport, which must outlive it.
// Thread-safety: for one test thread; the plugin itself may be called from several.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "framework/maas/client.hpp"
#include "framework/plugin/plugin_instance.hpp"
#include "framework/plugin/plugin_library.hpp"
#include "framework/plugin/request_document.hpp"
#include "sim/sim_client.hpp"
#include "sim/sim_process.hpp"

namespace maasprov::plugins::test {

using JsonObject = Poco::JSON::Object::Ptr;
using JsonArray = Poco::JSON::Array::Ptr;

inline JsonObject parseObject(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<JsonObject>();
}

inline std::string toText(const Poco::Dynamic::Var& v) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(v, out);
  return out.str();
}

inline JsonObject clone(const JsonObject& o) {
  return parseObject(toText(o));
}

// A real maas-sim with fast timings, and the framework's MAAS client talking to it.
class SimMaas {
 public:
  explicit SimMaas(const std::string& inventoryYaml,
                   std::vector<std::string> extraArgs = {"--deploy-seconds", "0.2",
                                                         "--release-seconds", "0.2",
                                                         "--commission-seconds", "0.1"})
      : sim_(maassim::testing::SimProcess::Yaml(inventoryYaml, std::move(extraArgs))) {
    maas::ClientConfig config;
    config.url = sim_.base_url() + "/MAAS";
    config.apiKey = maassim::testing::SimProcess::default_api_key();
    config.readTimeout = std::chrono::milliseconds(20000);
    client_ = std::make_unique<maas::Client>(config);
  }

  maas::Client& client() { return *client_; }
  unsigned short port() const { return sim_.port(); }

  // A raw MAAS API call (test setup and checks), not through the plugin.
  maassim::testing::HttpResult api(const std::string& method, const std::string& rest,
                                   const maassim::testing::Form& form = {}) {
    return maassim::testing::Call(sim_.port(), method, maassim::testing::Api(rest), form);
  }
  JsonObject state() {
    return maassim::testing::Call(sim_.port(), "GET", "/_sim/state", {}, "").object();
  }
  JsonObject counters() {
    return maassim::testing::Call(sim_.port(), "GET", "/_sim/counters", {}, "").object();
  }
  void resetCounters() {
    maassim::testing::Call(sim_.port(), "POST", "/_sim/reset-counters", {}, "");
  }
  // POST /_sim/faults with a JSON body (docs/maas-sim.md, "Fault injection and latency"), e.g.
  // {"endpoints": {"POST machines/{id} op=deploy": {"503": 1.0}}}; "{}" clears them. The HTTP
  // status.
  int setFaults(const std::string& json) {
    Poco::Net::HTTPClientSession session("127.0.0.1", sim_.port());
    Poco::Net::HTTPRequest req("POST", "/_sim/faults", Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(json.size()));
    session.sendRequest(req) << json;
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    return resp.getStatus();
  }
  // Requests the simulator answered for an endpoint label such as "POST machines op=allocate".
  int count(const std::string& label) {
    JsonObject endpoints = counters()->getObject("endpoints");
    if (!endpoints || !endpoints->has(label)) return 0;
    return endpoints->getObject(label)->getValue<int>("total");
  }
  int total() { return counters()->getValue<int>("total"); }
  // The /_sim/state entry of the machine with this hostname (or system_id); null when none.
  JsonObject machine(const std::string& hostnameOrId) {
    JsonArray machines = state()->getArray("machines");
    for (size_t i = 0; i < machines->size(); ++i) {
      JsonObject m = machines->getObject(static_cast<unsigned>(i));
      if (m->getValue<std::string>("hostname") == hostnameOrId ||
          m->getValue<std::string>("system_id") == hostnameOrId) {
        return m;
      }
    }
    return nullptr;
  }
  std::string systemId(const std::string& hostname) {
    JsonObject m = machine(hostname);
    return m ? m->getValue<std::string>("system_id") : std::string();
  }
  // Machines whose agent_name is `uid`.
  std::vector<JsonObject> heldBy(const std::string& uid) {
    std::vector<JsonObject> out;
    JsonArray machines = state()->getArray("machines");
    for (size_t i = 0; i < machines->size(); ++i) {
      JsonObject m = machines->getObject(static_cast<unsigned>(i));
      if (m->getValue<std::string>("agent_name") == uid) out.push_back(m);
    }
    return out;
  }
  JsonArray dnsResources() { return state()->getArray("dns_resources"); }

 private:
  maassim::testing::SimProcess sim_;
  std::unique_ptr<maas::Client> client_;
};

// One plugin .so from the build's plugin directory, loaded and instantiated by the real loader.
class LoadedPlugin {
 public:
  LoadedPlugin(const std::string& name, maas::Transport& transport,
               const std::string& config = "{}") {
    auto env = std::make_shared<plugin::HostEnvironment>();
    env->transport = &transport;
    library_ = plugin::PluginLibrary::load(std::string(MAASPROV_PLUGIN_DIR) + "/" + name + ".so");
    instance_ = plugin::PluginInstance::create(library_, env, config);
  }

  const plugin::PluginLibrary& library() const { return *library_; }

  struct Call {
    JsonObject cluster;                   // the MaasCluster ("cluster" of the request)
    std::optional<std::string> userData;  // base64; nullopt: not available yet
    std::vector<JsonObject> machines;     // other machines of the cluster
    bool storeCheckpoints = true;         // false: the host refuses every checkpoint
    bool applyResult = true;              // false: as if the host crashed before writing
    // The request's "observed" (the host's poller's fresh read of the object's MAAS machine),
    // sent when set, as the host sends it.
    JsonObject observed;
  };

  // Reconciles `object` and merges what the controller would store into object.status.
  plugin::CallOutcome reconcile(JsonObject object, const Call& call) {
    return invoke(true, object, call);
  }
  plugin::CallOutcome remove(JsonObject object, const Call& call) {
    return invoke(false, object, call);
  }

  // Reconciles a request document written by the test (e.g. one the host would never build).
  plugin::CallOutcome reconcileDocument(const std::string& request) {
    plugin::CallOptions options;
    options.timeout = std::chrono::seconds(30);
    options.checkpoint = [](const JsonObject&) {};
    return instance_->reconcile(request, options);
  }

  // Reconciles until `done(outcome)` or `rounds` calls, sleeping as the controller would
  // (requeueAfter, capped at 300 ms to keep tests quick). Returns the last outcome.
  plugin::CallOutcome reconcileUntil(JsonObject object, const Call& call,
                                     const std::function<bool(const plugin::CallOutcome&)>& done,
                                     int rounds = 40) {
    plugin::CallOutcome out;
    for (int i = 0; i < rounds; ++i) {
      out = reconcile(object, call);
      if (done(out)) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    return out;
  }

 private:
  static void merge(JsonObject object, const JsonObject& patch) {
    if (!patch) return;
    JsonObject status = object->getObject("status");
    if (!status) {
      status = Poco::makeShared<Poco::JSON::Object>();
      object->set("status", status);
    }
    for (const auto& [key, value] : *patch) status->set(key, value);
  }

  plugin::CallOutcome invoke(bool reconcile, JsonObject object, const Call& call) {
    std::vector<JsonObject> stored;
    plugin::CallOptions options;
    options.objectKey = object->getObject("metadata")->optValue<std::string>("name", "");
    options.timeout = std::chrono::seconds(30);
    if (call.storeCheckpoints) {
      options.checkpoint = [&stored](const JsonObject& status) { stored.push_back(clone(status)); };
    } else {
      options.checkpoint = [](const JsonObject&) {
        throw std::runtime_error("checkpoint refused by the test");
      };
    }
    plugin::RequestParts parts;
    parts.object = object;
    parts.cluster = call.cluster ? call.cluster : object;
    parts.userDataBase64 = call.userData;
    for (const auto& m : call.machines) {
      if (m) parts.peers.push_back(plugin::shareText(plugin::peerSummary(m)));
    }
    if (call.observed) parts.observed = toText(call.observed);
    std::string request = plugin::makeRequestDocument(parts);
    plugin::CallOutcome out =
        reconcile ? instance_->reconcile(request, options) : instance_->remove(request, options);
    for (const auto& s : stored) merge(object, s);
    if (call.applyResult) merge(object, out.status);
    lastCheckpoints = std::move(stored);
    return out;
  }

 public:
  // The checkpoints the last reconcile or remove made, in order.
  std::vector<JsonObject> lastCheckpoints;

 private:
  std::shared_ptr<const plugin::PluginLibrary> library_;
  std::shared_ptr<plugin::PluginInstance> instance_;
};

// Polls `done` every 20 ms for up to `timeout` (simulator timings are wall-clock, so tests wait
// for the state rather than sleep a fixed time). Returns whether it became true.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Field access on a status object, "" / false when absent or null.
inline std::string str(const JsonObject& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return {};
  return o->getValue<std::string>(key);
}

// The strings of the array `key` (e.g. status.discardedSystemIDs); empty when absent or null.
inline std::vector<std::string> strings(const JsonObject& o, const std::string& key) {
  std::vector<std::string> out;
  if (!o || !o->has(key) || o->isNull(key)) return out;
  JsonArray list = o->getArray(key);
  for (size_t i = 0; list && i < list->size(); ++i) out.push_back(list->getElement<std::string>(i));
  return out;
}

// The condition of `type` in object.status.conditions, or null.
inline JsonObject condition(const JsonObject& status, const std::string& type) {
  if (!status || !status->has("conditions")) return nullptr;
  JsonArray list = status->getArray("conditions");
  for (size_t i = 0; list && i < list->size(); ++i) {
    JsonObject c = list->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("type") == type) return c;
  }
  return nullptr;
}

}  // namespace maasprov::plugins::test
