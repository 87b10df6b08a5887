// Decoding manifests: every field lands where it should, JSON and YAML mean the same, and bad
// input is refused with the exact `path: message` a user sees.
#include "framework/model/decode.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <string>

#include "framework/model/encode.hpp"

namespace maasprov::model {
namespace {

constexpr const char* kFullMachineYaml = R"(apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: MaasMachine
metadata:
  name: demo-cp-a
  namespace: default
  uid: 6f1c2c9e-1111-4c55-9a8e-000000000001
  labels:
    cluster.x-k8s.io/cluster-name: demo
    cluster.x-k8s.io/control-plane: ""
  annotations:
    note: "first"
  generation: 3
  resourceVersion: "17"
  creationTimestamp: 2024-05-01T12:00:00Z
  deletionTimestamp: 2024-05-01T14:30:00+02:00
  finalizers: [maasmachine.infrastructure.cluster.x-k8s.io]
spec:
  failureDomain: zone-a
  systemID: abc123
  providerID: maas-lxd://zone-a/abc123
  resourcePool: default
  minCPU: 2
  minMemory: 4096
  tags: [control-plane, ssd]
  image: ubuntu/jammy
  provisioningMode: lxd
  lxdConfig:
    profile: default
    storage: {size: 40Gi, pool: fast}
    network:
      bridge: br0
      devices: [eth0, eth1]
    vmHost: host-a
    project: capi
  bootstrapDataSecretName: demo-cp-a-bootstrap
status:
  ready: true
  machineState: Deployed
  machinePowered: true
  hostname: demo-cp-a
  dnsAttached: true
  addresses:
  - {type: InternalIP, address: 10.0.0.5}
  - {type: Hostname, address: demo-cp-a}
  conditions:
  - type: Ready
    status: "True"
    lastTransitionTime: 2024-05-01T12:05:00Z
  - type: LXDVMCreated
    status: "False"
    severity: Warning
    reason: WaitingForHost
    message: no host has room
  failureReason: CreateError
  failureMessage: boom
  provisioningMode: lxd
  lxdHost: host-a
  lxdProject: capi
  vmResourceUsage: {allocatedCores: 2, allocatedMemory: 4096, allocatedDisk: 43}
  observedGeneration: 3
  systemID: abc123
  providerID: maas-lxd://zone-a/abc123
  failureDomain: zone-a
)";

std::string decodeError(std::string_view text, std::string_view source = {}) {
  try {
    decodeDocuments(text, source);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Decode, YamlMachineFillsEveryField) {
  const auto objects = decodeDocuments(kFullMachineYaml);
  ASSERT_EQ(objects.size(), 1u);
  const auto& m = std::get<MaasMachine>(objects[0]);
  EXPECT_EQ(m.metadata.name, "demo-cp-a");
  EXPECT_EQ(m.metadata.namespace_, "default");
  EXPECT_EQ(m.metadata.uid, "6f1c2c9e-1111-4c55-9a8e-000000000001");
  EXPECT_EQ(m.metadata.labels.at("cluster.x-k8s.io/control-plane"), "");
  EXPECT_EQ(m.metadata.annotations.at("note"), "first");
  EXPECT_EQ(m.metadata.generation, 3);
  EXPECT_EQ(m.metadata.resourceVersion, "17");
  EXPECT_EQ(formatTime(*m.metadata.creationTimestamp), "2024-05-01T12:00:00Z");
  EXPECT_EQ(formatTime(*m.metadata.deletionTimestamp), "2024-05-01T12:30:00Z");
  EXPECT_EQ(m.metadata.finalizers,
            std::vector<std::string>{"maasmachine.infrastructure.cluster.x-k8s.io"});
  EXPECT_EQ(m.spec.failureDomain, "zone-a");
  EXPECT_EQ(m.spec.systemID, "abc123");
  EXPECT_EQ(m.spec.providerID, "maas-lxd://zone-a/abc123");
  EXPECT_EQ(m.spec.resourcePool, "default");
  EXPECT_EQ(m.spec.minCPU, 2);
  EXPECT_EQ(m.spec.minMemory, 4096);
  EXPECT_EQ(m.spec.tags, (std::vector<std::string>{"control-plane", "ssd"}));
  EXPECT_EQ(m.spec.image, "ubuntu/jammy");
  EXPECT_EQ(m.spec.provisioningMode, ProvisioningMode::Lxd);
  ASSERT_TRUE(m.spec.lxdConfig);
  EXPECT_EQ(m.spec.lxdConfig->profile, "default");
  EXPECT_EQ(m.spec.lxdConfig->storage->size, "40Gi");
  EXPECT_EQ(m.spec.lxdConfig->storage->pool, "fast");
  EXPECT_EQ(m.spec.lxdConfig->network->bridge, "br0");
  EXPECT_EQ(m.spec.lxdConfig->network->devices, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(m.spec.lxdConfig->vmHost, "host-a");
  EXPECT_EQ(m.spec.lxdConfig->project, "capi");
  EXPECT_EQ(m.spec.bootstrapDataSecretName, "demo-cp-a-bootstrap");
  EXPECT_FALSE(m.spec.userData);
  EXPECT_TRUE(m.status.ready);
  EXPECT_EQ(m.status.machineState, "Deployed");
  EXPECT_TRUE(m.status.machinePowered);
  EXPECT_EQ(m.status.hostname, "demo-cp-a");
  EXPECT_TRUE(m.status.dnsAttached);
  ASSERT_EQ(m.status.addresses.size(), 2u);
  EXPECT_EQ(m.status.addresses[0], (MachineAddress{"InternalIP", "10.0.0.5"}));
  ASSERT_EQ(m.status.conditions.size(), 2u);
  EXPECT_EQ(m.status.conditions[0].status, "True");
  EXPECT_EQ(formatTime(*m.status.conditions[0].lastTransitionTime), "2024-05-01T12:05:00Z");
  EXPECT_EQ(m.status.conditions[1].severity, "Warning");
  EXPECT_EQ(m.status.conditions[1].reason, "WaitingForHost");
  EXPECT_EQ(m.status.conditions[1].message, "no host has room");
  EXPECT_EQ(m.status.failureReason, "CreateError");
  EXPECT_EQ(m.status.failureMessage, "boom");
  EXPECT_EQ(m.status.provisioningMode, ProvisioningMode::Lxd);
  EXPECT_EQ(m.status.lxdHost, "host-a");
  EXPECT_EQ(m.status.lxdProject, "capi");
  EXPECT_EQ(m.status.vmResourceUsage, (VmResourceUsage{2, 4096, 43}));
  EXPECT_EQ(m.status.observedGeneration, 3);
  EXPECT_EQ(m.status.systemID, "abc123");
  EXPECT_EQ(m.status.providerID, "maas-lxd://zone-a/abc123");
  EXPECT_EQ(m.status.failureDomain, "zone-a");
}

TEST(Decode, UnsetOptionalsStayUnset) {
  const auto m = std::get<MaasMachine>(decodeDocument(R"(
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: MaasMachine
metadata: {name: w1}
spec: {minCPU: 0, minMemory: 0, image: ubuntu/jammy}
)"));
  EXPECT_EQ(m.spec.minCPU, 0);
  EXPECT_FALSE(m.spec.provisioningMode);
  EXPECT_FALSE(m.spec.lxdConfig);
  EXPECT_FALSE(m.spec.failureDomain);
  EXPECT_EQ(m.metadata.namespace_, "");
  EXPECT_EQ(m.status, MaasMachineStatus{});
}

TEST(Decode, JsonAndYamlGiveTheSameObject) {
  const char* json = R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasCluster",
    "metadata": {"name": "demo", "namespace": "default",
                 "annotations": {"spectrocloud.com/custom-dns-provided": "true"}},
    "spec": {"dnsDomain": "maas.example", "controlPlaneEndpoint": {"host": "api.demo", "port": 6443},
             "failureDomains": ["zone-a", "zone-b"], "preferredSubnets": ["10.0.0.0/24", "fd00::/64"]},
    "status": {"ready": true, "network": {"dnsName": "demo.maas.example"},
               "failureDomains": {"zone-a": {"controlPlane": true, "attributes": {"pool": "default"}}},
               "observedGeneration": 2}})";
  const char* yaml = R"(apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: MaasCluster
metadata:
  name: demo
  namespace: default
  annotations: {spectrocloud.com/custom-dns-provided: "true"}
spec:
  dnsDomain: maas.example
  controlPlaneEndpoint: {host: api.demo, port: 6443}
  failureDomains: [zone-a, zone-b]
  preferredSubnets: [10.0.0.0/24, "fd00::/64"]
status:
  ready: true
  network: {dnsName: demo.maas.example}
  failureDomains:
    zone-a: {controlPlane: true, attributes: {pool: default}}
  observedGeneration: 2
)";
  const auto fromJson = decodeDocument(json);
  EXPECT_EQ(fromJson, decodeDocument(yaml));
  const auto& c = std::get<MaasCluster>(fromJson);
  EXPECT_EQ(c.spec.controlPlaneEndpoint->port, 6443);
  EXPECT_EQ(c.spec.preferredSubnets[1], "fd00::/64");
  EXPECT_TRUE(c.status.failureDomains.at("zone-a").controlPlane);
  EXPECT_EQ(c.status.failureDomains.at("zone-a").attributes.at("pool"), "default");
  EXPECT_EQ(c.status.network->dnsName, "demo.maas.example");
}

TEST(Decode, MultiDocumentYamlKeepsOrderAndSkipsEmptyDocuments) {
  const auto objects = decodeDocuments(R"(---
apiVersion: v1
kind: Secret
metadata: {name: boot}
data: {value: I2Nsb3VkLWNvbmZpZwo=}
---
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: MaasCluster
metadata: {name: demo}
spec: {dnsDomain: maas}
---
)");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(std::get<Secret>(objects[0]).data.at("value"), "I2Nsb3VkLWNvbmZpZwo=");
  EXPECT_EQ(kindOf(objects[1]), "MaasCluster");
}

TEST(Decode, JsonListHoldsSeveralObjects) {
  const auto objects = decodeDocuments(R"([
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "stringData": {"value": "x"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}, "type": "cluster.x-k8s.io/secret"}])");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(std::get<Secret>(objects[0]).stringData.at("value"), "x");
  EXPECT_EQ(std::get<Secret>(objects[1]).type, "cluster.x-k8s.io/secret");
}

