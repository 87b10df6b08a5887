// Everything the simulated region knows, with the lookups and bookkeeping (IP addresses, VM host
// usage, time-driven transitions) shared by the operations.
//
// Ownership: World owns all objects by value. Thread-safety: none; State holds the only World and
// serialises access with its mutex.
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "inventory.hpp"
#include "model.hpp"

namespace maassim {

struct Timings {
  double deploy_seconds = 2.0;
  double commission_seconds = 1.0;
  double release_seconds = 1.0;
};

struct VmHostUsage {
  int cores = 0;
  int64_t memory = 0;                        // MiB
  uint64_t local_storage = 0;                // bytes
  std::map<std::string, uint64_t> per_pool;  // storage pool id -> bytes
};

class World {
 public:
  World(Inventory inv, Timings timings, uint64_t seed);

  std::string user;
  bool allocate_composes = true;
  bool pod_constraints_pods_only = false;  // see Inventory
  Timings timings;
  std::map<int, Zone> zones;
  std::map<int, Pool> pools;
  std::map<int, Domain> domains;
  std::map<int, Subnet> subnets;
  std::map<std::string, Tag> tags;
  std::map<int, Machine> machines;  // by id, which is also MAAS's list order
  std::map<int, VmHost> vm_hosts;
  std::map<int, DnsResource> dns;

  Machine* FindMachine(const std::string& system_id);  // nullptr if unknown
  Machine* FindMachineByHostname(const std::string& hostname);
  const Zone* FindZoneByName(const std::string& name) const;
  const Pool* FindPoolByName(const std::string& name) const;
  const Domain* FindDomainByName(const std::string& name) const;
  const Domain& DefaultDomain() const;
  std::string Fqdn(const Machine& m) const;

  // Applies due Deploying/Releasing/Commissioning transitions up to `now`.
  void Advance(Clock::time_point now);
  void Schedule(Machine& m, int next_status, double seconds);

  // Assigns an AUTO address from the subnet, outside its reserved and dynamic ranges.
  // Throws ApiError 503 when the subnet is exhausted, as MAAS does.
  std::string AllocateIp(int subnet_id);
  // Claims a specific address; false if it is taken or outside the subnet.
  bool ClaimIp(int subnet_id, const std::string& ip);
  void ReleaseIp(const std::string& ip);
  size_t IpsInUse() const { return used_ips_.size(); }

  VmHostUsage Usage(const VmHost& host) const;
  // Every VM host's usage, by VM host id, in one pass over the machines.
  std::map<int, VmHostUsage> UsageByHost() const;

  // Fresh identifiers for objects created at run time.
  std::string NewSystemId();
  std::string NewMac();
  int NextMachineId() { return ++last_machine_id_; }
  int NextInterfaceId() { return ++last_interface_id_; }
  int NextBlockId() { return ++last_block_id_; }
  int NextDnsId() { return ++last_dns_id_; }

 private:
  std::unordered_map<std::string, int> by_system_id_;
  std::set<uint32_t> used_ips_;
  // Due transitions by time, so Advance only visits the due ones. An entry is stale once its
  // machine is gone or rescheduled (its `due` differs): Advance drops it.
  std::multimap<Clock::time_point, int> pending_;
  uint64_t rng_state_;
  int last_machine_id_ = 0;
  int last_interface_id_ = 0;
  int last_block_id_ = 0;
  int last_dns_id_ = 0;

  friend class State;
  void Index(const Machine& m) { by_system_id_[m.system_id] = m.id; }
  void Unindex(const Machine& m) { by_system_id_.erase(m.system_id); }
};

}  // namespace maassim
