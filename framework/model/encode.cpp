#include "framework/model/encode.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "framework/model/yaml_json.hpp"

namespace maasprov::model {
namespace {

using JsonPtr = Poco::JSON::Object::Ptr;

JsonPtr newObject() {
  return Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
}

// Small writer that leaves out what is unset, so absent fields stay absent.
class Writer {
 public:
  explicit Writer(JsonPtr object) : object_(std::move(object)) {}

  Writer& str(const std::string& key, const std::string& value) {
    if (!value.empty()) object_->set(key, value);
    return *this;
  }
  Writer& str(const std::string& key, const std::optional<std::string>& value) {
    if (value) object_->set(key, *value);
    return *this;
  }
  Writer& integer(const std::string& key, const std::optional<std::int64_t>& value) {
    if (value) object_->set(key, *value);
    return *this;
  }
  Writer& nonZero(const std::string& key, std::int64_t value) {
    if (value != 0) object_->set(key, value);
    return *this;
  }
  Writer& flag(const std::string& key, bool value) {
    if (value) object_->set(key, true);
    return *this;
  }
  Writer& time(const std::string& key, const std::optional<Time>& value) {
    if (value) object_->set(key, formatTime(*value));
    return *this;
  }
  Writer& strings(const std::string& key, const std::vector<std::string>& values) {
    if (values.empty()) return *this;
    auto list = Poco::makeShared<Poco::JSON::Array>();
    for (const auto& value : values) list->add(value);
    object_->set(key, list);
    return *this;
  }
  Writer& map(const std::string& key, const std::map<std::string, std::string>& values) {
    if (values.empty()) return *this;
    auto object = newObject();
    for (const auto& [name, value] : values) object->set(name, value);
    object_->set(key, object);
    return *this;
  }
  Writer& child(const std::string& key, const JsonPtr& value) {
    object_->set(key, value);
    return *this;
  }

