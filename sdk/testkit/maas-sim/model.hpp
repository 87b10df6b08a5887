// Plain data of the simulated MAAS region: zones, pools, domains, subnets, machines, VM hosts,
// DNS resources and tags, plus MAAS's NODE_STATUS numbering.
//
// Ownership: values only; the State (state.hpp) owns every object and guards them with its mutex.
// Thread-safety: none on its own; only touch these through State.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace maassim {

using Clock = std::chrono::steady_clock;

// MAAS's NODE_STATUS values (src/maasserver/enum.py).
enum NodeStatus : int {
  kNew = 0,
  kCommissioning = 1,
  kFailedCommissioning = 2,
  kMissing = 3,
  kReady = 4,
  kReserved = 5,
  kDeployed = 6,
  kRetired = 7,
  kBroken = 8,
  kDeploying = 9,
  kAllocated = 10,
  kFailedDeployment = 11,
  kReleasing = 12,
  kFailedReleasing = 13,
  kDiskErasing = 14,
  kFailedDiskErasing = 15,
  kRescueMode = 16,
  kEnteringRescueMode = 17,
  kFailedEnteringRescueMode = 18,
  kExitingRescueMode = 19,
  kFailedExitingRescueMode = 20,
  kTesting = 21,
  kFailedTesting = 22,
};

// Display name as MAAS's NODE_STATUS_CHOICES ("Failed deployment"); empty if unknown.
std::string StatusName(int status);
// Short label accepted by the `status=` list filter ("failed_deployment"); -1 if unknown.
int StatusFromShortLabel(const std::string& label);
std::string StatusShortLabel(int status);

struct Zone {
  int id = 0;
  std::string name;
  std::string description;
};

struct Pool {
  int id = 0;
  std::string name;
  std::string description;
};

struct Domain {
  int id = 0;
  std::string name;
  bool authoritative = true;
  std::optional<int> ttl;
  bool is_default = false;
};

struct IpRange {
  std::string type;  // "reserved" or "dynamic": MAAS never auto-assigns from either.
  uint32_t start = 0;
  uint32_t end = 0;
};

struct Subnet {
  int id = 0;
  std::string name;
  std::string cidr;
  uint32_t network = 0;
  int prefix = 24;
  std::string gateway_ip;  // empty means null
  std::vector<std::string> dns_servers;
  std::vector<IpRange> ranges;
  int vlan_id = 5001;
  int vid = 0;
  int fabric_id = 0;
  std::string space = "undefined";
  bool managed = true;
};

struct Interface {
  int id = 0;
  std::string name;
  std::string type = "physical";  // physical, bridge, bond, vlan
  std::string mac;
  int subnet_id = -1;  // the subnet its VLAN carries; -1 when disconnected
  std::vector<std::string> parents;
  std::vector<std::string> children;
  std::string ip;                // assigned address, empty when none
  std::string ip_mode = "auto";  // auto, static, dhcp, link_up
  std::vector<std::string> tags;
};

struct BlockDevice {
  int id = 0;
  std::string name;
  uint64_t size = 0;  // bytes
  std::vector<std::string> tags;
  std::string storage_pool;  // VM host storage pool id for composed disks, else empty
};

struct Machine {
  int id = 0;
  std::string system_id;
  std::string hostname;
  int domain_id = 0;
  int status = kReady;
  std::string owner;  // empty means null
  std::string agent_name;
  std::string power_state = "off";
  std::string power_type = "ipmi";
  int zone_id = 0;
  int pool_id = 0;
  int cpu_count = 1;
  int64_t memory = 1024;  // MiB
  std::string architecture = "amd64/generic";
  std::vector<BlockDevice> disks;
  std::vector<Interface> interfaces;
  std::vector<std::string> tags;
  std::string osystem;
  std::string distro_series;
  std::string hwe_kernel;  // empty means null
  std::string description;
  std::string status_message;
  std::string user_data;  // decoded
  std::map<std::string, std::string> workload_annotations;
  std::optional<int> pod_id;         // composed VMs: the VM host it lives on
  std::optional<int> hosts_vm_host;  // backing machine of this VM host
  bool fail_next_deploy = false;
  bool locked = false;
  bool dynamic = false;  // composed by allocate: decomposed again when released
  // A pending time-driven transition (Deploying/Releasing/Commissioning -> next).
  std::optional<Clock::time_point> due;
  int next_status = kReady;
};

struct StoragePool {
  std::string id;
  std::string name;
  std::string type = "dir";
  std::string path;
  uint64_t total = 0;  // bytes
  bool is_default = false;
};

struct VmHost {
  int id = 0;
  std::string name;
  std::string type = "lxd";
  int zone_id = 0;
  int pool_id = 0;
  std::vector<std::string> tags;
  std::string project = "default";
  std::string power_address;
  int cores = 0;
  int64_t memory = 0;  // MiB
  double cpu_over_commit_ratio = 1.0;
  double memory_over_commit_ratio = 1.0;
  std::vector<StoragePool> storage_pools;
  int host_machine_id = -1;  // backing (Deployed) machine
  // Control surface: the next VM composed here fails commissioning (MAAS: a script failed).
  bool fail_next_commissioning = false;
  std::string version = "5.21.1";
};

struct DnsResource {
  int id = 0;
  std::string name;  // label inside the domain ("@" for the apex)
  int domain_id = 0;
  std::optional<int> address_ttl;
  std::vector<std::string> ip_addresses;
};

struct Tag {
  std::string name;
  std::string comment;
  std::string definition;
  std::string kernel_opts;
};

}  // namespace maassim
