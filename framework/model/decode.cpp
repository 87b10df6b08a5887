#include "framework/model/decode.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "framework/model/field_error.hpp"
#include "framework/model/json_fields.hpp"
#include "framework/model/yaml_json.hpp"

namespace maasprov::model {
namespace {

using JsonPtr = Poco::JSON::Object::Ptr;

std::optional<Time> time(const JsonFields& fields, const std::string& key) {
  const auto text = fields.string(key);
  if (!text) return std::nullopt;
  auto parsed = parseTime(*text);
  if (!parsed) {
    throw DecodeError(
        fields.pathOf(key),
        "expected an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got \"" + *text + "\"");
  }
  return parsed;
}

template <typename Item, typename Read>
std::vector<Item> list(const JsonFields& fields, const std::string& key, Read read) {
  std::vector<Item> items;
  const auto array = fields.array(key);
  if (array.isNull()) return items;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = indexPath(fields.pathOf(key), i);
    items.push_back(read(asObject(array->get(static_cast<unsigned>(i)), path), path));
  }
  return items;
}

std::optional<ProvisioningMode> mode(const JsonFields& fields, const std::string& key) {
  const auto text = fields.string(key);
  if (!text) return std::nullopt;
  auto parsed = parseProvisioningMode(*text);
  if (!parsed) {
    throw DecodeError(fields.pathOf(key),
                      "invalid value \"" + *text +
                          "\": expected the name of a machine type a plugin serves, such as "
                          "\"bare-metal\" or \"lxd\" (lower-case letters, digits and '-')");
  }
  return parsed;
}

ObjectMeta decodeMeta(const JsonPtr& json) {
  ObjectMeta meta;
  if (json.isNull()) return meta;
  const JsonFields f(json, "metadata",
                     {"name", "namespace", "uid", "labels", "annotations", "generation",
                      "resourceVersion", "creationTimestamp", "deletionTimestamp", "finalizers"});
  meta.name = f.string("name").value_or("");
  meta.namespace_ = f.string("namespace").value_or("");
  meta.uid = f.string("uid").value_or("");
  meta.labels = f.stringMap("labels").value_or(std::map<std::string, std::string>{});
  meta.annotations = f.stringMap("annotations").value_or(std::map<std::string, std::string>{});
  meta.generation = f.integer("generation").value_or(0);
  meta.resourceVersion = f.string("resourceVersion").value_or("");
  meta.creationTimestamp = time(f, "creationTimestamp");
  meta.deletionTimestamp = time(f, "deletionTimestamp");
  meta.finalizers = f.strings("finalizers").value_or(std::vector<std::string>{});
  return meta;
}

Condition decodeCondition(const JsonPtr& json, const std::string& path) {
  const JsonFields f(json, path,
                     {"type", "status", "severity", "reason", "message", "lastTransitionTime"});
  Condition c;
  c.type = f.string("type").value_or("");
  c.status = f.string("status").value_or("");
  c.severity = f.string("severity").value_or("");
  c.reason = f.string("reason").value_or("");
  c.message = f.string("message").value_or("");
  c.lastTransitionTime = time(f, "lastTransitionTime");
  return c;
}

LxdConfig decodeLxdConfig(const JsonPtr& json, const std::string& path) {
  const JsonFields f(json, path, {"profile", "storage", "network", "vmHost", "project"});
  LxdConfig config;
  config.profile = f.string("profile");
  if (auto storage = f.object("storage"); !storage.isNull()) {
    const JsonFields s(storage, f.pathOf("storage"), {"size", "pool"});
    config.storage = LxdStorageConfig{s.stringOrInteger("size"), s.string("pool")};
  }
  if (auto network = f.object("network"); !network.isNull()) {
    const JsonFields n(network, f.pathOf("network"), {"bridge", "devices"});
    config.network = LxdNetworkConfig{n.string("bridge"),
                                      n.strings("devices").value_or(std::vector<std::string>{})};
  }
  config.vmHost = f.string("vmHost");
  config.project = f.string("project");
  return config;
}

MaasMachineSpec decodeMachineSpec(const JsonPtr& json) {
  MaasMachineSpec spec;
  if (json.isNull()) return spec;
  const JsonFields f(
      json, "spec",
      {"failureDomain", "systemID", "providerID", "resourcePool", "minCPU", "minMemory", "tags",
       "image", "provisioningMode", "lxdConfig", "bootstrapDataSecretName", "userData"});
  spec.failureDomain = f.string("failureDomain");
  spec.systemID = f.string("systemID");
  spec.providerID = f.string("providerID");
  spec.resourcePool = f.string("resourcePool");
  spec.minCPU = f.integer("minCPU");
  spec.minMemory = f.integer("minMemory");
  spec.tags = f.strings("tags").value_or(std::vector<std::string>{});
  spec.image = f.string("image");
  spec.provisioningMode = mode(f, "provisioningMode");
  if (auto lxd = f.object("lxdConfig"); !lxd.isNull()) {
    spec.lxdConfig = decodeLxdConfig(lxd, f.pathOf("lxdConfig"));
  }
  spec.bootstrapDataSecretName = f.string("bootstrapDataSecretName");
  spec.userData = f.string("userData");
  return spec;
}

MaasMachineStatus decodeMachineStatus(const JsonPtr& json) {
  MaasMachineStatus status;
  if (json.isNull()) return status;
  const JsonFields f(
      json, "status",
      {"ready", "machineState", "machinePowered", "hostname", "dnsAttached", "addresses",
       "conditions", "failureReason", "failureMessage", "provisioningMode", "lxdHost", "lxdProject",
       "vmResourceUsage", "observedGeneration", "systemID", "providerID", "failureDomain",
       "discardedSystemIDs"});
  status.ready = f.boolean("ready").value_or(false);
  status.machineState = f.string("machineState");
  status.machinePowered = f.boolean("machinePowered").value_or(false);
  status.hostname = f.string("hostname");
  status.dnsAttached = f.boolean("dnsAttached").value_or(false);
  status.addresses =
      list<MachineAddress>(f, "addresses", [](const JsonPtr& a, const std::string& path) {
        const JsonFields af(a, path, {"type", "address"});
        return MachineAddress{af.string("type").value_or(""), af.string("address").value_or("")};
      });
  status.conditions = list<Condition>(f, "conditions", decodeCondition);
  status.failureReason = f.string("failureReason");
  status.failureMessage = f.string("failureMessage");
  status.provisioningMode = mode(f, "provisioningMode");
  status.lxdHost = f.string("lxdHost");
  status.lxdProject = f.string("lxdProject");
  if (auto usage = f.object("vmResourceUsage"); !usage.isNull()) {
    const JsonFields u(usage, f.pathOf("vmResourceUsage"),
                       {"allocatedCores", "allocatedMemory", "allocatedDisk"});
    status.vmResourceUsage = VmResourceUsage{u.integer("allocatedCores").value_or(0),
                                             u.integer("allocatedMemory").value_or(0),
                                             u.integer("allocatedDisk").value_or(0)};
  }
  status.observedGeneration = f.integer("observedGeneration").value_or(0);
  status.systemID = f.string("systemID");
  status.providerID = f.string("providerID");
  status.failureDomain = f.string("failureDomain");
  status.discardedSystemIDs = f.strings("discardedSystemIDs").value_or(std::vector<std::string>{});
  return status;
}

MaasClusterSpec decodeClusterSpec(const JsonPtr& json) {
  MaasClusterSpec spec;
  if (json.isNull()) return spec;
  const JsonFields f(json, "spec",
                     {"dnsDomain", "controlPlaneEndpoint", "failureDomains", "preferredSubnets"});
  spec.dnsDomain = f.string("dnsDomain");
  if (auto endpoint = f.object("controlPlaneEndpoint"); !endpoint.isNull()) {
    const JsonFields e(endpoint, f.pathOf("controlPlaneEndpoint"), {"host", "port"});
    spec.controlPlaneEndpoint = ApiEndpoint{e.string("host"), e.integer("port")};
  }
  spec.failureDomains = f.strings("failureDomains").value_or(std::vector<std::string>{});
  spec.preferredSubnets = f.strings("preferredSubnets").value_or(std::vector<std::string>{});
  return spec;
}

MaasClusterStatus decodeClusterStatus(const JsonPtr& json) {
  MaasClusterStatus status;
  if (json.isNull()) return status;
  const JsonFields f(json, "status",
                     {"ready", "network", "failureDomains", "conditions", "observedGeneration"});
  status.ready = f.boolean("ready").value_or(false);
  if (auto network = f.object("network"); !network.isNull()) {
    const JsonFields n(network, f.pathOf("network"), {"dnsName"});
    status.network = MaasClusterNetworkStatus{n.string("dnsName")};
  }
  if (auto domains = f.object("failureDomains"); !domains.isNull()) {
    for (const auto& name : domains->getNames()) {
      const std::string path = keyPath(f.pathOf("failureDomains"), name);
      const JsonFields d(asObject(domains->get(name), path), path, {"controlPlane", "attributes"});
      status.failureDomains[name] = FailureDomainSpec{
          d.boolean("controlPlane").value_or(false),
          d.stringMap("attributes").value_or(std::map<std::string, std::string>{})};
    }
  }
  status.conditions = list<Condition>(f, "conditions", decodeCondition);
  status.observedGeneration = f.integer("observedGeneration").value_or(0);
  return status;
}

Object decodeWithFields(const JsonPtr& json, std::string_view kind) {
  if (kind == kSecretKind) {
    const JsonFields f(json, "", {"apiVersion", "kind", "metadata", "type", "data", "stringData"});
    Secret secret;
    secret.metadata = decodeMeta(f.object("metadata"));
    secret.type = f.string("type");
    secret.data = f.stringMap("data").value_or(std::map<std::string, std::string>{});
    secret.stringData = f.stringMap("stringData").value_or(std::map<std::string, std::string>{});
    return secret;
  }
  const JsonFields f(json, "", {"apiVersion", "kind", "metadata", "spec", "status"});
  if (kind == kMaasMachineKind) {
    return MaasMachine{decodeMeta(f.object("metadata")), decodeMachineSpec(f.object("spec")),
                       decodeMachineStatus(f.object("status"))};
  }
  return MaasCluster{decodeMeta(f.object("metadata")), decodeClusterSpec(f.object("spec")),
                     decodeClusterStatus(f.object("status"))};
}

Poco::Dynamic::Var parseJson(std::string_view text) {
  // Keeping document order makes "unknown field" name the first offending key as written.
  Poco::JSON::Parser parser(Poco::makeShared<Poco::JSON::ParseHandler>(true));
  try {
    return parser.parse(std::string(text));
  } catch (const Poco::Exception& e) {
    throw DecodeError("", "invalid JSON: " + e.message());
  }
}

bool isListKind(const JsonPtr& json) {
  static const std::set<std::string> kListKinds{"List", "MaasMachineList", "MaasClusterList",
                                                "SecretList"};
  if (!json->has("kind")) return false;
  const auto kind = json->get("kind");
  return kind.isString() && kListKinds.count(kind.extract<std::string>()) != 0;
}

}  // namespace

