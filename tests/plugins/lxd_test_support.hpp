// Shared pieces of the LXD plugin tests: inventories with LXD VM hosts in three zones, MaasMachine
// objects in lxd mode, and a fixture that starts maas-sim and loads lxd.so through the real
// loader (common_plugin_harness.hpp). MAAS-side facts come from /_sim/state and /_sim/counters.
//
// Ownership: the fixture owns its simulator and plugin. Thread-safety: one test thread; the plugin
// may be called from several (the concurrency test).
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common_plugin_harness.hpp"

namespace maasprov::plugins::test {

inline constexpr const char* kLxdUserData = "I2Nsb3VkLWNvbmZpZwo=";  // "#cloud-config\n"
inline constexpr const char* kLxdFastConfig =
    R"({"pollSeconds": 1, "retryBaseSeconds": 1, "bootstrapWaitSeconds": 1})";
inline constexpr const char* kComposeLabel = "POST vm-hosts/{id} op=compose";

// Zones, pools, subnets; append a vm_hosts: (and machines:) section.
inline constexpr const char* kLxdBase = R"(
user: admin
zones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]
resource_pools: [{name: default}, {name: gold}]
domains: [{name: maas, default: true}]
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
  - {name: san, cidr: 10.2.0.0/24, gateway_ip: 10.2.0.1}
)";

// Four hosts in three zones: a1 has the most memory, then a2; b1 and c1 are equal.
inline constexpr const char* kThreeZoneHosts = R"(
vm_hosts:
  - {name: lxd-a1, zone: zone-a, cores: 16, memory: 65536, project: maasprov,
     tags: [lxd, lxd-profile-k8s],
     storage_pools: [{name: default, size_gb: 500}, {name: fast, size_gb: 100}],
     bridges: [{name: br0, subnet: pxe}, {name: br-san, subnet: san}]}
  - {name: lxd-a2, zone: zone-a, cores: 16, memory: 49152, project: maasprov, tags: [lxd],
     storage_pools: [{name: default, size_gb: 500}], bridges: [{name: br0, subnet: pxe}]}
  - {name: lxd-b1, zone: zone-b, cores: 16, memory: 32768, project: maasprov, tags: [lxd],
     storage_pools: [{name: default, size_gb: 500}], bridges: [{name: br0, subnet: pxe}]}
  - {name: lxd-c1, zone: zone-c, cores: 16, memory: 32768, project: maasprov, tags: [lxd],
     storage_pools: [{name: default, size_gb: 500}], bridges: [{name: br0, subnet: pxe}]}
)";

inline JsonObject lxdMachine(const std::string& name, const std::string& spec,
                             bool controlPlane = true) {
  std::string labels = R"("cluster.x-k8s.io/cluster-name": "prod")";
  if (controlPlane) labels += R"(, "cluster.x-k8s.io/control-plane": "")";
  return parseObject(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasMachine", "metadata": {"name": ")" +
                     name + R"(", "namespace": "team-a", "uid": "uid-)" + name +
                     R"(", "labels": {)" + labels + R"(}},
    "spec": )" + spec +
                     R"(, "status": {}})");
}

// A spec in lxd mode: minCPU, minMemory, jammy, plus extra members (",\"lxdConfig\": {...}").
inline std::string lxdSpec(int cores, int memory, const std::string& extra = "") {
  return R"({"minCPU": )" + std::to_string(cores) + R"(, "minMemory": )" + std::to_string(memory) +
         R"(, "image": "ubuntu/jammy", "provisioningMode": "lxd")" + extra + "}";
}

inline JsonObject lxdCluster(const std::string& extraSpec = "") {
  return parseObject(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasCluster", "metadata": {"name": "prod", "namespace": "team-a", "uid": "c-1"},
    "spec": {"dnsDomain": "maas")" +
                     extraSpec + R"(}, "status": {}})");
}

class LxdTest : public ::testing::Test {
 protected:
  void start(const std::string& hostsYaml, const std::string& config = kLxdFastConfig) {
    sim_ = std::make_unique<SimMaas>(std::string(kLxdBase) + hostsYaml);
    plugin_ = std::make_unique<LoadedPlugin>("lxd", sim_->client(), config);
    call_.cluster = lxdCluster();
    call_.userData = kLxdUserData;
  }

