// The inventory most maas-sim tests run against, chosen so MAAS's rules are observable:
// cost ties and memory-weighted costs, a /28 subnet with reserved and dynamic ranges, one LXD
// VM host with over-commit and two storage pools.
//
// Ownership: a string constant. Thread-safety: immutable.
#pragma once

namespace maassim::testing {

// pxe 10.0.0.0/28: .1 gateway, .2-.4 reserved, .12-.14 dynamic, so AUTO addresses are .5-.11.
// The deployed machines (deployed-1 and the VM host's backing machine) hold .5 and .6 at start.
inline constexpr const char* kTestInventory = R"(
user: admin
zones:
  - {name: zone-a, description: first}
  - {name: zone-b}
resource_pools:
  - {name: default, description: Default pool}
  - {name: gold}
domains:
  - {name: maas, default: true}
  - {name: example}
subnets:
  - name: pxe
    cidr: 10.0.0.0/28
    gateway_ip: 10.0.0.1
    space: management
    ip_ranges:
      - {type: reserved, start: 10.0.0.2, end: 10.0.0.4}
      - {type: dynamic, start: 10.0.0.12, end: 10.0.0.14}
  - {name: storage, cidr: 10.9.0.0/24, vid: 9, space: storage}
tags:
  - {name: spare}
machines:
  - {hostname: deployed-1, cores: 2, memory: 2048, zone: zone-a, status: Deployed, tags: [ssd]}
  - {hostname: small-a, cores: 2, memory: 4096, zone: zone-a, tags: [ssd]}
  - {hostname: mid-a, cores: 4, memory: 8192, zone: zone-a, tags: [ssd, gpu]}
  - {hostname: twin-1, cores: 4, memory: 4096, zone: zone-b, tags: [twin]}
  - {hostname: twin-2, cores: 4, memory: 4096, zone: zone-b, tags: [twin]}
  - {hostname: mem-heavy, cores: 1, memory: 32768, zone: zone-b, pool: gold, tags: [heavy]}
  - {hostname: core-heavy, cores: 24, memory: 2048, zone: zone-b, pool: gold, tags: [heavy]}
  - {hostname: broken-1, cores: 8, memory: 8192, zone: zone-b, status: Broken}
vm_hosts:
  - name: lxd-1
    zone: zone-b
    tags: [lxd]
    project: maasprov
    cores: 8
    memory: 16384
    cpu_over_commit_ratio: 2
    memory_over_commit_ratio: 1.5
    storage_pools:
      - {name: default, size_gb: 100, default: true}
      - {name: fast, type: lvm, size_gb: 20}
    bridges:
      - {name: br0, subnet: pxe}
      - {name: br1, subnet: storage}
dns_resources:
  - {fqdn: existing.maas, ip_addresses: [10.0.0.9]}
)";

}  // namespace maassim::testing
