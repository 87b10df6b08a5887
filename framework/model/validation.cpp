#include "framework/model/validation.hpp"

#include <set>
#include <string>

#include "framework/model/name_rules.hpp"
#include "framework/model/quantity.hpp"
#include "framework/model/secret.hpp"

namespace maasprov::model {
namespace {

class Errors {
 public:
  void add(std::string path, std::string message) {
    if (!message.empty()) list_.push_back({std::move(path), std::move(message)});
  }
  void nonEmpty(const std::string& path, const std::optional<std::string>& value) {
    if (value && value->empty()) add(path, "must not be empty");
  }
  void required(const std::string& path, const std::optional<std::string>& value) {
    if (!value) {
      add(path, "required");
    } else {
      nonEmpty(path, value);
    }
  }
  void nonNegative(const std::string& path, std::int64_t value) {
    if (value < 0) add(path, "must be non-negative, got " + std::to_string(value));
  }
  void requiredNonNegative(const std::string& path, const std::optional<std::int64_t>& value) {
    if (!value) {
      add(path, "required");
    } else {
      nonNegative(path, *value);
    }
  }
  // Each entry non-empty, and no entry twice.
  void distinctNonEmpty(const std::string& path, const std::vector<std::string>& values) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i].empty()) {
        add(indexPath(path, i), "must not be empty");
      } else if (!seen.insert(values[i]).second) {
        add(indexPath(path, i), "duplicate value \"" + values[i] + "\"");
      }
    }
  }
  std::vector<FieldError> take() { return std::move(list_); }

 private:
  std::vector<FieldError> list_;
};

void validateMeta(const ObjectMeta& meta, Errors& errors) {
  if (meta.name.empty()) {
    errors.add("metadata.name", "required");
  } else {
    errors.add("metadata.name", checkDnsLabel(meta.name));
  }
  if (meta.namespace_.empty()) {
    errors.add("metadata.namespace", "required");
  } else {
    errors.add("metadata.namespace", checkDnsLabel(meta.namespace_));
  }
  for (const auto& [key, value] : meta.labels) {
    const std::string path = keyPath("metadata.labels", key);
    errors.add(path, checkQualifiedName(key));
    errors.add(path, checkLabelValue(value));
  }
  for (const auto& [key, value] : meta.annotations) {
    errors.add(keyPath("metadata.annotations", key), checkQualifiedName(key));
  }
  errors.nonNegative("metadata.generation", meta.generation);
  for (std::size_t i = 0; i < meta.finalizers.size(); ++i) {
    errors.add(indexPath("metadata.finalizers", i), checkQualifiedName(meta.finalizers[i]));
  }
}

void validateConditions(const std::vector<Condition>& conditions, const std::string& path,
                        Errors& errors) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    const auto& c = conditions[i];
    const std::string at = indexPath(path, i);
    if (c.type.empty()) {
      errors.add(at + ".type", "required");
    } else if (!seen.insert(c.type).second) {
      errors.add(at + ".type", "duplicate condition type \"" + c.type + "\"");
    }
    if (c.status != kConditionTrue && c.status != kConditionFalse &&
        c.status != kConditionUnknown) {
      errors.add(at + ".status", "unsupported value \"" + c.status +
                                     "\": expected \"True\", \"False\" or \"Unknown\"");
    }
    if (!c.severity.empty() && c.severity != kSeverityError && c.severity != kSeverityWarning &&
        c.severity != kSeverityInfo) {
      errors.add(at + ".severity", "unsupported value \"" + c.severity +
                                       "\": expected \"Error\", \"Warning\" or \"Info\"");
    }
  }
}

void validateLxdConfig(const LxdConfig& config, Errors& errors) {
  errors.nonEmpty("spec.lxdConfig.profile", config.profile);
  if (config.storage) {
    const std::string path = "spec.lxdConfig.storage.size";
    if (!config.storage->size) {
      errors.add(path, "required");
    } else {
      try {
        quantityBytes(*config.storage->size);
      } catch (const QuantityError& e) {
        errors.add(path, e.what());
      }
    }
    errors.nonEmpty("spec.lxdConfig.storage.pool", config.storage->pool);
  }
  if (config.network) {
    errors.nonEmpty("spec.lxdConfig.network.bridge", config.network->bridge);
    errors.distinctNonEmpty("spec.lxdConfig.network.devices", config.network->devices);
  }
  errors.nonEmpty("spec.lxdConfig.vmHost", config.vmHost);
  errors.nonEmpty("spec.lxdConfig.project", config.project);
}

void validateMachineSpec(const MaasMachineSpec& spec, Errors& errors) {
  errors.nonEmpty("spec.failureDomain", spec.failureDomain);
  errors.nonEmpty("spec.systemID", spec.systemID);
  errors.nonEmpty("spec.providerID", spec.providerID);
  errors.nonEmpty("spec.resourcePool", spec.resourcePool);
  errors.requiredNonNegative("spec.minCPU", spec.minCPU);
  errors.requiredNonNegative("spec.minMemory", spec.minMemory);
  errors.distinctNonEmpty("spec.tags", spec.tags);
  errors.required("spec.image", spec.image);
  if (spec.lxdConfig) {
    if (provisioningModeOf(spec) != ProvisioningMode::Lxd) {
      errors.add("spec.lxdConfig", "only allowed when spec.provisioningMode is \"lxd\"");
    }
    validateLxdConfig(*spec.lxdConfig, errors);
  }
  if (spec.bootstrapDataSecretName) {
    errors.add("spec.bootstrapDataSecretName", checkDnsLabel(*spec.bootstrapDataSecretName));
  }
  if (spec.userData) {
    if (spec.bootstrapDataSecretName) {
      errors.add("spec.userData", "must not be set together with spec.bootstrapDataSecretName");
    }
    if (spec.userData->empty()) {
      errors.add("spec.userData", "must not be empty");
    } else if (!decodeBase64(*spec.userData)) {
      errors.add("spec.userData", "must be base64 (standard alphabet, padded)");
    }
  }
}