 private:
  JsonPtr object_;
};

JsonPtr encodeMeta(const ObjectMeta& meta) {
  auto json = newObject();
  Writer(json)
      .str("name", meta.name)
      .str("namespace", meta.namespace_)
      .str("uid", meta.uid)
      .map("labels", meta.labels)
      .map("annotations", meta.annotations)
      .nonZero("generation", meta.generation)
      .str("resourceVersion", meta.resourceVersion)
      .time("creationTimestamp", meta.creationTimestamp)
      .time("deletionTimestamp", meta.deletionTimestamp)
      .strings("finalizers", meta.finalizers);
  return json;
}

JsonPtr encodeLxdConfig(const LxdConfig& config) {
  auto json = newObject();
  Writer writer(json);
  writer.str("profile", config.profile);
  if (config.storage) {
    auto storage = newObject();
    Writer(storage).str("size", config.storage->size).str("pool", config.storage->pool);
    writer.child("storage", storage);
  }
  if (config.network) {
    auto network = newObject();
    Writer(network)
        .str("bridge", config.network->bridge)
        .strings("devices", config.network->devices);
    writer.child("network", network);
  }
  writer.str("vmHost", config.vmHost).str("project", config.project);
  return json;
}

std::optional<std::string> modeText(const std::optional<ProvisioningMode>& mode) {
  if (!mode) return std::nullopt;
  return std::string(toString(*mode));
}

Poco::JSON::Array::Ptr conditionList(const std::vector<Condition>& conditions) {
  auto list = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& c : conditions) {
    auto json = newObject();
    json->set("type", c.type);
    json->set("status", c.status);
    Writer(json)
        .str("severity", c.severity)
        .str("reason", c.reason)
        .str("message", c.message)
        .time("lastTransitionTime", c.lastTransitionTime);
    list->add(json);
  }
  return list;
}

JsonPtr encodeMachineSpec(const MaasMachineSpec& spec) {
  auto json = newObject();
  Writer writer(json);
  writer.str("failureDomain", spec.failureDomain)
      .str("systemID", spec.systemID)
      .str("providerID", spec.providerID)
      .str("resourcePool", spec.resourcePool)
      .integer("minCPU", spec.minCPU)
      .integer("minMemory", spec.minMemory)
      .strings("tags", spec.tags)
      .str("image", spec.image)
      .str("provisioningMode", modeText(spec.provisioningMode));
  if (spec.lxdConfig) writer.child("lxdConfig", encodeLxdConfig(*spec.lxdConfig));
  writer.str("bootstrapDataSecretName", spec.bootstrapDataSecretName)
      .str("userData", spec.userData);
  return json;
}

JsonPtr encodeMachineStatus(const MaasMachineStatus& status) {
  auto json = newObject();
  json->set("ready", status.ready);
  Writer writer(json);
  writer.str("machineState", status.machineState)
      .flag("machinePowered", status.machinePowered)
      .str("hostname", status.hostname)
      .flag("dnsAttached", status.dnsAttached);
  if (!status.addresses.empty()) {
    auto list = Poco::makeShared<Poco::JSON::Array>();
    for (const auto& address : status.addresses) {
      auto item = newObject();
      item->set("type", address.type);
      item->set("address", address.address);
      list->add(item);
    }
    json->set("addresses", list);
  }
  if (!status.conditions.empty()) json->set("conditions", conditionList(status.conditions));
  writer.str("failureReason", status.failureReason)
      .str("failureMessage", status.failureMessage)
      .str("provisioningMode", modeText(status.provisioningMode))
      .str("lxdHost", status.lxdHost)
      .str("lxdProject", status.lxdProject);
  if (status.vmResourceUsage) {
    auto usage = newObject();
    usage->set("allocatedCores", status.vmResourceUsage->allocatedCores);
    usage->set("allocatedMemory", status.vmResourceUsage->allocatedMemory);
    usage->set("allocatedDisk", status.vmResourceUsage->allocatedDisk);
    json->set("vmResourceUsage", usage);
  }
  writer.nonZero("observedGeneration", status.observedGeneration)
      .str("systemID", status.systemID)
      .str("providerID", status.providerID)
      .str("failureDomain", status.failureDomain)
      .strings("discardedSystemIDs", status.discardedSystemIDs);
  return json;
}

JsonPtr encodeClusterSpec(const MaasClusterSpec& spec) {
  auto json = newObject();
  Writer writer(json);
  writer.str("dnsDomain", spec.dnsDomain);
  if (spec.controlPlaneEndpoint) {
    auto endpoint = newObject();
    Writer(endpoint)
        .str("host", spec.controlPlaneEndpoint->host)
        .integer("port", spec.controlPlaneEndpoint->port);
    writer.child("controlPlaneEndpoint", endpoint);
  }
  writer.strings("failureDomains", spec.failureDomains)
      .strings("preferredSubnets", spec.preferredSubnets);
  return json;
}

JsonPtr encodeClusterStatus(const MaasClusterStatus& status) {
  auto json = newObject();
  json->set("ready", status.ready);
  if (status.network) {
    auto network = newObject();
    Writer(network).str("dnsName", status.network->dnsName);
    json->set("network", network);
  }
  if (!status.failureDomains.empty()) {
    auto domains = newObject();
    for (const auto& [name, domain] : status.failureDomains) {
      auto item = newObject();
      Writer(item).flag("controlPlane", domain.controlPlane).map("attributes", domain.attributes);
      domains->set(name, item);
    }
    json->set("failureDomains", domains);
  }
  if (!status.conditions.empty()) json->set("conditions", conditionList(status.conditions));
  Writer(json).nonZero("observedGeneration", status.observedGeneration);
  return json;
}

JsonPtr header(const Object& object) {
  auto json = newObject();
  json->set("apiVersion", std::string(apiVersionOf(object)));
  json->set("kind", std::string(kindOf(object)));
  json->set("metadata", encodeMeta(metadataOf(object)));
  return json;
}

}  // namespace

Poco::JSON::Object::Ptr toJson(const Object& object) {
  auto json = header(object);
  if (const auto* machine = std::get_if<MaasMachine>(&object)) {
    json->set("spec", encodeMachineSpec(machine->spec));
    if (machine->status != MaasMachineStatus{}) {
      json->set("status", encodeMachineStatus(machine->status));
    }
  } else if (const auto* cluster = std::get_if<MaasCluster>(&object)) {
    json->set("spec", encodeClusterSpec(cluster->spec));
    if (cluster->status != MaasClusterStatus{}) {
      json->set("status", encodeClusterStatus(cluster->status));
    }
  } else {
    const auto& secret = std::get<Secret>(object);
    Writer(json)
        .str("type", secret.type)
        .map("data", secret.data)
        .map("stringData", secret.stringData);
  }
  return json;
}

std::string toJsonText(const Object& object, unsigned indent) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(toJson(object), out, indent);
  return out.str();
}

std::string toYamlText(const Object& object) {
  return emitYaml(toJson(object));
}

std::string toYamlText(const std::vector<Object>& objects) {
  std::string text;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) text += "---\n";
    text += toYamlText(objects[i]);
  }
  return text;
}

}  // namespace maasprov::model
