// MaasCluster reconciles: endpoint provider, failure domains, machines following the cluster,
// and the deletion order.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "controller_harness.hpp"

namespace maasprov::controller {
namespace {

using testing::Harness;

TEST(ClusterReconcile, EndpointFailureDomainsAndAttachedMachines) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "cp1", "c1", "ok", "", R"("provisioningMode":"scripted","userData":"eA==")",
            true);
  h.machine("default", "w1", "c1");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "c1", "status", "MaasCluster") == "True"; }));
  Json c = h.get("MaasCluster", "default", "c1");
  EXPECT_TRUE(hasFinalizer(c, "maascluster.infrastructure.cluster.x-k8s.io"));
  EXPECT_EQ(stringAt(c, {"status", "network", "dnsName"}).value_or(""), "c1.maas");
  EXPECT_TRUE(boolAt(c, {"status", "failureDomains", "zone-a", "controlPlane"}));
  EXPECT_TRUE(boolAt(c, {"status", "failureDomains", "zone-b", "controlPlane"}));
  EXPECT_FALSE(objectAt(c, "status")->has("machineStatus"));  // never stored on the cluster
  // The control-plane machine becomes powered; the cluster follows and attaches it.
  ASSERT_TRUE(Harness::waitFor([&] {
    return boolAt(h.machineObj("default", "cp1"), {"status", "dnsAttached"});
  }));
  Json cp = h.machineObj("default", "cp1");
  Json attached = findCondition(objectAt(cp, "status"), "DNSAttached");
  ASSERT_TRUE(attached);
  EXPECT_EQ(attached->getValue<std::string>("status"), "True");
  EXPECT_FALSE(objectAt(h.machineObj("default", "w1"), "status")->has("dnsAttached"));
  EXPECT_TRUE(Harness::waitFor([&] {
    Json cl = h.get("MaasCluster", "default", "c1");
    Json cond = findCondition(objectAt(cl, "status"), "DNSAttached");
    return cond && cond->optValue<std::string>("message", "") == "1 control-plane address(es)";
  }));
}

// The endpoint provider reports every machine on every call; a report that changes nothing
// writes nothing (no new resourceVersion, no event to wake anyone).
TEST(ClusterReconcile, ARepeatedMachineReportWritesNothing) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "cp1", "c1", "ok", "", R"("provisioningMode":"scripted","userData":"eA==")",
            true);
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] {
    return boolAt(h.machineObj("default", "cp1"), {"status", "dnsAttached"}) &&
           h.ready("default", "cp1", "status") == "True";
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the machine settle
  const auto before = stringAt(h.machineObj("default", "cp1"), {"metadata", "resourceVersion"});
  for (int round = 0; round < 3; ++round) {
    // A changed spec makes the cluster reconcile, and its provider report cp1 again.
    Json c = h.get("MaasCluster", "default", "c1");
    objectAt(c, "spec")->set("description", "round " + std::to_string(round));
    const auto generation = intAt(h.store().update(c), {"metadata", "generation"});
    ASSERT_TRUE(Harness::waitFor([&] {
      return intAt(h.get("MaasCluster", "default", "c1"), {"status", "observedGeneration"}) ==
             generation;
    }));
  }
  EXPECT_EQ(stringAt(h.machineObj("default", "cp1"), {"metadata", "resourceVersion"}), before);
  EXPECT_TRUE(boolAt(h.machineObj("default", "cp1"), {"status", "dnsAttached"}));
}

// One plugin call per object at a time is per object, not per name: a machine named like its
// cluster, whose call hangs until the 2 s plugin timeout, must not hold up the cluster's calls.
TEST(ClusterReconcile, AMachineNamedAsItsClusterDoesNotHoldUpTheClustersCalls) {
  Harness h;
  h.cluster("default", "c1");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "c1", "status", "MaasCluster") == "True"; }));
  h.machine("default", "c1", "c1", "hang");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // its call now hangs
  Json c = h.get("MaasCluster", "default", "c1");
  auto zones = Poco::makeShared<Poco::JSON::Array>();
  for (const char* z : {"zone-a", "zone-b", "zone-c"}) zones->add(std::string(z));
  objectAt(c, "spec")->set("failureDomains", zones);
  const auto generation = intAt(h.store().update(c), {"metadata", "generation"});
  // The cluster's reconcile of the new generation called its endpoint provider at once (before,
  // the call was refused as busy while the machine's ran: Ready False, Transient).
  ASSERT_TRUE(Harness::waitFor(
      [&] {
        return intAt(h.get("MaasCluster", "default", "c1"), {"status", "observedGeneration"}) ==
               generation;
      },
      std::chrono::milliseconds(1200)));
  EXPECT_EQ(h.ready("default", "c1", "status", "MaasCluster"), "True")
      << h.ready("default", "c1", "reason", "MaasCluster") << ": "
      << h.ready("default", "c1", "message", "MaasCluster");
}

// MaasMachine reconciles so far, from the controller's own metric.
double machineReconciles(Harness& h) {
  double total = 0;
  std::istringstream lines(h.metrics().render());
  const std::string prefix = "maasprov_reconciles_total{kind=\"MaasMachine\"";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

// A cluster being deleted waits for its machines; it has nothing to tell them, so marking it
// for deletion wakes none of them (each wake had cost a reconcile and its MAAS lookups while
// the machines were being released).
TEST(ClusterReconcile, MarkingAClusterForDeletionWakesNoneOfItsMachines) {
  Harness h;
  h.cluster("default", "c1");
  for (const char* name : {"m1", "m2", "m3"}) h.machine("default", name, "c1");
  h.controller().start();
  for (const char* name : {"m1", "m2", "m3"}) {
    ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", name, "status") == "True"; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // settled
  const double before = machineReconciles(h);
  ASSERT_GT(before, 0);
  h.store().remove({"MaasCluster", "default", "c1"});
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "c1", "reason", "MaasCluster") == "WaitingForMachines"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(machineReconciles(h), before);
  EXPECT_EQ(h.ready("default", "m1", "status"), "True");
}

TEST(ClusterReconcile, DeletionWaitsForTheMachinesThenRemovesTheEndpoint) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", "m1", "status") == "True"; }));
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "c1", "status", "MaasCluster") == "True"; }));
  h.store().remove({"MaasCluster", "default", "c1"});
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "c1", "reason", "MaasCluster") == "WaitingForMachines"; }));
  EXPECT_NE(h.get("MaasCluster", "default", "c1"), nullptr);
  h.store().remove({"MaasMachine", "default", "m1"});
  EXPECT_TRUE(Harness::waitFor([&] {
    return h.machineObj("default", "m1") == nullptr &&
           h.get("MaasCluster", "default", "c1") == nullptr;
  }));
}

TEST(ClusterReconcile, MetricsCountReconcilesAndPhases) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1");
  h.machine("default", "m2", "nowhere");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", "m1", "status") == "True"; }));
  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "m2", "reason") == "WaitingForCluster"; }));
  EXPECT_TRUE(Harness::waitFor([&] {
    std::string text = h.metrics().render();
    return text.find("maasprov_machines{phase=\"Ready\"} 1\n") != std::string::npos &&
           text.find("maasprov_machines{phase=\"Pending\"} 1\n") != std::string::npos &&
           text.find("maasprov_reconciles_total{kind=\"MaasMachine\",result=\"waiting\"}") !=
               std::string::npos &&
           text.find("maasprov_reconcile_duration_seconds_count{kind=\"MaasMachine\"}") !=
               std::string::npos &&
           text.find("maasprov_workqueue_depth ") != std::string::npos;
  }));
}

}  // namespace
}  // namespace maasprov::controller