  static bool ready(const plugin::CallOutcome& o) {
    return o.ok() && o.status && o.status->has("ready") && o.status->getValue<bool>("ready");
  }
  static JsonObject status(const JsonObject& object) { return object->getObject("status"); }
  static std::string reasonOf(const JsonObject& object, const std::string& type) {
    JsonObject c = condition(status(object), type);
    return c ? c->getValue<std::string>("reason") : std::string();
  }

  // Reconciles `m` once with `call` (its VM is composed) and waits until MAAS has commissioned
  // the VM (Ready); returns its system_id, or "" after failing the test.
  std::string composeUntilReady(const JsonObject& m, const LoadedPlugin::Call& call) {
    auto out = plugin_->reconcile(m, call);
    EXPECT_TRUE(out.ok()) << toText(m);
    const std::string sid = str(status(m), "systemID");
    EXPECT_FALSE(sid.empty()) << toText(m);
    if (sid.empty()) return {};
    const bool commissioned = eventually(
        [&] { return sim_->machine(sid)->getValue<std::string>("status_name") == "Ready"; });
    EXPECT_TRUE(commissioned) << "VM " << sid << " never became Ready";
    return commissioned ? sid : std::string();
  }
  std::string composeUntilReady(const JsonObject& m) { return composeUntilReady(m, call_); }

  // Reconciles until ready (the controller's loop, quickly); fails the test otherwise.
  plugin::CallOutcome deploy(const JsonObject& m, const LoadedPlugin::Call& call) {
    auto out = plugin_->reconcileUntil(m, call, ready, 60);
    EXPECT_TRUE(ready(out)) << toText(m) << (out.error ? "\n" + out.error->message : "");
    return out;
  }
  plugin::CallOutcome deploy(const JsonObject& m) { return deploy(m, call_); }

  // Removes until done (as the controller does before dropping its finalizer).
  plugin::CallOutcome removeAll(const JsonObject& m) {
    plugin::CallOutcome out;
    for (int i = 0; i < 40; ++i) {
      out = plugin_->remove(m, call_);
      if (out.ok() && out.done) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "remove never finished: " << toText(m);
    return out;
  }

  // /_sim/state's entry for a VM host.
  JsonObject vmHost(const std::string& name) {
    JsonArray hosts = sim_->state()->getArray("vm_hosts");
    for (size_t i = 0; i < hosts->size(); ++i) {
      JsonObject h = hosts->getObject(static_cast<unsigned>(i));
      if (h->getValue<std::string>("name") == name) return h;
    }
    return nullptr;
  }
  int usedCores(const std::string& host) {
    return vmHost(host)->getObject("used")->getValue<int>("cores");
  }
  int usedMemory(const std::string& host) {
    return vmHost(host)->getObject("used")->getValue<int>("memory");
  }
  int vmCount(const std::string& host) { return vmHost(host)->getValue<int>("vm_count"); }
  // Compose requests MAAS answered with `status` ("200", "503", ... or "total").
  int composes(const std::string& status = "total") {
    JsonObject endpoints = sim_->counters()->getObject("endpoints");
    if (!endpoints || !endpoints->has(kComposeLabel)) return 0;
    JsonObject e = endpoints->getObject(kComposeLabel);
    return e->has(status) ? e->getValue<int>(status) : 0;
  }
  // The VM's next deployment ends in "Failed deployment" (simulator control endpoint).
  int failNextDeploy(const std::string& systemId) {
    return maassim::testing::Call(sim_->port(), "POST",
                                  "/_sim/machines/" + systemId + "/fail-next-deploy", {}, "")
        .status;
  }
  // POST /_sim/faults with a JSON body (docs/maas-sim.md); the HTTP status.
  int setFaults(const std::string& json) { return sim_->setFaults(json); }
  // MAAS's id of a VM host, by name.
  std::string hostId(const std::string& name) {
    auto hosts = sim_->api("GET", "vm-hosts/").array();
    for (size_t i = 0; i < hosts->size(); ++i) {
      auto h = hosts->getObject(static_cast<unsigned>(i));
      if (h->getValue<std::string>("name") == name) return std::to_string(h->getValue<int>("id"));
    }
    return {};
  }

  std::unique_ptr<SimMaas> sim_;
  std::unique_ptr<LoadedPlugin> plugin_;
  LoadedPlugin::Call call_;
};

}  // namespace maasprov::plugins::test
