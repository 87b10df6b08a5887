#include "fleet.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "inventory.hpp"

namespace maasprov::bench {

namespace {

std::string clusterJson(const std::string& name, int zones) {
  std::string domains;
  for (int z = 0; z < zones; ++z) domains += (z ? ",\"" : "\"") + zoneName(z) + "\"";
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",)"
         R"("metadata":{"name":")" +
         name + R"("},"spec":{"dnsDomain":"maas","failureDomains":[)" + domains + "]}}";
}

// A typical machine: 2 cores / 4 GiB VMs with a 20 GB root disk; 4-core bare-metal workers.
std::string machineJson(const FleetMachine& m) {
  std::string labels = R"("cluster.x-k8s.io/cluster-name":")" + m.cluster + "\"";
  if (m.controlPlane) labels += R"(,"cluster.x-k8s.io/control-plane":"")";
  std::string mode = m.lxd ? "lxd" : "bare-metal";
  std::string lxd =
      m.lxd ? R"(,"lxdConfig":{"storage":{"size":"20G"},"network":{"bridge":"br0"}})" : "";
  std::string cpu = m.lxd ? "2" : "4";
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
         R"("metadata":{"name":")" +
         m.name + R"(","labels":{)" + labels + R"(}},"spec":{"minCPU":)" + cpu +
         R"(,"minMemory":4096,"image":"ubuntu/jammy","provisioningMode":")" + mode +
         R"(","userData":"I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW2N1cmxdCg==")" + lxd + "}}";
}

// Runs fn(i) for i in [0, n) on `threads` threads; rethrows the first failure.
template <typename Fn>
void parallelFor(size_t n, int threads, Fn fn) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::string failure;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        try {
          fn(i);
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          if (failure.empty()) failure = e.what();
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  if (!failure.empty()) throw std::runtime_error(failure);
}

}  // namespace

int Fleet::lxdCount() const {
  return static_cast<int>(
      std::count_if(machines.begin(), machines.end(), [](const FleetMachine& m) { return m.lxd; }));
}
int Fleet::bareMetalCount() const {
  return static_cast<int>(machines.size()) - lxdCount();
}

std::string collectionPath(const std::string& ns, const std::string& resource) {
  return "/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/" + ns + "/" + resource;
}

bool clustersGone(const Stack& stack, const Fleet& fleet) {
  for (const auto& c : fleet.clusters) {
    if (stack.api("GET", collectionPath(fleet.ns(c), "maasclusters/" + c)).status != 404) {
      return false;
    }
  }
  return true;
}

Fleet makeFleet(int machines, double lxdShare, int clusterSize, bool namespacePerCluster) {
  Fleet fleet;
  fleet.namespacePerCluster = namespacePerCluster;
  int clusters = std::max(1, (machines + clusterSize - 1) / clusterSize);
  for (int c = 0; c < clusters; ++c) {
    std::string cluster = "c" + std::to_string(c);
    fleet.clusters.push_back(cluster);
    // Sizes as even as possible; in each cluster the first share are LXD VMs (the first three
    // of them its control plane), the rest bare metal.
    int size = machines / clusters + (c < machines % clusters ? 1 : 0);
    int lxd = static_cast<int>(std::lround(size * lxdShare));
    for (int k = 0; k < size; ++k) {
      FleetMachine m;
      m.cluster = cluster;
      m.ns = fleet.ns(cluster);
      m.name = cluster + "-m" + std::to_string(k);
      m.lxd = k < lxd;
      m.controlPlane = m.lxd && k < 3;
      fleet.machines.push_back(m);
    }
  }
  return fleet;
}

void applyFleet(const Stack& stack, const Fleet& fleet, int threads) {
  for (const auto& c : fleet.clusters) {
    Reply r = stack.api("POST", collectionPath(fleet.ns(c), "maasclusters"), clusterJson(c, 3));
    if (r.status != 201) throw std::runtime_error("create cluster " + c + ": " + r.body);
  }
  parallelFor(fleet.machines.size(), threads, [&](size_t i) {
    const auto& m = fleet.machines[i];
    Reply r = stack.api("POST", collectionPath(m.ns, "maasmachines"), machineJson(m));
    if (r.status != 201) throw std::runtime_error("create " + m.name + ": " + r.body);
  });
}

void deleteFleet(const Stack& stack, const Fleet& fleet, int threads) {
  parallelFor(fleet.machines.size(), threads, [&](size_t i) {
    const auto& m = fleet.machines[i];
    Reply r = stack.api("DELETE", collectionPath(m.ns, "maasmachines/" + m.name));
    if (r.status >= 300 && r.status != 404) {
      throw std::runtime_error("delete " + m.name + ": " + r.body);
    }
  });
  for (const auto& c : fleet.clusters) {
    Reply r = stack.api("DELETE", collectionPath(fleet.ns(c), "maasclusters/" + c));
    if (r.status >= 300 && r.status != 404) throw std::runtime_error("delete " + c + ": " + r.body);
  }
}

}  // namespace maasprov::bench
