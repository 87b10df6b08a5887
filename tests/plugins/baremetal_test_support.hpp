// What the bare-metal plugin's tests share: its configurations for tests, the MaasMachine and
// MaasCluster documents they reconcile, and the fixture (a simulator with the bare-metal
// inventory and baremetal.so loaded by the real loader).
//
// Ownership: values; the fixture owns its simulator and plugin. Thread-safety: reentrant.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "baremetal_test_inventory.hpp"
#include "common_plugin_harness.hpp"

namespace maasprov::plugins::test {

inline constexpr const char* kUserData = "I2Nsb3VkLWNvbmZpZwo=";  // "#cloud-config\n"
// listFirst: most tests here are about the list-and-pin path (how MAAS 3.2 must be used); the
// default first try, MAAS's own pick with not_pod_type=lxd, has its own tests (kPickConfig).
inline constexpr const char* kFastConfig =
    R"({"pollSeconds": 1, "retryBaseSeconds": 1, "noMatchRetrySeconds": 1, "listFirst": true})";
inline constexpr const char* kPickConfig =
    R"({"pollSeconds": 1, "retryBaseSeconds": 1, "noMatchRetrySeconds": 1})";

inline JsonObject machineObject(const std::string& name, const std::string& spec) {
  return parseObject(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasMachine",
    "metadata": {"name": ")" +
                     name + R"(", "namespace": "team-a", "uid": "uid-)" + name +
                     R"(", "labels": {"cluster.x-k8s.io/cluster-name": "prod"}},
    "spec": )" + spec +
                     R"(, "status": {}})");
}

inline JsonObject clusterObject() {
  return parseObject(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasCluster", "metadata": {"name": "prod", "namespace": "team-a", "uid": "c-1"},
    "spec": {"dnsDomain": "maas"}, "status": {}})");
}

class BareMetalTest : public ::testing::Test {
 protected:
  BareMetalTest() : sim_(kBareMetalInventory), plugin_("baremetal", sim_.client(), kFastConfig) {
    call_.cluster = clusterObject();
    call_.userData = kUserData;
  }

  static bool ready(const plugin::CallOutcome& o) {
    return o.ok() && o.status && o.status->has("ready") && o.status->getValue<bool>("ready");
  }
  static JsonObject status(const JsonObject& object) { return object->getObject("status"); }

  SimMaas sim_;
  LoadedPlugin plugin_;
  LoadedPlugin::Call call_;
};

// The host's poller: MAAS's view of the machine the object recorded (the request's
// "observed"), null while nothing is recorded.
inline JsonObject pollerRead(SimMaas& sim, const JsonObject& m) {
  const std::string sid = str(m->getObject("status"), "systemID");
  if (sid.empty()) return nullptr;
  auto r = sim.api("GET", "machines/" + sid + "/");
  return r.status == 200 ? r.object() : nullptr;
}

}  // namespace maasprov::plugins::test
