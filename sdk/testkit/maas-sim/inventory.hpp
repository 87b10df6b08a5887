// Loads the simulator's starting state from an inventory file (YAML, or JSON which YAML reads).
//
// Ownership: LoadInventory returns a self-contained Inventory value the caller owns.
// Thread-safety: pure function of its inputs; safe to call from any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

namespace maassim {

// A bad inventory: what() names the file, the path inside it and what was expected.
class InventoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Inventory {
  std::string user = "admin";  // owner recorded on allocate
  bool allocate_composes =
      true;  // MAAS composes a VM when allocate matches no machine (the API key's user)
  // How pod, not_pod, pod_type and not_pod_type filter machines: "bmc" (current MAAS: the
  // machine's BMC name / power type, any BMC) or "pods-only" (MAAS 3.2's
  // filter_by_pod_or_pod_type: any of them keeps only machines inside a VM host).
  bool pod_constraints_pods_only = false;
  std::vector<Zone> zones;
  std::vector<Pool> pools;
  std::vector<Domain> domains;
  std::vector<Subnet> subnets;
  std::vector<Tag> tags;
  std::vector<Machine> machines;  // ids, system_ids and MACs assigned
  std::vector<VmHost> vm_hosts;   // backing machines are in `machines`
  std::vector<DnsResource> dns_resources;
  std::string faults_json;  // the `faults:` section re-encoded as JSON, or empty
};

// Reads and validates `path`. `seed` makes system_ids and MAC addresses reproducible.
// Throws InventoryError on any problem.
Inventory LoadInventory(const std::string& path, uint64_t seed);

// IPv4 helpers shared with the state (host byte order).
bool ParseIpv4(const std::string& text, uint32_t& out);
std::string FormatIpv4(uint32_t ip);

}  // namespace maassim
