// Validation: every rule, with the exact `path: message` a user sees, and all errors at once.
#include "framework/model/validation.hpp"

#include <gtest/gtest.h>

#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"

namespace maasprov::model {
namespace {

std::vector<std::string> errorsOf(const std::string& yaml) {
  Object object = decodeDocument(yaml);
  applyDefaults(object);
  std::vector<std::string> lines;
  for (const auto& e : validate(object)) lines.push_back(e.str());
  return lines;
}

std::string machineYaml(const std::string& spec, const std::string& meta = "{name: m}") {
  return "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: " +
         meta + "\nspec: " + spec + "\n";
}

std::string clusterYaml(const std::string& spec, const std::string& meta = "{name: c}") {
  return "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasCluster\nmetadata: " +
         meta + "\nspec: " + spec + "\n";
}

using Lines = std::vector<std::string>;
const std::string kValid = "minCPU: 2, minMemory: 4096, image: ubuntu/jammy";

TEST(Validation, ValidMachinesHaveNoErrors) {
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + "}")), Lines{});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid +
                                 ", provisioningMode: lxd, lxdConfig: {profile: "
                                 "default, storage: {size: 20Gi, pool: default}, network: "
                                 "{bridge: br0, devices: [eth0]}, vmHost: h1, project: p}}")),
            Lines{});
}

TEST(Validation, RequiredFieldsAreNamed) {
  EXPECT_EQ(errorsOf(machineYaml("{}", "{namespace: default}")),
            (Lines{"metadata.name: required", "spec.minCPU: required", "spec.minMemory: required",
                   "spec.image: required"}));
  EXPECT_EQ(errorsOf(machineYaml("{minCPU: 2, minMemory: 1, image: \"\"}")),
            Lines{"spec.image: must not be empty"});
}

TEST(Validation, ResourcesMustBeNonNegative) {
  EXPECT_EQ(errorsOf(machineYaml("{minCPU: -1, minMemory: -4096, image: i}")),
            (Lines{"spec.minCPU: must be non-negative, got -1",
                   "spec.minMemory: must be non-negative, got -4096"}));
  EXPECT_EQ(errorsOf(machineYaml("{minCPU: 0, minMemory: 0, image: i}")), Lines{});
}

TEST(Validation, LxdConfigOnlyWithLxdMode) {
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + ", lxdConfig: {profile: default}}")),
            Lines{"spec.lxdConfig: only allowed when spec.provisioningMode is \"lxd\""});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid +
                                 ", provisioningMode: bare-metal, lxdConfig: {profile: default}}")),
            Lines{"spec.lxdConfig: only allowed when spec.provisioningMode is \"lxd\""});
}

TEST(Validation, StorageSizeMustBeAPositiveQuantity) {
  const auto withSize = [&](const std::string& size) {
    return errorsOf(machineYaml(
        "{" + kValid + ", provisioningMode: lxd, lxdConfig: {storage: {size: " + size + "}}}"));
  };
  EXPECT_EQ(withSize("20G"), Lines{});
  EXPECT_EQ(withSize("20Gi"), Lines{});
  EXPECT_EQ(withSize("50"), Lines{});
  EXPECT_EQ(withSize("0"),
            Lines{"spec.lxdConfig.storage.size: invalid quantity \"0\": must be positive"});
  EXPECT_EQ(
      withSize("20GB"),
      Lines{"spec.lxdConfig.storage.size: invalid quantity \"20GB\": expected a positive whole "
            "number with an optional unit M, G, T, Mi, Gi or Ti (no unit means G), e.g. 20G"});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid +
                                 ", provisioningMode: lxd, lxdConfig: {storage: "
                                 "{pool: fast}}}")),
            Lines{})
      << "defaulting fills the size";
}

TEST(Validation, NamesAreDnsLabels) {
  const std::string label =
      "must be a DNS label: at most 63 lowercase letters, digits or '-', starting and ending with "
      "a letter or digit";
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + "}", "{name: Demo_1, namespace: -ns}")),
            (Lines{"metadata.name: " + label, "metadata.namespace: " + label}));
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + "}", "{name: " + std::string(64, 'a') + "}")),
            Lines{"metadata.name: " + label});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + "}", "{name: " + std::string(63, 'a') + "}")),
            Lines{});
}

TEST(Validation, LabelsAndFinalizersFollowKubernetesSyntax) {
  EXPECT_EQ(
      errorsOf(machineYaml("{" + kValid + "}",
                           "{name: m, labels: {\"bad key\": x, ok: \"bad value!\"}, "
                           "finalizers: [\"x/\"]}")),
      (Lines{"metadata.labels[bad key]: invalid key \"bad key\": the name part must be at most "
             "63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
             "metadata.labels[ok]: invalid label value \"bad value!\": must be empty or at most "
             "63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
             "metadata.finalizers[0]: invalid key \"x/\": the name part must be at most 63 "
             "letters, digits, '-', '_' or '.', starting and ending with a letter or digit"}));
}

TEST(Validation, UserDataComesFromOnePlace) {
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + ", userData: I2Nsb3VkLWNvbmZpZwo=}")), Lines{});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + ", bootstrapDataSecretName: m-boot}")), Lines{});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid +
                                 ", userData: I2Nsb3VkLWNvbmZpZwo=, bootstrapDataSecretName: b}")),
            Lines{"spec.userData: must not be set together with spec.bootstrapDataSecretName"});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + ", userData: \"#cloud-config\"}")),
            Lines{"spec.userData: must be base64 (standard alphabet, padded)"});
  EXPECT_EQ(errorsOf(machineYaml("{" + kValid + ", userData: I2Nsb3VkLWNvbmZpZwo}")),
            Lines{"spec.userData: must be base64 (standard alphabet, padded)"});
}

