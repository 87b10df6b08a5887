// Update rules: the fields that cannot change once set are refused with a message naming them;
// everything else may change.
#include <gtest/gtest.h>

#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::model {
namespace {

Object defaulted(const std::string& yaml) {
  Object object = decodeDocument(yaml);
  applyDefaults(object);
  return object;
}

const std::string kMachine = R"(apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: MaasMachine
metadata: {name: cp-a, namespace: default}
spec:
  minCPU: 2
  minMemory: 4096
  image: ubuntu/jammy
  provisioningMode: lxd
  lxdConfig: {storage: {size: 20G}}
  tags: [a]
)";

std::vector<std::string> updateErrors(const Object& before, const Object& after) {
  std::vector<std::string> lines;
  for (const auto& e : validateUpdate(before, after)) lines.push_back(e.str());
  return lines;
}

using Lines = std::vector<std::string>;

TEST(Update, MutableFieldsMayChange) {
  const Object before = defaulted(kMachine);
  Object after = before;
  auto& m = std::get<MaasMachine>(after);
  m.spec.tags = {"a", "b"};
  m.spec.failureDomain = "zone-b";
  m.metadata.labels["x"] = "y";
  m.status.ready = true;
  EXPECT_EQ(updateErrors(before, after), Lines{});
}

TEST(Update, ImmutableMachineFieldsAreRefused) {
  const Object before = defaulted(kMachine);
  Object after = before;
  auto& m = std::get<MaasMachine>(after);
  m.spec.image = "ubuntu/noble";
  m.spec.minCPU = 4;
  m.spec.minMemory = 8192;
  m.spec.provisioningMode = ProvisioningMode::BareMetal;
  m.spec.lxdConfig.reset();
  EXPECT_EQ(
      updateErrors(before, after),
      (Lines{"spec.image: field is immutable once set", "spec.minCPU: field is immutable once set",
             "spec.minMemory: field is immutable once set",
             "spec.provisioningMode: field is immutable once set",
             "spec.lxdConfig: field is immutable once set"}));
}

TEST(Update, LxdConfigDetailsAreImmutableToo) {
  const Object before = defaulted(kMachine);
  Object after = before;
  std::get<MaasMachine>(after).spec.lxdConfig->storage->size = "40G";
  EXPECT_EQ(updateErrors(before, after), Lines{"spec.lxdConfig: field is immutable once set"});
}

TEST(Update, UnsetFieldsMayBeSetOnce) {
  const Object before = decodeDocument(
      "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: "
      "m, namespace: default}\nspec: {provisioningMode: bare-metal}\n");
  Object after = before;
  auto& m = std::get<MaasMachine>(after);
  m.spec.image = "ubuntu/jammy";
  m.spec.minCPU = 1;
  m.spec.minMemory = 1024;
  EXPECT_EQ(updateErrors(before, after), Lines{});
}

TEST(Update, ResubmittingTheSameManifestIsAccepted) {
  // The stored object carries defaults and store fields; the resubmitted manifest is defaulted
  // the same way, so nothing counts as changed.
  Object stored = defaulted(kMachine);
  metadataOf(stored).uid = "u1";
  metadataOf(stored).generation = 1;
  Object resubmitted = defaulted(kMachine);
  EXPECT_EQ(updateErrors(stored, resubmitted), Lines{});
}

TEST(Update, ClusterDnsDomainIsImmutable) {
  const Object before = defaulted(
      "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasCluster\nmetadata: {name: "
      "demo}\nspec: {dnsDomain: maas.example}\n");
  Object after = before;
  std::get<MaasCluster>(after).spec.dnsDomain = "other.example";
  std::get<MaasCluster>(after).spec.failureDomains = {"zone-a"};
  EXPECT_EQ(updateErrors(before, after), Lines{"spec.dnsDomain: field is immutable once set"});
}

TEST(Update, IdentityCannotChange) {
  const Object before = defaulted(kMachine);
  Object renamed = before;
  metadataOf(renamed).name = "cp-b";
  metadataOf(renamed).namespace_ = "other";
  EXPECT_EQ(updateErrors(before, renamed),
            (Lines{"metadata.name: field is immutable", "metadata.namespace: field is immutable"}));
  Object secret = defaulted("apiVersion: v1\nkind: Secret\nmetadata: {name: cp-a}\n");
  EXPECT_EQ(updateErrors(before, secret), Lines{"kind: cannot change from MaasMachine to Secret"});
}

TEST(Update, NewObjectIsValidatedToo) {
  const Object before = defaulted(kMachine);
  Object after = before;
  std::get<MaasMachine>(after).spec.tags = {""};
  EXPECT_EQ(updateErrors(before, after), Lines{"spec.tags[0]: must not be empty"});
}

}  // namespace
}  // namespace maasprov::model
