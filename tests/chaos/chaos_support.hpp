// Helpers for the chaos tests that drive maas-sim and the real maasprovd: sizes from the
// environment, the simulator's inventory, MaasMachine documents, what MAAS holds, and checks on
// what the API answers.
//
// Ownership: plain functions and values. Thread-safety: no shared state.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

namespace maasprov::chaos {

inline constexpr const char* kToken = "chaos-token-0123456789abcdef";
inline constexpr const char* kUserData = "I2Nsb3VkLWNvbmZpZwo=";  // "#cloud-config"
inline constexpr const char* kInfra =
    "/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/default/";

inline int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// `metal` bare-metal machines and LXD VM hosts with room for `vms` VMs, across three zones.
inline std::string simInventory(int metal, int vms) {
  std::ostringstream y;
  y << "user: admin\nzones: [{name: zone-a}, {name: zone-b}, {name: zone-c}]\n"
       "resource_pools: [{name: default}]\ndomains: [{name: maas, default: true}]\n"
       "subnets: [{name: pxe, cidr: 10.0.0.0/16, gateway_ip: 10.0.0.1}]\nmachines:\n";
  const char* zones[] = {"zone-a", "zone-b", "zone-c"};
  for (int i = 0; i < metal; ++i) {
    y << "  - {hostname: metal-" << i << ", cores: 4, memory: 8192, zone: " << zones[i % 3]
      << "}\n";
  }
  const int hosts = 1 + (vms + 29) / 30;
  y << "vm_hosts:\n";
  for (int i = 0; i < hosts; ++i) {
    y << "  - name: lxd-" << i << "\n    zone: " << zones[i % 3]
      << "\n    tags: [lxd]\n    cores: 128\n    memory: 262144\n"
         "    storage_pools: [{name: default, size_gb: 4000, default: true}]\n"
         "    bridges: [{name: br0, subnet: pxe}]\n";
  }
  return y.str();
}

// A MaasMachine of cluster c1; `labels` are extra JSON members of metadata.labels.
inline std::string machineDocument(const std::string& name, bool lxd, bool controlPlane,
                                   const std::string& userData, const std::string& labels = "") {
  std::string all = R"("cluster.x-k8s.io/cluster-name":"c1")";
  if (controlPlane) all += R"(,"cluster.x-k8s.io/control-plane":"")";
  if (!labels.empty()) all += "," + labels;
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
         R"("metadata":{"name":")" +
         name + R"(","labels":{)" + all +
         R"(}},"spec":{"minCPU":2,"minMemory":2048,"image":"ubuntu/jammy","provisioningMode":")" +
         (lxd ? "lxd" : "bare-metal") + R"(","userData":")" + userData + "\"" +
         (lxd ? R"(,"lxdConfig":{"storage":{"size":"20G"},"network":{"bridge":"br0"}})" : "") +
         "}}";
}

// What MAAS holds (maas-sim's /_sim/state): system_id -> hostname of every owned bare-metal
// machine and composed VM.
inline std::map<std::string, std::string> heldInMaas(const Poco::JSON::Object::Ptr& state) {
  std::map<std::string, std::string> out;
  auto machines = state->getArray("machines");
  for (std::size_t i = 0; i < machines->size(); ++i) {
    auto m = machines->getObject(static_cast<unsigned>(i));
    if (!m->isNull("owner") || !m->isNull("pod")) {
      out[m->getValue<std::string>("system_id")] = m->getValue<std::string>("hostname");
    }
  }
  return out;
}

// The simulator's state entry of machine `id` as text (agent_name, owner, status...), for
// failure messages.
inline std::string describeMachine(const Poco::JSON::Object::Ptr& state, const std::string& id) {
  auto machines = state->getArray("machines");
  for (std::size_t i = 0; i < machines->size(); ++i) {
    auto m = machines->getObject(static_cast<unsigned>(i));
    if (m->getValue<std::string>("system_id") != id) continue;
    std::ostringstream out;
    m->stringify(out);
    return out.str();
  }
  return "(not in the simulator's state)";
}

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool isValidUtf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const unsigned char b = s[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += len;
  }
  return true;
}

// The condition of `type` in an object's status.conditions, or null.
inline Poco::JSON::Object::Ptr conditionOf(const Poco::JSON::Object::Ptr& object,
                                           const std::string& type) {
  auto status = object->getObject("status");
  if (!status || !status->has("conditions")) return nullptr;
  auto conditions = status->getArray("conditions");
  for (std::size_t i = 0; conditions && i < conditions->size(); ++i) {
    auto c = conditions->getObject(static_cast<unsigned>(i));
    if (c && c->optValue<std::string>("type", "") == type) return c;
  }
  return nullptr;
}

}  // namespace maasprov::chaos
