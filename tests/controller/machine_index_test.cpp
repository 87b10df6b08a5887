// The controller's in-memory index of MaasMachines: peers by cluster without reading the
// store, the fingerprints that tell a spec change from the controller's own status writes,
// clusters a machine moves between, and the Secret users.
#include "framework/controller/machine_index.hpp"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace maasprov::controller {
namespace {

Json machine(const std::string& name, const std::string& cluster, const std::string& extra = "",
             const std::string& status = "{}") {
  std::string labels =
      cluster.empty() ? "{}" : R"({"cluster.x-k8s.io/cluster-name":")" + cluster + "\"}";
  return Poco::JSON::Parser()
      .parse(R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
             R"("metadata":{"name":")" +
             name + R"(","namespace":"ns1","uid":"u-)" + name + R"(","generation":1,"labels":)" +
             labels + "}," + R"("spec":{"userData":"c2VjcmV0")" + extra + "},\"status\":" + status +
             "}")
      .extract<Json>();
}

TEST(MachineIndex, PeersOfAClusterAreItsOtherMachinesAsSummaries) {
  MachineIndex index;
  index.upsert(machine("a", "c1", "", R"({"lxdHost":"lxd-1","failureDomain":"z1"})"));
  index.upsert(machine("b", "c1"));
  index.upsert(machine("c", "c2"));
  auto peers = index.peers("ns1", "c1", "a");
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_NE(peers[0]->find("\"name\":\"b\""), std::string::npos);
  auto all = index.peers("ns1", "c1", "");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_NE(all[0]->find("lxd-1"), std::string::npos);
  EXPECT_EQ(all[0]->find("c2VjcmV0"), std::string::npos) << "user data must not be in a summary";
  EXPECT_TRUE(index.peers("ns2", "c1", "").empty());
  EXPECT_EQ(index.machinesOf("ns1", "c1"), (std::vector<std::string>{"a", "b"}));
}

TEST(MachineIndex, StatusWritesDoNotTriggerButSpecChangesDo) {
  MachineIndex index;
  auto first = index.upsert(machine("a", "c1"));
  EXPECT_TRUE(first.firstSight);
  EXPECT_TRUE(first.triggerChanged);
  auto status = index.upsert(machine("a", "c1", "", R"({"systemID":"abc"})"));
  EXPECT_FALSE(status.triggerChanged) << "the controller's own status write";
  EXPECT_FALSE(status.clusterViewChanged) << "the endpoint provider does not read systemID";
  auto powered =
      index.upsert(machine("a", "c1", "", R"({"systemID":"abc","machinePowered":true})"));
  EXPECT_FALSE(powered.triggerChanged);
  EXPECT_TRUE(powered.clusterViewChanged);
  EXPECT_EQ(powered.cluster, "c1");
  Json changed = machine("a", "c1", "", R"({"systemID":"abc","machinePowered":true})");
  changed->getObject("metadata")->set("generation", 2);
  EXPECT_TRUE(index.upsert(changed).triggerChanged);
}

TEST(MachineIndex, AMachineMovingClustersLeavesTheOldOne) {
  MachineIndex index;
  index.upsert(machine("a", "c1"));
  auto moved = index.upsert(machine("a", "c2"));
  EXPECT_EQ(moved.previousCluster, "c1");
  EXPECT_EQ(moved.cluster, "c2");
  EXPECT_TRUE(index.machinesOf("ns1", "c1").empty());
  EXPECT_EQ(index.machinesOf("ns1", "c2"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(index.erase("ns1", "a"), "c2");
  EXPECT_TRUE(index.machinesOf("ns1", "c2").empty());
  EXPECT_EQ(index.erase("ns1", "a"), "") << "erasing twice is harmless";
  EXPECT_EQ(index.size(), 0u);
}

TEST(MachineIndex, SecretUsersAndPhases) {
  MachineIndex index;
  index.upsert(machine("a", "c1", R"(,"bootstrapDataSecretName":"boot")"));
  index.upsert(machine("b", "c1", R"(,"bootstrapDataSecretName":"other")"));
  index.upsert(machine("c", "c1", "", R"({"ready":true})"));
  EXPECT_EQ(index.usingSecret("ns1", "boot"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(index.usingSecret("ns2", "boot").empty());
  auto phases = index.phases();
  EXPECT_EQ(phases["Pending"], 2u);
  EXPECT_EQ(phases["Ready"], 1u);
}

}  // namespace
}  // namespace maasprov::controller
