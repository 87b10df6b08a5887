// What the bare-metal plugin's tests share: its configurations for tests and the MaasMachine
// and MaasCluster documents they reconcile.
//
// Ownership: values. Thread-safety: reentrant.
#pragma once

#include <string>

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

}  // namespace maasprov::plugins::test