void decodeListOrObject(const Poco::JSON::Object::Ptr& json, std::vector<Object>& objects) {
  if (!isListKind(json)) {
    objects.push_back(decodeObject(json));
    return;
  }
  // A list as `get -o yaml` prints it: each item is decoded, errors name `items[N]`.
  const JsonFields f(json, "", {"apiVersion", "kind", "metadata", "items"});
  const auto items = f.array("items");
  if (items.isNull()) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string path = indexPath("items", i);
    try {
      objects.push_back(decodeObject(asObject(items->get(static_cast<unsigned>(i)), path)));
    } catch (const DecodeError& e) {
      if (e.path().rfind(path, 0) == 0) throw;
      throw DecodeError(childPath(path, e.path()), e.message());
    }
  }
}

Object decodeObject(const Poco::JSON::Object::Ptr& json) {
  if (json.isNull()) throw DecodeError("", "expected an object, got null");
  // apiVersion and kind come first, so a foreign document is named as such rather than
  // reported for its first unexpected field.
  const auto readTop = [&](const std::string& key) {
    if (!json->has(key) || json->isNull(key)) throw DecodeError(key, "required");
    const auto value = json->get(key);
    if (!value.isString()) throwWrongType(key, "string", value);
    return value.extract<std::string>();
  };
  const std::string kind = readTop("kind");
  const std::string apiVersion = readTop("apiVersion");
  std::string_view expectedVersion;
  if (kind == kMaasMachineKind || kind == kMaasClusterKind) {
    expectedVersion = kInfrastructureApiVersion;
  } else if (kind == kSecretKind) {
    expectedVersion = kSecretApiVersion;
  } else {
    throw DecodeError("kind", "unsupported kind \"" + kind + "\" (apiVersion \"" + apiVersion +
                                  "\"): expected MaasMachine, MaasCluster or Secret");
  }
  if (apiVersion != expectedVersion) {
    throw DecodeError("apiVersion", "expected \"" + std::string(expectedVersion) + "\" for kind " +
                                        kind + ", got \"" + apiVersion + "\"");
  }
  return decodeWithFields(json, kind);
}

