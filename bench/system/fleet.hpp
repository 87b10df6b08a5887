// The workload the system benchmarks apply: N MaasMachines in clusters of up to 50, 60 % LXD
// VMs (each cluster's first three are its control plane, spread across zones) and 40 % bare
// metal, applied and deleted through maasprovd's REST API by a few client threads.
//
// Ownership: values only. Thread-safety: applyFleet/deleteFleet use their own threads and
// connections; call them from one thread.
#pragma once

#include <string>
#include <vector>

#include "stack.hpp"

namespace maasprov::bench {

struct FleetMachine {
  std::string name;
  std::string ns;
  std::string cluster;
  bool lxd = false;
  bool controlPlane = false;
};

struct Fleet {
  std::vector<std::string> clusters;
  bool namespacePerCluster = true;
  // Each cluster in its own namespace (as Cluster API lays them out), or all in "default".
  std::string ns(const std::string& cluster) const {
    return namespacePerCluster ? cluster : "default";
  }
  std::vector<FleetMachine> machines;
  int lxdCount() const;
  int bareMetalCount() const;
};

// `lxdShare` of the machines are LXD VMs (rounded), clusters hold at most `clusterSize`.
Fleet makeFleet(int machines, double lxdShare = 0.6, int clusterSize = 50,
                bool namespacePerCluster = true);

// Creates every cluster, then every machine; throws on the first refusal.
void applyFleet(const Stack& stack, const Fleet& fleet, int threads = 4);
// Deletes every machine, then every cluster (deletion finishes asynchronously).
void deleteFleet(const Stack& stack, const Fleet& fleet, int threads = 4);

// The API path of a collection in a namespace ("maasmachines", "maasclusters/c0").
std::string collectionPath(const std::string& ns, const std::string& resource);
// True when none of the fleet's clusters exists any more.
bool clustersGone(const Stack& stack, const Fleet& fleet);

}  // namespace maasprov::bench
