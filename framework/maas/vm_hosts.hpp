// MAAS VM hosts (LXD or virsh "pods"): capacity, storage pools, and composing new VMs.
//
// Ownership: payload and request structs are plain values; VmHosts borrows the Transport, which
// must outlive it. Thread-safety: as thread-safe as the Transport (Client is). Operations throw
// the typed errors of errors.hpp, TransportError, or ProtocolError for a bad payload.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "framework/maas/inventory.hpp"
#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct VmHostResources {
  std::int64_t cores = 0;
  std::int64_t memory = 0;        // MiB
  std::int64_t localStorage = 0;  // bytes
};

struct StoragePool {
  std::string id;
  std::string name;
  std::string type;  // "dir", "lvm", "zfs", ...
  std::string path;
  std::int64_t total = 0;  // bytes
  std::int64_t used = 0;
  std::int64_t available = 0;
  bool isDefault = false;
};

struct VmHost {
  std::int64_t id = 0;
  std::string name;
  std::string type;  // "lxd" or "virsh"
  Zone zone;
  ResourcePool pool;
  std::vector<std::string> tags;
  std::string hostSystemId;  // the machine the host runs on; empty when MAAS does not say
  std::string project;       // LXD project; filled from op=parameters (see VmHosts::list)
  VmHostResources total;
  VmHostResources used;
  VmHostResources available;
  double cpuOverCommitRatio = 1.0;
  double memoryOverCommitRatio = 1.0;
  std::vector<StoragePool> storagePools;
  std::vector<std::string> capabilities;
  std::vector<std::string> architectures;
};

VmHost parseVmHost(const Poco::JSON::Object::Ptr& object, const std::string& what = "VM host");

// The non-secret connection parameters of a VM host (op=parameters). MAAS also returns the
// certificate, key or password; those are deliberately not kept.
struct VmHostParameters {
  std::string powerAddress;
  std::string project;
};

// One disk of a composed VM: "label:sizeGB(pool)" on the wire.
struct StorageSpec {
  std::string label;
  std::int64_t sizeGB = 0;
  std::string pool;  // storage pool name; empty for the host's default
};

// One NIC of a composed VM: "label:key=value,key=value" on the wire, e.g. {"eth0",
// {{"subnet_cidr", "10.0.0.0/24"}}} or {"eth0", {{"space", "pxe"}}}.
struct InterfaceSpec {
  std::string label;
  Params attributes;
};

struct ComposeRequest {
  std::optional<std::int64_t> cores;
  std::optional<std::int64_t> memory;  // MiB
  std::optional<std::int64_t> cpuSpeed;
  std::string architecture;
  std::vector<StorageSpec> storage;
  std::vector<InterfaceSpec> interfaces;
  std::string hostname;
  std::optional<std::int64_t> zoneId;
  std::optional<std::int64_t> poolId;
  std::optional<std::int64_t> domainId;
  std::optional<bool> skipCommissioning;
};

struct ComposedMachine {
  std::string systemId;
  std::string resourceUri;
};

// The wire forms of compose's storage and interfaces parameters. Throw std::invalid_argument
// naming the field when a label or value would break the format (':', ',', ';', '(' ...).
std::string formatStorage(const std::vector<StorageSpec>& storage);
std::string formatInterfaces(const std::vector<InterfaceSpec>& interfaces);

class VmHosts {
 public:
  explicit VmHosts(Transport& transport) : transport_(transport) {}

  // GET vm-hosts/. With withProjects, also asks each host's parameters to fill VmHost::project.
  std::vector<VmHost> list(bool withProjects = false);
  VmHost get(std::int64_t id, bool withProject = false);  // GET vm-hosts/{id}/
  VmHostParameters parameters(std::int64_t id);           // GET vm-hosts/{id}/?op=parameters
  // POST vm-hosts/{id}/?op=compose. Conflict or BadRequest when the host lacks the resources.
  ComposedMachine compose(std::int64_t id, const ComposeRequest& request);

 private:
  Transport& transport_;
};

}  // namespace maasprov::maas