std::vector<Object> decodeDocuments(std::string_view text, std::string_view source) {
  std::vector<Poco::Dynamic::Var> documents;
  const auto first = text.find_first_not_of(" \t\r\n");
  const bool looksLikeJson =
      first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
  std::optional<Poco::Dynamic::Var> parsed;
  if (looksLikeJson) {
    try {
      parsed = parseJson(text);
    } catch (const DecodeError& jsonError) {
      // A YAML flow mapping (`{kind: Secret, ...}`) also starts with a brace: read it as YAML,
      // but report the JSON error when the text is neither.
      try {
        documents = parseYamlDocuments(text, source);
      } catch (const DecodeError&) {
        throw jsonError.locatedIn(source, 0, 1);
      }
    }
  } else {
    documents = parseYamlDocuments(text, source);
  }
  if (parsed) {
    if (parsed->type() == typeid(JsonPtr)) {
      documents.push_back(*parsed);
    } else {
      const auto array = asArray(*parsed, "");
      for (std::size_t i = 0; i < array->size(); ++i) {
        documents.push_back(array->get(static_cast<unsigned>(i)));
      }
    }
  }
  const auto real = static_cast<std::size_t>(std::count_if(
      documents.begin(), documents.end(), [](const auto& d) { return !d.isEmpty(); }));
  std::vector<Object> objects;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (documents[i].isEmpty()) continue;
    try {
      if (documents[i].type() != typeid(JsonPtr)) {
        throw DecodeError(
            "", "expected an object with apiVersion and kind, got " + jsonTypeName(documents[i]));
      }
      decodeListOrObject(documents[i].extract<JsonPtr>(), objects);
    } catch (const DecodeError& e) {
      throw e.locatedIn(source, static_cast<int>(i + 1), real);
    }
  }
  return objects;
}

Object decodeDocument(std::string_view text, std::string_view source) {
  auto objects = decodeDocuments(text, source);
  if (objects.size() != 1) {
    throw DecodeError("", "expected exactly one object, found " + std::to_string(objects.size()))
        .locatedIn(source, 0, 1);
  }
  return std::move(objects.front());
}

}  // namespace maasprov::model