TEST(Decode, YamlFlowMappingIsNotMistakenForJson) {
  const auto s = std::get<Secret>(
      decodeDocument("{apiVersion: v1, kind: Secret, metadata: {name: s}, type: opaque}"));
  EXPECT_EQ(s.metadata.name, "s");
  EXPECT_EQ(s.type, "opaque");
}

TEST(Decode, ListsContributeTheirItems) {
  const auto objects = decodeDocuments(R"(apiVersion: v1
kind: List
metadata: {resourceVersion: "12"}
items:
- {apiVersion: v1, kind: Secret, metadata: {name: a}}
- {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: MaasCluster, metadata: {name: c}}
)");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(kindOf(objects[0]), "Secret");
  EXPECT_EQ(kindOf(objects[1]), "MaasCluster");
  EXPECT_EQ(decodeError(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasMachineList", "items": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}},
    {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasMachine", "spec": {"minCpu": 1}}]})"),
            "items[1].spec.minCpu: unknown field");
  EXPECT_EQ(decodeError("apiVersion: v1\nkind: List\nitems: [{kind: Pod, apiVersion: v1}]\n"),
            "items[0].kind: unsupported kind \"Pod\" (apiVersion \"v1\"): expected MaasMachine, "
            "MaasCluster or Secret");
}

TEST(Decode, FromPocoJsonObject) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object;  // Poco's own shared pointer
  json->set("apiVersion", "infrastructure.cluster.x-k8s.io/v1beta1");
  json->set("kind", "MaasMachine");
  Poco::JSON::Object::Ptr meta = new Poco::JSON::Object;
  meta->set("name", "m1");
  json->set("metadata", meta);
  Poco::JSON::Object::Ptr spec = new Poco::JSON::Object;
  spec->set("minCPU", 4);
  spec->set("image", "ubuntu/jammy");
  json->set("spec", spec);
  const auto m = std::get<MaasMachine>(decodeObject(json));
  EXPECT_EQ(m.metadata.name, "m1");
  EXPECT_EQ(m.spec.minCPU, 4);

  spec->set("minCPU", "4");
  try {
    decodeObject(json);
    FAIL() << "expected a DecodeError";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "spec.minCPU");
    EXPECT_EQ(e.message(), "expected integer, got string");
    EXPECT_STREQ(e.what(), "spec.minCPU: expected integer, got string");
  }
}