TEST(Validation, AllErrorsAreReportedTogether) {
  EXPECT_EQ(
      errorsOf(machineYaml("{minCPU: -2, image: \"\", tags: [a, a, \"\"], provisioningMode: "
                           "bare-metal, lxdConfig: {storage: {size: 1.5G}}}",
                           "{name: M}")),
      (Lines{"metadata.name: must be a DNS label: at most 63 lowercase letters, digits or '-', "
             "starting and ending with a letter or digit",
             "spec.minCPU: must be non-negative, got -2", "spec.minMemory: required",
             "spec.tags[1]: duplicate value \"a\"", "spec.tags[2]: must not be empty",
             "spec.image: must not be empty",
             "spec.lxdConfig: only allowed when spec.provisioningMode is \"lxd\"",
             "spec.lxdConfig.storage.size: invalid quantity \"1.5G\": expected a positive "
             "whole number with an optional unit M, G, T, Mi, Gi or Ti (no unit means G), e.g. "
             "20G"}));
}

TEST(Validation, StatusValuesAreChecked) {
  EXPECT_EQ(
      errorsOf(machineYaml("{" + kValid + "}") +
               "status:\n  addresses: [{type: PublicIP, address: \"\"}]\n  conditions:\n"
               "  - {type: Ready, status: \"Yes\", severity: Fatal}\n  - {type: Ready, "
               "status: \"True\"}\n  vmResourceUsage: {allocatedCores: -1, "
               "allocatedMemory: 0, allocatedDisk: 0}\n"),
      (Lines{"status.addresses[0].type: unsupported value \"PublicIP\": expected Hostname, "
             "ExternalIP, InternalIP, ExternalDNS or InternalDNS",
             "status.addresses[0].address: required",
             "status.conditions[0].status: unsupported value \"Yes\": expected \"True\", "
             "\"False\" or \"Unknown\"",
             "status.conditions[0].severity: unsupported value \"Fatal\": expected \"Error\", "
             "\"Warning\" or \"Info\"",
             "status.conditions[1].type: duplicate condition type \"Ready\"",
             "status.vmResourceUsage.allocatedCores: must be non-negative, got -1"}));
}

TEST(Validation, ClusterRules) {
  EXPECT_EQ(errorsOf(clusterYaml("{dnsDomain: maas.example, controlPlaneEndpoint: {host: "
                                 "api.example, port: 6443}, failureDomains: [zone-a], "
                                 "preferredSubnets: [10.0.0.0/24, \"2001:db8::/32\"]}")),
            Lines{});
  EXPECT_EQ(errorsOf(clusterYaml("{}")), Lines{"spec.dnsDomain: required"});
  EXPECT_EQ(errorsOf(clusterYaml("{dnsDomain: Maas_Domain}")),
            Lines{"spec.dnsDomain: must be a DNS subdomain: dot-separated DNS labels (lowercase "
                  "letters, digits or '-'), at most 253 characters"});
  EXPECT_EQ(errorsOf(clusterYaml("{dnsDomain: maas, controlPlaneEndpoint: {host: a, port: 0}}")),
            Lines{"spec.controlPlaneEndpoint.port: must be between 1 and 65535, got 0"});
  EXPECT_EQ(
      errorsOf(clusterYaml("{dnsDomain: maas, controlPlaneEndpoint: {host: a, port: 65536}}")),
      Lines{"spec.controlPlaneEndpoint.port: must be between 1 and 65535, got 65536"});
  EXPECT_EQ(errorsOf(clusterYaml("{dnsDomain: maas, controlPlaneEndpoint: {port: 65535}}")),
            Lines{"spec.controlPlaneEndpoint.host: required"});
  EXPECT_EQ(errorsOf(clusterYaml("{dnsDomain: maas}",
                                 "{name: c, annotations: {spectrocloud.com/custom-dns-provided: "
                                 "\"true\"}}")),
            Lines{"spec.controlPlaneEndpoint: required when the annotation "
                  "spectrocloud.com/custom-dns-provided is set"});
}

TEST(Validation, PreferredSubnetsMustBeCidrs) {
  const auto bad = [](const std::string& cidr, std::size_t index) {
    return "spec.preferredSubnets[" + std::to_string(index) + "]: invalid CIDR \"" + cidr +
           "\": expected an IPv4 or IPv6 network such as 10.0.0.0/24 or fd00::/64";
  };
  EXPECT_EQ(errorsOf(clusterYaml("{dnsDomain: maas, preferredSubnets: [10.0.0.0/33, 10.0.0/24, "
                                 "10.0.0.0, \"fd00::/129\", \"fd00::g/64\", 10.1.0.0/16, "
                                 "\"::/0\", 10.0.0.0/]}")),
            (Lines{bad("10.0.0.0/33", 0), bad("10.0.0/24", 1), bad("10.0.0.0", 2),
                   bad("fd00::/129", 3), bad("fd00::g/64", 4), bad("10.0.0.0/", 7)}));
}

TEST(Validation, SecretRules) {
  EXPECT_EQ(errorsOf("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {value: "
                     "I2Nsb3VkLWNvbmZpZwo=}\n"),
            Lines{});
  EXPECT_EQ(
      errorsOf("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {value: "
               "\"not base64\", \"bad key\": QQ==}\n"),
      (Lines{"data[bad key]: invalid key: must be at most 253 letters, digits, '-', '_' or '.'",
             "data[value]: must be base64 (standard alphabet, padded)"}));
}

}  // namespace
}  // namespace maasprov::model
