// Encoding: decode -> encode -> decode gives back an equal object through every form (JSON
// text, YAML text, Poco JSON), and what is unset stays absent from the output.
#include "framework/model/encode.hpp"

#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include "framework/model/decode.hpp"

namespace maasprov::model {
namespace {

MaasMachine fullMachine() {
  MaasMachine m;
  m.metadata.name = "demo-cp-a";
  m.metadata.namespace_ = "default";
  m.metadata.uid = "uid-1";
  m.metadata.labels = {{"cluster.x-k8s.io/cluster-name", "demo"},
                       {"cluster.x-k8s.io/control-plane", ""},
                       {"tier", "123"}};
  m.metadata.annotations = {{"note", "true"}, {"multi", "line one\nline two"}, {"pad", " x "}};
  m.metadata.generation = 4;
  m.metadata.resourceVersion = "42";
  m.metadata.creationTimestamp = parseTime("2024-05-01T12:00:00Z");
  m.metadata.deletionTimestamp = parseTime("2024-05-02T12:00:00Z");
  m.metadata.finalizers = {std::string(kMachineFinalizer)};
  m.spec.failureDomain = "zone-a";
  m.spec.systemID = "abc123";
  m.spec.providerID = "maas-lxd://zone-a/abc123";
  m.spec.resourcePool = "default";
  m.spec.minCPU = 2;
  m.spec.minMemory = 4096;
  m.spec.tags = {"ssd", "null", "~"};
  m.spec.image = "ubuntu/jammy";
  m.spec.provisioningMode = ProvisioningMode::Lxd;
  m.spec.lxdConfig = LxdConfig{"default", LxdStorageConfig{"50", "fast"},
                               LxdNetworkConfig{"br0", {"eth0"}}, "host-a", "capi"};
  m.spec.userData = "I2Nsb3VkLWNvbmZpZwo=";
  m.status.ready = true;
  m.status.machineState = "Deployed";
  m.status.machinePowered = true;
  m.status.hostname = "demo-cp-a";
  m.status.dnsAttached = true;
  m.status.addresses = {{"InternalIP", "10.0.0.5"}};
  m.status.conditions = {{"Ready", "True", "", "", "", parseTime("2024-05-01T12:05:00Z")},
                         {"LXDVMCreated", "False", "Warning", "NoHost", "none fits", std::nullopt}};
  m.status.failureReason = "CreateError";
  m.status.failureMessage = "boom";
  m.status.provisioningMode = ProvisioningMode::Lxd;
  m.status.lxdHost = "host-a";
  m.status.lxdProject = "capi";
  m.status.vmResourceUsage = VmResourceUsage{2, 4096, 50};
  m.status.observedGeneration = 4;
  m.status.systemID = "abc123";
  m.status.providerID = "maas-lxd://zone-a/abc123";
  m.status.failureDomain = "zone-a";
  m.status.discardedSystemIDs = {"old111", "0042"};
  return m;
}

MaasCluster fullCluster() {
  MaasCluster c;
  c.metadata.name = "demo";
  c.metadata.namespace_ = "default";
  c.spec.dnsDomain = "maas.example";
  c.spec.controlPlaneEndpoint = ApiEndpoint{"api.demo.maas.example", 6443};
  c.spec.failureDomains = {"zone-a", "zone-b"};
  c.spec.preferredSubnets = {"10.0.0.0/24", "fd00::/64"};
  c.status.ready = true;
  c.status.network = MaasClusterNetworkStatus{"demo.maas.example"};
  c.status.failureDomains = {{"zone-a", {true, {{"pool", "default"}}}}, {"zone-b", {false, {}}}};
  c.status.conditions = {{"Ready", "True", "", "", "", parseTime("2024-05-01T12:00:00Z")}};
  c.status.observedGeneration = 1;
  return c;
}

Secret fullSecret() {
  Secret s;
  s.metadata.name = "boot";
  s.metadata.namespace_ = "default";
  s.type = "cluster.x-k8s.io/secret";
  s.data = {{"value", "I2Nsb3VkLWNvbmZpZwo="}, {"format", "Y2xvdWQtY29uZmln"}};
  s.stringData = {{"extra", "#cloud-config\nruncmd: []\n"}};
  return s;
}

class RoundTrip : public ::testing::TestWithParam<Object> {};

TEST_P(RoundTrip, ThroughJsonText) {
  const Object& original = GetParam();
  EXPECT_EQ(decodeDocument(toJsonText(original)), original);
  EXPECT_EQ(decodeDocument(toJsonText(original, 0)), original);
}

TEST_P(RoundTrip, ThroughYamlText) {
  const Object& original = GetParam();
  const std::string yaml = toYamlText(original);
  EXPECT_EQ(decodeDocument(yaml), original) << yaml;
}

TEST_P(RoundTrip, ThroughPocoJson) {
  const Object& original = GetParam();
  EXPECT_EQ(decodeObject(toJson(original)), original);
}

TEST_P(RoundTrip, EncodingIsStable) {
  const Object& original = GetParam();
  EXPECT_EQ(toYamlText(decodeDocument(toYamlText(original))), toYamlText(original));
  EXPECT_EQ(toJsonText(decodeDocument(toJsonText(original))), toJsonText(original));
}

MaasMachine minimalMachine() {
  MaasMachine m;
  m.metadata.name = "w1";
  m.spec.minCPU = 0;
  m.spec.minMemory = 0;
  m.spec.image = "";
  return m;
}

INSTANTIATE_TEST_SUITE_P(Objects, RoundTrip,
                         ::testing::Values(Object(fullMachine()), Object(minimalMachine()),
                                           Object(MaasMachine{}), Object(fullCluster()),
                                           Object(MaasCluster{}), Object(fullSecret()),
                                           Object(Secret{})));

TEST(Encode, UnsetFieldsAreLeftOut) {
  const std::string yaml = toYamlText(Object(minimalMachine()));
  EXPECT_EQ(yaml,
            "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\n"
            "kind: MaasMachine\n"
            "metadata:\n"
            "  name: w1\n"
            "spec:\n"
            "  minCPU: 0\n"
            "  minMemory: 0\n"
            "  image: \"\"\n");
}

TEST(Encode, JsonKeepsManifestKeyOrder) {
  EXPECT_EQ(toJsonText(Object(minimalMachine()), 0),
            R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
            R"("metadata":{"name":"w1"},"spec":{"minCPU":0,"minMemory":0,"image":""}})");
}

TEST(Encode, StringsThatLookLikeOtherTypesAreQuoted) {
  const std::string yaml = toYamlText(Object(fullMachine()));
  EXPECT_NE(yaml.find("tier: \"123\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("note: \"true\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("cluster.x-k8s.io/control-plane: \"\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("- \"null\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("size: \"50\""), std::string::npos) << yaml;
}

TEST(Encode, StatusAppearsOnlyWhenSomethingIsObserved) {
  MaasMachine m = minimalMachine();
  EXPECT_FALSE(toJson(Object(m))->has("status"));
  m.status.observedGeneration = 1;
  const auto json = toJson(Object(m));
  ASSERT_TRUE(json->has("status"));
  EXPECT_EQ(json->getObject("status")->get("ready").convert<bool>(), false);
}

TEST(Encode, StreamOfDocuments) {
  const std::vector<Object> objects{fullCluster(), fullMachine(), fullSecret()};
  const std::string yaml = toYamlText(objects);
  EXPECT_EQ(decodeDocuments(yaml), objects);
  EXPECT_EQ(std::count(yaml.begin(), yaml.end(), '-') >= 2, true);
}

TEST(Encode, TimestampsAreWrittenInUtc) {
  auto s = std::get<Secret>(
      decodeDocument("apiVersion: v1\nkind: Secret\nmetadata: {name: s, creationTimestamp: "
                     "2024-05-01T14:00:00.250+02:00}\n"));
  EXPECT_EQ(toJson(Object(s))->getObject("metadata")->getValue<std::string>("creationTimestamp"),
            "2024-05-01T12:00:00Z");
}

}  // namespace
}  // namespace maasprov::model
