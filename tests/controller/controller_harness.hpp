// Test harness for the controller: a real SqliteStore in a temporary directory, a real plugin
// registry loading the fixture plugins through the real loader, and a Controller with short
// timings. Helpers build objects and wait for conditions in the store (polling, with a generous
// deadline: the assertions are about what happens, not how fast).
//
// Ownership: Harness owns everything it creates. Thread-safety: use from the test thread.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/TemporaryFile.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "framework/controller/controller.hpp"
#include "framework/controller/json_status.hpp"
#include "framework/metrics/registry.hpp"
#include "framework/plugin/plugin_registry.hpp"
#include "framework/store/sqlite_store.hpp"

namespace maasprov::controller::testing {

inline Json parse(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Json>();
}

class Harness {
 public:
  explicit Harness(ControllerOptions options = fast(), maas::Transport* maas = nullptr)
      : dir_(Poco::TemporaryFile::tempName()) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(store::SqliteStore::Options{dir_ + "/state.db"});
    auto env = std::make_shared<plugin::HostEnvironment>();
    env->transport = maas;
    env->logger = logger();
    plugin::RegistryOptions ro;
    registry_ = std::make_unique<plugin::PluginRegistry>(ro, env);
    for (const char* name :
         {"test-scripted-provisioner", "test-scripted-endpoint", "test-garbage-provisioner"}) {
      registry_->addFile(std::string(CONTROLLER_FIXTURE_DIR) + "/" + name + ".so");
    }
    registry_->resolve();
    controller_ =
        std::make_unique<Controller>(options, *store_, *registry_, maas, &metrics_, logger());
  }
  ~Harness() {
    controller_.reset();
    registry_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static ControllerOptions fast() {
    ControllerOptions o;
    o.workers = 4;
    o.pluginTimeout = std::chrono::milliseconds(2000);
    o.backoffBase = std::chrono::milliseconds(20);
    o.backoffMax = std::chrono::milliseconds(200);
    o.requeueInterval = std::chrono::milliseconds(60000);
    o.pollInterval = std::chrono::milliseconds(100);
    o.resyncInterval = std::chrono::milliseconds(0);
    return o;
  }

  static std::shared_ptr<spdlog::logger> logger() {
    // Silent unless CONTROLLER_TEST_LOG is set (then everything goes to stderr).
    static auto l = [] {
      bool verbose = std::getenv("CONTROLLER_TEST_LOG") != nullptr;
      spdlog::sink_ptr sink;
      if (verbose) {
        sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
      } else {
        sink = std::make_shared<spdlog::sinks::null_sink_mt>();
      }
      auto logger = std::make_shared<spdlog::logger>("test", sink);
      if (verbose) logger->set_level(spdlog::level::debug);
      return logger;
    }();
    return l;
  }

  store::SqliteStore& store() { return *store_; }
  Controller& controller() { return *controller_; }
  metrics::Registry& metrics() { return metrics_; }
  plugin::PluginRegistry& registry() { return *registry_; }

  Json cluster(const std::string& ns, const std::string& name) {
    return store_->create(
        parse(R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",)"
              R"("metadata":{"name":")" +
              name + R"(","namespace":")" + ns +
              R"("},"spec":{"dnsDomain":"maas","failureDomains":["zone-a","zone-b"]}})"));
  }

  Json secret(const std::string& ns, const std::string& name, const std::string& value) {
    return store_->create(parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" +
                                name + R"(","namespace":")" + ns + R"("},"data":{"value":")" +
                                value + R"("}})"));
  }

  // A MaasMachine of `cluster` served by the scripted plugin with `behaviour`, inline user data.
  Json machine(const std::string& ns, const std::string& name, const std::string& cluster,
               const std::string& behaviour = "ok", const std::string& extraAnnotations = "",
               const std::string& spec = R"("provisioningMode":"scripted","userData":"I2Nsb3Vk")",
               bool controlPlane = false) {
    std::string labels = R"("cluster.x-k8s.io/cluster-name":")" + cluster + "\"";
    if (controlPlane) labels += R"(,"cluster.x-k8s.io/control-plane":"")";
    return store_->create(parse(
        R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
        R"("metadata":{"name":")" +
        name + R"(","namespace":")" + ns + R"(","labels":{)" + labels +
        R"(},"annotations":{"test.maasprov.io/behaviour":")" + behaviour + "\"" + extraAnnotations +
        R"(}},"spec":{"minCPU":2,"minMemory":4096,"image":"ubuntu/jammy",)" + spec + "}}"));
  }

  Json get(const std::string& kind, const std::string& ns, const std::string& name) {
    try {
      return store_->get({kind, ns, name});
    } catch (const store::NotFound&) {
      return nullptr;
    }
  }
  Json machineObj(const std::string& ns, const std::string& name) {
    return get("MaasMachine", ns, name);
  }

  // Polls `probe` until it is true or `limit` passes; returns its last answer.
  static bool waitFor(const std::function<bool()>& probe,
                      std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (probe()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return probe();
  }

  // The Ready condition's field (reason/status/message) of a machine, "" when absent.
  std::string ready(const std::string& ns, const std::string& name, const std::string& field,
                    const std::string& kind = "MaasMachine") {
    Json obj = get(kind, ns, name);
    if (!obj) return "";
    Json c = findCondition(objectAt(obj, "status"), "Ready");
    return c ? c->optValue<std::string>(field, "") : "";
  }

 private:
  std::string dir_;
  metrics::Registry metrics_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<plugin::PluginRegistry> registry_;
  std::unique_ptr<Controller> controller_;
};

}  // namespace maasprov::controller::testing
