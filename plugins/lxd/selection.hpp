// SelectOptimalHost: which VM host gets a new VM. Pure: no MAAS, no locks, no allocation per host
// beyond the result, O(hosts) (a benchmark runs it over 10,000 hosts).
//
// A host qualifies when it can hold the request:
//   cores:  floor(totalCores  x cpuOverCommit)    - usedCores    - pending.cores    >= cores
//   memory: floor(totalMemory x memoryOverCommit) - usedMemory   - pending.memory   >= memory
//   disk:   available bytes of the host's chosen storage pool    - pending.disk     >= disk
// where `pending` is what this controller composed or is composing there that the MAAS snapshot
// does not show yet. Storage pools are never over-committed (as MAAS).
// Among qualifying hosts the order is (lexicographic, so ties are deterministic):
//   1. spreadZones (DistributeAcrossAZs): fewest of the cluster's machines in the host's zone
//   2. fewest of the cluster's VMs on the host
//   3. most free memory after placing the VM, then most free cores, then most free pool space
//   4. host name, then id
// When none qualifies, `closest` is the host lacking least (sum of the relative shortfalls of
// each resource) and `lacking` what it lacks.
//
// Ownership: values only; the result indexes the caller's vector.
// Thread-safety: a pure function; safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace maasprov::lxd {

struct Resources {
  int64_t cores = 0;
  int64_t memoryMB = 0;
  int64_t diskBytes = 0;
};

struct HostCandidate {
  int id = 0;
  std::string name;
  std::string zone;
  int64_t totalCores = 0;
  int64_t usedCores = 0;
  double cpuOverCommit = 1.0;
  int64_t totalMemoryMB = 0;
  int64_t usedMemoryMB = 0;
  double memoryOverCommit = 1.0;
  std::string pool;                // storage pool the VM's root disk would use on this host
  int64_t poolAvailableBytes = 0;  // that pool's available space as MAAS shows it
};

struct SelectionInput {
  Resources request;
  bool spreadZones = true;                          // false with a fixed failureDomain
  std::unordered_map<std::string, int> zoneCounts;  // the cluster's machines per zone
  // The cluster's VMs per VM host, by HostCandidate::id (ints: the hot loop hashes no names).
  std::unordered_map<int, int> hostCounts;
  std::unordered_map<int, Resources> pending;  // per host id; disk is in the host's `pool`
};

struct SelectionResult {
  int chosen = -1;    // index into hosts, -1 when none qualifies
  int closest = -1;   // when none qualifies: the host that lacks least (-1: no hosts)
  Resources lacking;  // what `closest` lacks
  Resources free;     // free capacity of chosen/closest before placing the VM
};

// Free capacity of `h` (over-commit applied, pending subtracted); may be negative.
Resources freeCapacity(const HostCandidate& h, const Resources& pending);

SelectionResult SelectOptimalHost(const std::vector<HostCandidate>& hosts,
                                  const SelectionInput& input);

// "lxd-b1 (zone-b) lacks 2 cores and 1024 MB (free: 2 cores, 1024 MB, 40 GB in pool default)".
std::string describeShortfall(const HostCandidate& h, const SelectionResult& r);

}  // namespace maasprov::lxd