TEST(Decode, StorageSizeMayBeAnInteger) {
  const auto m = std::get<MaasMachine>(decodeDocument(R"(
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: MaasMachine
metadata: {name: vm}
spec: {provisioningMode: lxd, lxdConfig: {storage: {size: 50}}}
)"));
  EXPECT_EQ(m.spec.lxdConfig->storage->size, "50");
}

constexpr const char* kHeader =
    "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: m}\n";

TEST(DecodeErrors, UnknownFieldsNameTheFullPath) {
  EXPECT_EQ(decodeError(std::string(kHeader) + "spec: {lxdConfig: {storag: {size: 20G}}}\n"),
            "spec.lxdConfig.storag: unknown field");
  EXPECT_EQ(decodeError(std::string(kHeader) + "spec: {minCpu: 2}\n"),
            "spec.minCpu: unknown field");
  EXPECT_EQ(decodeError(std::string(kHeader) + "extra: 1\n"), "extra: unknown field");
  EXPECT_EQ(
      decodeError(std::string(kHeader) + "status: {conditions: [{type: Ready, status: \"True\", "
                                         "since: now}]}\n"),
      "status.conditions[0].since: unknown field");
  EXPECT_EQ(
      decodeError(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","owner":"x"}})"),
      "metadata.owner: unknown field");
}

TEST(DecodeErrors, WrongTypesNameFieldAndExpectedType) {
  const std::string h = kHeader;
  EXPECT_EQ(decodeError(h + "spec: {minCPU: two}\n"), "spec.minCPU: expected integer, got string");
  EXPECT_EQ(decodeError(h + "spec: {minCPU: \"2\"}\n"),
            "spec.minCPU: expected integer, got string");
  EXPECT_EQ(decodeError(h + "spec: {minMemory: 1.5}\n"),
            "spec.minMemory: expected integer, got number");
  EXPECT_EQ(decodeError(h + "spec: {image: 7}\n"), "spec.image: expected string, got integer");
  EXPECT_EQ(decodeError(h + "spec: {tags: ssd}\n"), "spec.tags: expected list, got string");
  EXPECT_EQ(decodeError(h + "spec: {tags: [ssd, [x]]}\n"),
            "spec.tags[1]: expected string, got list");
  EXPECT_EQ(decodeError(h + "spec: {lxdConfig: yes-please}\n"),
            "spec.lxdConfig: expected object, got string");
  EXPECT_EQ(decodeError(h + "spec: {lxdConfig: {storage: {size: true}}}\n"),
            "spec.lxdConfig.storage.size: expected string or integer, got boolean");
  EXPECT_EQ(decodeError(h + "status: {ready: \"true\"}\n"),
            "status.ready: expected boolean, got string");
  EXPECT_EQ(decodeError(h + "spec: {minCPU: 99999999999999999999}\n"),
            "spec.minCPU: expected integer, got number");
  EXPECT_EQ(decodeError(h + "spec: {minCPU: 1e999}\n"),
            "spec.minCPU: expected integer, got number");
  EXPECT_EQ(decodeError(
                R"({"kind": "MaasMachine", "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
                            "spec": {"minCPU": 1e999}})"),
            "spec.minCPU: expected integer, got number");
  EXPECT_EQ(decodeError(
                R"({"kind": "MaasMachine", "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
                            "spec": {"minCPU": 18446744073709551615}})"),
            "spec.minCPU: integer out of range");
  EXPECT_EQ(decodeError(h + "spec: []\n"), "spec: expected object, got list");
  EXPECT_EQ(decodeError("apiVersion: v1\nkind: Secret\nmetadata: {name: s, labels: {a: 1}}\n"),
            "metadata.labels[a]: expected string, got integer");
}

