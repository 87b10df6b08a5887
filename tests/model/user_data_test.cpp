// User data resolution: inline wins, a Secret is used only if it is the one the machine names,
// and anything missing means "wait".
#include "framework/model/user_data.hpp"

#include <gtest/gtest.h>

#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"

namespace maasprov::model {
namespace {

MaasMachine machine(const std::string& extra) {
  Object object = decodeDocument(
      "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: "
      "m, namespace: ns}\nspec: {minCPU: 1, minMemory: 1, image: i" +
      extra + "}\n");
  applyDefaults(object);
  return std::get<MaasMachine>(object);
}

Secret secret(const std::string& name, const std::string& ns, const std::string& data) {
  Object object = decodeDocument("apiVersion: v1\nkind: Secret\nmetadata: {name: " + name +
                                 ", namespace: " + ns + "}\nstringData: {" + data + "}\n");
  applyDefaults(object);
  return std::get<Secret>(object);
}

TEST(UserData, InlineUserDataNeedsNoSecret) {
  const auto m = machine(", userData: I2Nsb3VkLWNvbmZpZwo=");
  EXPECT_EQ(bootstrapSecretName(m), std::nullopt);
  EXPECT_EQ(resolveUserData(m, nullptr), "I2Nsb3VkLWNvbmZpZwo=");
}

TEST(UserData, ComesFromTheNamedSecret) {
  const auto m = machine(", bootstrapDataSecretName: boot");
  EXPECT_EQ(bootstrapSecretName(m), "boot");
  EXPECT_EQ(resolveUserData(m, nullptr), std::nullopt) << "wait while the Secret is missing";
  const auto s = secret("boot", "ns", "value: \"#cloud-config\\n\"");
  EXPECT_EQ(resolveUserData(m, &s), "I2Nsb3VkLWNvbmZpZwo=");
}

TEST(UserData, OtherSecretsAreNeverUsed) {
  const auto m = machine(", bootstrapDataSecretName: boot");
  const auto elsewhere = secret("boot", "other", "value: x");
  const auto renamed = secret("boot2", "ns", "value: x");
  const auto noValue = secret("boot", "ns", "format: cloud-config");
  EXPECT_EQ(resolveUserData(m, &elsewhere), std::nullopt);
  EXPECT_EQ(resolveUserData(m, &renamed), std::nullopt);
  EXPECT_EQ(resolveUserData(m, &noValue), std::nullopt);
}

TEST(UserData, NothingGivenMeansWait) {
  const auto m = machine("");
  EXPECT_EQ(bootstrapSecretName(m), std::nullopt);
  EXPECT_EQ(resolveUserData(m, nullptr), std::nullopt);
}

}  // namespace
}  // namespace maasprov::model
