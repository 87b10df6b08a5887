#include "framework/model/defaults.hpp"

namespace maasprov::model {
namespace {

void defaultMeta(ObjectMeta& meta) {
  if (meta.namespace_.empty()) meta.namespace_ = kDefaultNamespace;
}

}  // namespace

void applyDefaults(MaasMachine& machine) {
  defaultMeta(machine.metadata);
  auto& spec = machine.spec;
  if (!spec.provisioningMode) spec.provisioningMode = ProvisioningMode::BareMetal;
  if (*spec.provisioningMode == ProvisioningMode::Lxd) {
    if (!spec.lxdConfig) spec.lxdConfig.emplace();
    if (!spec.lxdConfig->storage) spec.lxdConfig->storage.emplace();
    if (!spec.lxdConfig->storage->size) spec.lxdConfig->storage->size = kDefaultLxdStorageSize;
  }
}

void applyDefaults(MaasCluster& cluster) {
  defaultMeta(cluster.metadata);
  auto& endpoint = cluster.spec.controlPlaneEndpoint;
  if (endpoint && endpoint->host && !endpoint->port) endpoint->port = kDefaultApiServerPort;
}

void applyDefaults(Secret& secret) {
  defaultMeta(secret.metadata);
  for (const auto& [key, value] : secret.stringData) secret.data[key] = encodeBase64(value);
  secret.stringData.clear();
}

void applyDefaults(Object& object) {
  std::visit([](auto& typed) { applyDefaults(typed); }, object);
}

}  // namespace maasprov::model