// status.discardedSystemIDs: the MAAS machines a plugin gave back after failed deployments.
TEST(Decode, DiscardedSystemIdsRoundTripAndABadItemIsNamed) {
  const std::string h = kHeader;
  const Object decoded =
      decodeDocument(h + "status: {systemID: c3, discardedSystemIDs: [a1, \"0042\"]}\n");
  const Poco::JSON::Object::Ptr json = toJson(decoded);
  const Poco::JSON::Array::Ptr list = json->getObject("status")->getArray("discardedSystemIDs");
  ASSERT_TRUE(list) << toJsonText(decoded);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->getElement<std::string>(0), "a1");
  EXPECT_EQ(list->getElement<std::string>(1), "0042");  // a string, even if it looks like a number
  EXPECT_EQ(toJsonText(decodeObject(json)), toJsonText(decoded));
  EXPECT_EQ(toJsonText(decodeDocument(toYamlText(decoded))), toJsonText(decoded));
  // None: left out of the encoding.
  EXPECT_FALSE(toJson(decodeDocument(h + "status: {systemID: c3}\n"))
                   ->getObject("status")
                   ->has("discardedSystemIDs"));
  EXPECT_EQ(decodeError(h + "status: {discardedSystemIDs: [a1, 7]}\n"),
            "status.discardedSystemIDs[1]: expected string, got integer");
  EXPECT_EQ(decodeError(h + "status: {discardedSystemIDs: a1}\n"),
            "status.discardedSystemIDs: expected list, got string");
}

