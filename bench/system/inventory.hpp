// Generated maas-sim inventories for the system benchmarks: zones, LXD VM hosts and bare-metal
// machines spread evenly across the zones, one subnet large enough for every address.
//
// Thread-safety: pure function.
#pragma once

#include <string>

namespace maasprov::bench {

struct InventoryShape {
  int zones = 3;
  int lxdHosts = 60;    // 32 cores (x4 over-commit), 128 GiB (x1.5), 2 TB pool, bridge br0
  int bareMetal = 500;  // 8 cores, 16 GiB, 480 GB
};

// YAML for maas-sim --inventory. Zones are zone-a, zone-b, ... ; hosts lxd-<zone>-<n>;
// machines metal-<n>.
std::string generateInventory(const InventoryShape& shape);

// The zone names generateInventory() uses, for the clusters' failureDomains.
std::string zoneName(int index);

}  // namespace maasprov::bench
