// MaasMachine: one machine (bare metal, or an LXD VM composed through MAAS) that the
// controller provisions. Field names and meanings follow the seed design
// (docs/resource-model.md lists each with its default and validation rule).
//
// Ownership: plain value types. Thread-safety: none of their own; share const instances only.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "framework/model/condition.hpp"
#include "framework/model/object_meta.hpp"

namespace maasprov::model {

inline constexpr std::string_view kInfrastructureApiVersion =
    "infrastructure.cluster.x-k8s.io/v1beta1";
inline constexpr std::string_view kMaasMachineKind = "MaasMachine";

// The machine type a MaasMachine asks for: the name of a provisioningMode some provisioner
// plugin serves. "bare-metal" and "lxd" ship with maasprov; a third party's plugin adds its own
// (its descriptor lists them), so any DNS-1123 label is a valid mode. Whether a plugin serves
// it is the controller's question (a NoProvisioner condition), not the model's.
class ProvisioningMode {
 public:
  static const ProvisioningMode BareMetal;
  static const ProvisioningMode Lxd;

  const std::string& name() const { return name_; }
  friend bool operator==(const ProvisioningMode& a, const ProvisioningMode& b) {
    return a.name_ == b.name_;
  }
  friend bool operator!=(const ProvisioningMode& a, const ProvisioningMode& b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& out, const ProvisioningMode& mode) {
    return out << mode.name_;
  }

 private:
  friend std::optional<ProvisioningMode> parseProvisioningMode(std::string_view text);
  explicit ProvisioningMode(std::string name) : name_(std::move(name)) {}
  std::string name_;
};
inline const ProvisioningMode ProvisioningMode::BareMetal{"bare-metal"};
inline const ProvisioningMode ProvisioningMode::Lxd{"lxd"};

// The spelling used in manifests: "bare-metal", "lxd", "example-tagged".
std::string_view toString(const ProvisioningMode& mode);
// nullopt unless `text` is a DNS-1123 label.
std::optional<ProvisioningMode> parseProvisioningMode(std::string_view text);

// The storage size used when an LXD machine does not give one (see quantity.hpp for units).
inline constexpr std::string_view kDefaultLxdStorageSize = "20G";

struct LxdStorageConfig {
  std::optional<std::string> size;  // a quantity: "20G", "20Gi", "50" (= 50 GB)
  std::optional<std::string> pool;  // LXD storage pool; host default when unset
  bool operator==(const LxdStorageConfig&) const = default;
};

struct LxdNetworkConfig {
  std::optional<std::string> bridge;
  std::vector<std::string> devices;
  bool operator==(const LxdNetworkConfig&) const = default;
};

struct LxdConfig {
  std::optional<std::string> profile;
  std::optional<LxdStorageConfig> storage;
  std::optional<LxdNetworkConfig> network;
  std::optional<std::string> vmHost;  // pin to one VM host (name or id); chosen when unset
  std::optional<std::string> project;
  bool operator==(const LxdConfig&) const = default;
};

struct MaasMachineSpec {
  std::optional<std::string> failureDomain;  // MAAS zone
  std::optional<std::string> systemID;
  std::optional<std::string> providerID;
  std::optional<std::string> resourcePool;
  std::optional<std::int64_t> minCPU;     // required, cores
  std::optional<std::int64_t> minMemory;  // required, MB
  std::vector<std::string> tags;
  std::optional<std::string> image;                  // required, e.g. "ubuntu/jammy"
  std::optional<ProvisioningMode> provisioningMode;  // defaulted to BareMetal
  std::optional<LxdConfig> lxdConfig;                // only with ProvisioningMode::Lxd
  // Cloud-init user data: either the name of a Secret in the same namespace whose
  // data.value holds it, or inline base64. At most one; with neither, the controller waits.
  std::optional<std::string> bootstrapDataSecretName;
  std::optional<std::string> userData;
  bool operator==(const MaasMachineSpec&) const = default;
};

// A Cluster API MachineAddress. type: Hostname, ExternalIP, InternalIP, ExternalDNS or
// InternalDNS.
struct MachineAddress {
  std::string type;
  std::string address;
  bool operator==(const MachineAddress&) const = default;
};

struct VmResourceUsage {
  std::int64_t allocatedCores = 0;
  std::int64_t allocatedMemory = 0;  // MB
  std::int64_t allocatedDisk = 0;    // GB
  bool operator==(const VmResourceUsage&) const = default;
};

struct MaasMachineStatus {
  bool ready = false;
  std::optional<std::string> machineState;  // MAAS status_name, e.g. "Deployed"
  bool machinePowered = false;
  std::optional<std::string> hostname;
  bool dnsAttached = false;
  std::vector<MachineAddress> addresses;
  std::vector<Condition> conditions;
  std::optional<std::string> failureReason;
  std::optional<std::string> failureMessage;
  std::optional<ProvisioningMode> provisioningMode;
  std::optional<std::string> lxdHost;
  std::optional<std::string> lxdProject;
  std::optional<VmResourceUsage> vmResourceUsage;
  std::int64_t observedGeneration = 0;  // 0 = never reconciled
  // Reported by the plugins once MAAS has picked the machine.
  std::optional<std::string> systemID;
  std::optional<std::string> providerID;
  std::optional<std::string> failureDomain;
  // The MAAS system_ids this object gave back after failed deployments, oldest first (at most
  // 16): a lookup that finds one of them while nothing is recorded finishes giving it back
  // instead of adopting it (its release or delete may still be on the way).
  std::vector<std::string> discardedSystemIDs;
  bool operator==(const MaasMachineStatus&) const = default;
};

struct MaasMachine {
  ObjectMeta metadata;
  MaasMachineSpec spec;
  MaasMachineStatus status;
  bool operator==(const MaasMachine&) const = default;
};

// The effective provisioning mode: spec.provisioningMode, or BareMetal when unset.
ProvisioningMode provisioningModeOf(const MaasMachineSpec& spec);

}  // namespace maasprov::model