// Third-party plugins add machine types: the model accepts any well-formed mode name and leaves
// "does a plugin serve it" to the controller.
TEST(Decode, AcceptsAPluginsOwnProvisioningMode) {
  const std::string h = kHeader;
  const auto m =
      std::get<MaasMachine>(decodeDocument(h + "spec: {provisioningMode: example-tagged}\n"));
  ASSERT_TRUE(m.spec.provisioningMode);
  EXPECT_EQ(toString(*m.spec.provisioningMode), "example-tagged");
  EXPECT_NE(*m.spec.provisioningMode, ProvisioningMode::BareMetal);
}

TEST(DecodeErrors, EnumsAndTimestampsAreChecked) {
  const std::string h = kHeader;
  EXPECT_EQ(decodeError(h + "spec: {provisioningMode: Bare_Metal}\n"),
            "spec.provisioningMode: invalid value \"Bare_Metal\": expected the name of a machine "
            "type a plugin serves, such as \"bare-metal\" or \"lxd\" (lower-case letters, digits "
            "and '-')");
  EXPECT_EQ(decodeError("apiVersion: v1\nkind: Secret\nmetadata: {name: s, creationTimestamp: "
                        "yesterday}\n"),
            "metadata.creationTimestamp: expected an RFC 3339 timestamp such as "
            "2024-05-01T12:00:00Z, got \"yesterday\"");
  EXPECT_EQ(decodeError("apiVersion: v1\nkind: Secret\nmetadata: {name: s, creationTimestamp: "
                        "2024-02-30T00:00:00Z}\n"),
            "metadata.creationTimestamp: expected an RFC 3339 timestamp such as "
            "2024-05-01T12:00:00Z, got \"2024-02-30T00:00:00Z\"");
}

