// The MAAS inventory the bare-metal plugin tests run against, chosen so that each constraint is
// observable: for tags [ssd, gpu] + zone-a + pool gold exactly one machine (gpu-a) matches, and
// dropping any one constraint would pick a cheaper machine instead. "flaky" fails its next
// deployment; "squeezed" sits on a /30 whose only free address is taken, so MAAS refuses to
// deploy it (503, no IP). The VM host lets tests compose a VM in zone "default", where no bare
// metal lives.
//
// Ownership: a string constant. Thread-safety: immutable.
#pragma once

#include <cstdio>
#include <string>

namespace maasprov::plugins::test {

inline constexpr const char* kBareMetalInventory = R"(
user: admin
zones:
  - {name: zone-a}
  - {name: zone-b}
resource_pools:
  - {name: default}
  - {name: gold}
domains:
  - {name: maas, default: true}
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
  - {name: tiny, cidr: 10.1.0.0/30, gateway_ip: 10.1.0.1}
tags:
  - {name: ssd}
  - {name: gpu}
machines:
  - {hostname: cheap-a, cores: 2, memory: 2048, zone: zone-a, pool: gold, tags: [ssd]}
  - {hostname: cheap-gpu, cores: 3, memory: 2048, zone: zone-a, pool: gold, tags: [gpu]}
  - {hostname: gpu-a-default, cores: 4, memory: 8192, zone: zone-a, tags: [ssd, gpu]}
  - {hostname: gpu-b, cores: 6, memory: 8192, zone: zone-b, pool: gold, tags: [ssd, gpu]}
  - {hostname: gpu-a, cores: 8, memory: 16384, zone: zone-a, pool: gold, tags: [ssd, gpu]}
  - {hostname: plain-1, cores: 4, memory: 8192, zone: zone-b}
  - {hostname: plain-2, cores: 4, memory: 8192, zone: zone-b}
  - {hostname: flaky, cores: 16, memory: 65536, zone: zone-b, fail_next_deploy: true}
  - {hostname: holder, cores: 2, memory: 2048, zone: zone-b, status: Deployed,
     interfaces: [{subnet: tiny}]}
  - {hostname: squeezed, cores: 16, memory: 65536, zone: zone-b, interfaces: [{subnet: tiny}]}
vm_hosts:
  - name: lxd-1
    zone: zone-b
    cores: 16
    memory: 32768
    storage_pools: [{name: default, size_gb: 200}]
)";

// Bare metal beside LXD VM hosts, with MAAS 3.2's reading of pod constraints (any of them keeps
// only VMs): two physical machines in zone-a; two VM hosts with room for big VMs, so allocate
// composes one whenever no physical machine matches.
inline constexpr const char* kVmHostsInventory = R"(
user: admin
pod_constraints: pods-only
zones:
  - {name: zone-a}
domains:
  - {name: maas, default: true}
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
machines:
  - {hostname: metal-1, cores: 8, memory: 16384, zone: zone-a}
  - {hostname: metal-2, cores: 8, memory: 16384, zone: zone-a}
vm_hosts:
  - {name: lxd-a, zone: zone-a, cores: 64, memory: 262144, cpu_over_commit_ratio: 4,
     storage_pools: [{name: default, size_gb: 2000}], bridges: [{name: br0, subnet: pxe}]}
  - {name: lxd-b, zone: zone-a, cores: 64, memory: 262144, cpu_over_commit_ratio: 4,
     storage_pools: [{name: default, size_gb: 2000}], bridges: [{name: br0, subnet: pxe}]}
)";

// A fleet of `count` identical physical machines "fleet-NN" (4 cores, 8 GiB) in the default zone,
// beside a VM host whose VMs (composed by the tests) are cheaper and match the same specs.
inline std::string fleetInventory(int count) {
  std::string yaml = R"(
user: admin
domains:
  - {name: maas, default: true}
subnets:
  - {name: pxe, cidr: 10.0.0.0/22, gateway_ip: 10.0.0.1}
machines:
)";
  char line[96];
  for (int i = 0; i < count; ++i) {
    std::snprintf(line, sizeof line, "  - {hostname: fleet-%02d, cores: 4, memory: 8192}\n", i);
    yaml += line;
  }
  return yaml + R"(vm_hosts:
  - {name: lxd-1, cores: 16, memory: 32768, storage_pools: [{name: default, size_gb: 200}]}
)";
}

// `count` physical machines "step-NN" whose cost rises with NN (NN + 1 cores), so every
// allocation tries them in that order: which ones an allocation tries is known in advance.
inline std::string ladderInventory(int count) {
  std::string yaml = R"(
user: admin
domains:
  - {name: maas, default: true}
subnets:
  - {name: pxe, cidr: 10.0.0.0/22, gateway_ip: 10.0.0.1}
machines:
)";
  char line[96];
  for (int i = 1; i <= count; ++i) {
    std::snprintf(line, sizeof line, "  - {hostname: step-%02d, cores: %d, memory: 2048}\n", i,
                  i + 1);
    yaml += line;
  }
  return yaml;
}

}  // namespace maasprov::plugins::test