void validateMachineStatus(const MaasMachineStatus& status, Errors& errors) {
  static const std::set<std::string> kAddressTypes{"Hostname", "ExternalIP", "InternalIP",
                                                   "ExternalDNS", "InternalDNS"};
  for (std::size_t i = 0; i < status.addresses.size(); ++i) {
    const std::string at = indexPath("status.addresses", i);
    if (kAddressTypes.count(status.addresses[i].type) == 0) {
      errors.add(at + ".type", "unsupported value \"" + status.addresses[i].type +
                                   "\": expected Hostname, ExternalIP, InternalIP, ExternalDNS or "
                                   "InternalDNS");
    }
    if (status.addresses[i].address.empty()) errors.add(at + ".address", "required");
  }
  validateConditions(status.conditions, "status.conditions", errors);
  if (status.vmResourceUsage) {
    errors.nonNegative("status.vmResourceUsage.allocatedCores",
                       status.vmResourceUsage->allocatedCores);
    errors.nonNegative("status.vmResourceUsage.allocatedMemory",
                       status.vmResourceUsage->allocatedMemory);
    errors.nonNegative("status.vmResourceUsage.allocatedDisk",
                       status.vmResourceUsage->allocatedDisk);
  }
  errors.nonNegative("status.observedGeneration", status.observedGeneration);
}

void validateClusterSpec(const MaasCluster& cluster, Errors& errors) {
  const auto& spec = cluster.spec;
  if (!spec.dnsDomain) {
    errors.add("spec.dnsDomain", "required");
  } else {
    errors.add("spec.dnsDomain", checkDnsSubdomain(*spec.dnsDomain));
  }
  if (spec.controlPlaneEndpoint) {
    const auto& endpoint = *spec.controlPlaneEndpoint;
    errors.required("spec.controlPlaneEndpoint.host", endpoint.host);
    if (!endpoint.port) {
      errors.add("spec.controlPlaneEndpoint.port", "required");
    } else if (*endpoint.port < 1 || *endpoint.port > 65535) {
      errors.add("spec.controlPlaneEndpoint.port",
                 "must be between 1 and 65535, got " + std::to_string(*endpoint.port));
    }
  } else if (cluster.metadata.annotations.count(std::string(kCustomDnsProvidedAnnotation)) != 0) {
    errors.add(
        "spec.controlPlaneEndpoint",
        "required when the annotation " + std::string(kCustomDnsProvidedAnnotation) + " is set");
  }
  errors.distinctNonEmpty("spec.failureDomains", spec.failureDomains);
  for (std::size_t i = 0; i < spec.preferredSubnets.size(); ++i) {
    errors.add(indexPath("spec.preferredSubnets", i), checkCidr(spec.preferredSubnets[i]));
  }
}

void validateSecretKeys(const std::map<std::string, std::string>& values, const std::string& path,
                        Errors& errors) {
  for (const auto& [key, value] : values) {
    const bool ok = !key.empty() && key.size() <= 253 &&
                    key.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_.") == std::string::npos;
    if (!ok) {
      errors.add(keyPath(path, key),
                 "invalid key: must be at most 253 letters, digits, '-', '_' or '.'");
    }
  }
}

}  // namespace

std::vector<FieldError> validate(const MaasMachine& machine) {
  Errors errors;
  validateMeta(machine.metadata, errors);
  validateMachineSpec(machine.spec, errors);
  validateMachineStatus(machine.status, errors);
  return errors.take();
}

std::vector<FieldError> validate(const MaasCluster& cluster) {
  Errors errors;
  validateMeta(cluster.metadata, errors);
  validateClusterSpec(cluster, errors);
  for (const auto& [name, domain] : cluster.status.failureDomains) {
    if (name.empty()) errors.add("status.failureDomains", "names must not be empty");
  }
  validateConditions(cluster.status.conditions, "status.conditions", errors);
  errors.nonNegative("status.observedGeneration", cluster.status.observedGeneration);
  return errors.take();
}

std::vector<FieldError> validate(const Secret& secret) {
  Errors errors;
  validateMeta(secret.metadata, errors);
  validateSecretKeys(secret.data, "data", errors);
  for (const auto& [key, value] : secret.data) {
    if (!decodeBase64(value)) {
      errors.add(keyPath("data", key), "must be base64 (standard alphabet, padded)");
    }
  }
  validateSecretKeys(secret.stringData, "stringData", errors);
  return errors.take();
}

std::vector<FieldError> validate(const Object& object) {
  return std::visit([](const auto& typed) { return validate(typed); }, object);
}

}  // namespace maasprov::model