TEST(DecodeErrors, ForeignDocumentsSaySo) {
  EXPECT_EQ(
      decodeError(
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: 1}\n"),
      "kind: unsupported kind \"Deployment\" (apiVersion \"apps/v1\"): expected MaasMachine, "
      "MaasCluster or Secret");
  EXPECT_EQ(
      decodeError("apiVersion: v1\nkind: MaasMachine\n"),
      "apiVersion: expected \"infrastructure.cluster.x-k8s.io/v1beta1\" for kind MaasMachine, "
      "got \"v1\"");
  EXPECT_EQ(decodeError("apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: Secret\n"),
            "apiVersion: expected \"v1\" for kind Secret, got "
            "\"infrastructure.cluster.x-k8s.io/v1beta1\"");
  EXPECT_EQ(decodeError("apiVersion: v1\nmetadata: {name: x}\n"), "kind: required");
  EXPECT_EQ(decodeError("kind: MaasCluster\n"), "apiVersion: required");
  EXPECT_EQ(decodeError("- a\n- b\n"), "expected an object with apiVersion and kind, got list");
  EXPECT_EQ(decodeError("just text\n"), "expected an object with apiVersion and kind, got string");
}

TEST(DecodeErrors, FileErrorsNameTheFileAndDocument) {
  const std::string text = std::string("apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\n") +
                           kHeader + "spec: {lxdConfig: {storag: {}}}\n";
  EXPECT_EQ(decodeError(text, "examples/cluster.yaml"),
            "examples/cluster.yaml: document 2: spec.lxdConfig.storag: unknown field");
  EXPECT_EQ(decodeError(text), "document 2: spec.lxdConfig.storag: unknown field");
  try {
    decodeDocuments(text, "c.yaml");
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.source(), "c.yaml");
    EXPECT_EQ(e.document(), 2);
    EXPECT_EQ(e.path(), "spec.lxdConfig.storag");
    EXPECT_EQ(e.message(), "unknown field");
  }
}

TEST(DecodeErrors, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(decodeError("kind: MaasMachine\nspec: {minCPU: 2\n", "m.yaml"),
            "m.yaml: invalid YAML at line 3, column 1: end of map flow not found");
  EXPECT_EQ(decodeError("{\"kind\": \"MaasMachine\", \"spec\": [}"),
            "invalid JSON: unexpected byte '}' in value");
}

TEST(DecodeErrors, DuplicateKeysAreRejected) {
  EXPECT_EQ(decodeError(std::string(kHeader) + "spec:\n  image: a\n  image: b\n"),
            "spec.image: duplicate key");
}

TEST(DecodeErrors, InvalidUtf8IsRejected) {
  EXPECT_EQ(decodeError(std::string(kHeader) + "spec: {image: \"ubuntu\xff\"}\n"),
            "spec.image: invalid UTF-8");
}

TEST(DecodeErrors, HostileDocumentsFailCleanly) {
  // Billion laughs: aliases that would expand to ~10^9 values.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  EXPECT_EQ(decodeError(bomb), "document too large: more than 100000 values");
  const std::string deep(100000, '[');
  EXPECT_EQ(decodeError("spec: " + deep), "invalid YAML: nested too deeply");
  EXPECT_EQ(decodeError(deep), "invalid JSON: Maximum depth exceeded");
}

TEST(DecodeErrors, TextTheYamlParserCannotConsumeFailsInsteadOfHanging) {
  // yaml-cpp 0.7's own LoadAll loops forever on these.
  EXPECT_EQ(decodeError("x: 1\n---\n[a],b]\n"),
            "invalid YAML at line 3, column 4: unexpected text");
  EXPECT_EQ(decodeError("{a},c}"), "invalid JSON: unexpected byte 'a' in value");
  EXPECT_EQ(decodeError("{\"kind\":-\"Secret\",\"x\":1},\"y\":2}"),
            "invalid JSON: unexpected byte '\"' in number");
}

TEST(DecodeErrors, FirstBadDocumentIsNamedEvenWhenALaterOneIsBroken) {
  EXPECT_EQ(decodeError("apiVersion: v1\nkind: Secret\nmetadata: {name: a, name: b}\n---\nx: [\n",
                        "f.yaml"),
            "f.yaml: document 1: metadata.name: duplicate key");
}

TEST(DecodeErrors, SingleDocumentMeansExactlyOne) {
  try {
    decodeDocument("", "body");
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_STREQ(e.what(), "body: expected exactly one object, found 0");
  }
}

}  // namespace
}  // namespace maasprov::model
