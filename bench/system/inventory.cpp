#include "inventory.hpp"

#include <sstream>

namespace maasprov::bench {

std::string zoneName(int index) {
  std::string name = "zone-";
  if (index >= 26) name += std::to_string(index / 26);
  name += static_cast<char>('a' + index % 26);
  return name;
}

std::string generateInventory(const InventoryShape& shape) {
  std::ostringstream y;
  y << "user: admin\nzones:\n";
  for (int z = 0; z < shape.zones; ++z) y << "  - {name: " << zoneName(z) << "}\n";
  y << "resource_pools:\n  - {name: default}\n"
    << "domains:\n  - {name: maas, default: true}\n"
    // A /14 holds every machine, host and VM of the largest scenario with room to spare.
    << "subnets:\n  - {name: pxe, cidr: 10.0.0.0/14, gateway_ip: 10.0.0.1}\n"
    << "tags:\n  - {name: lxd}\n";
  y << "machines:\n";
  for (int i = 0; i < shape.bareMetal; ++i) {
    y << "  - {hostname: metal-" << i
      << ", cores: 8, memory: 16384, storage_gb: 480, zone: " << zoneName(i % shape.zones) << "}\n";
  }
  if (shape.bareMetal == 0) y << "  []\n";
  y << "vm_hosts:\n";
  for (int i = 0; i < shape.lxdHosts; ++i) {
    std::string zone = zoneName(i % shape.zones);
    y << "  - name: lxd-" << zone << "-" << i / shape.zones << "\n"
      << "    zone: " << zone << "\n"
      << "    tags: [lxd]\n"
      << "    cores: 32\n    memory: 131072\n"
      << "    cpu_over_commit_ratio: 4\n    memory_over_commit_ratio: 1.5\n"
      << "    storage_pools: [{name: default, size_gb: 2000, default: true}]\n"
      << "    bridges: [{name: br0, subnet: pxe}]\n";
  }
  if (shape.lxdHosts == 0) y << "  []\n";
  return y.str();
}

}  // namespace maasprov::bench
