// Defaulting: what a manifest may leave out gets its documented value, and nothing else moves.
#include "framework/model/defaults.hpp"

#include <gtest/gtest.h>

#include "framework/model/decode.hpp"
#include "framework/model/secret.hpp"

namespace maasprov::model {
namespace {

Object machine(const std::string& spec) {
  return decodeDocument(
      "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: "
      "m}\nspec: " +
      spec + "\n");
}

TEST(Defaults, BareMetalIsTheDefaultModeAndNamespaceIsDefault) {
  Object object = machine("{minCPU: 2, minMemory: 4096, image: ubuntu/jammy}");
  applyDefaults(object);
  const auto& m = std::get<MaasMachine>(object);
  EXPECT_EQ(m.spec.provisioningMode, ProvisioningMode::BareMetal);
  EXPECT_EQ(m.metadata.namespace_, "default");
  EXPECT_FALSE(m.spec.lxdConfig) << "bare-metal machines get no lxdConfig";
}

TEST(Defaults, LxdMachinesGetTheDefaultStorageSize) {
  Object object = machine("{provisioningMode: lxd}");
  applyDefaults(object);
  const auto& spec = std::get<MaasMachine>(object).spec;
  ASSERT_TRUE(spec.lxdConfig && spec.lxdConfig->storage);
  EXPECT_EQ(spec.lxdConfig->storage->size, "20G");
  EXPECT_FALSE(spec.lxdConfig->storage->pool);
  EXPECT_FALSE(spec.lxdConfig->profile);

  Object sized = machine("{provisioningMode: lxd, lxdConfig: {profile: p, storage: {size: 40Gi}}}");
  applyDefaults(sized);
  EXPECT_EQ(std::get<MaasMachine>(sized).spec.lxdConfig->storage->size, "40Gi");
  EXPECT_EQ(std::get<MaasMachine>(sized).spec.lxdConfig->profile, "p");
}

TEST(Defaults, ExplicitNamespaceIsKept) {
  Object object = decodeDocument(
      "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasCluster\nmetadata: {name: "
      "c, namespace: team-a}\nspec: {dnsDomain: maas, controlPlaneEndpoint: {host: api.maas}}\n");
  applyDefaults(object);
  const auto& c = std::get<MaasCluster>(object);
  EXPECT_EQ(c.metadata.namespace_, "team-a");
  EXPECT_EQ(c.spec.controlPlaneEndpoint->port, 6443);
}

TEST(Defaults, SecretStringDataMovesIntoData) {
  Object object = decodeDocument(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  value: |\n    "
      "#cloud-config\n    runcmd: [echo hi]\n");
  applyDefaults(object);
  const auto& s = std::get<Secret>(object);
  EXPECT_TRUE(s.stringData.empty());
  ASSERT_TRUE(secretValueBase64(s));
  EXPECT_EQ(decodeBase64(*secretValueBase64(s)), "#cloud-config\nruncmd: [echo hi]\n");
}

TEST(Defaults, ApplyingTwiceChangesNothing) {
  for (const char* spec : {"{provisioningMode: lxd}", "{minCPU: 1}"}) {
    Object once = machine(spec);
    applyDefaults(once);
    Object twice = once;
    applyDefaults(twice);
    EXPECT_EQ(once, twice) << spec;
  }
}

}  // namespace
}  // namespace maasprov::model
