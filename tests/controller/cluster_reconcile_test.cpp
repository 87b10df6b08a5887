// MaasCluster reconciles: endpoint provider, failure domains, machines following the cluster,
// and the deletion order.
#include <gtest/gtest.h>

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
