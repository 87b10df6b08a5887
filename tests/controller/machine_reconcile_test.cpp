// MaasMachine reconciles against a real SqliteStore and real plugin .so files.
#include <gtest/gtest.h>

#include <sstream>

#include "controller_harness.hpp"
#include "framework/controller/status_writer.hpp"

namespace maasprov::controller {
namespace {

using testing::Harness;

std::string str(Json obj, std::initializer_list<std::string> path) {
  return stringAt(obj, path).value_or("");
}

TEST(MachineReconcile, ProvisionsWithFinalizerStatusAndRequestDocument) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1");
  h.machine("default", "m2", "c1");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", "m1", "status") == "True"; }));
  Json m = h.machineObj("default", "m1");
  EXPECT_TRUE(hasFinalizer(m, "maasmachine.infrastructure.cluster.x-k8s.io"));
  EXPECT_EQ(str(m, {"status", "systemID"}), "sys-m1");
  EXPECT_TRUE(boolAt(m, {"status", "ready"}));
  EXPECT_EQ(intAt(m, {"status", "observedGeneration"}), 1);
  // The plugin saw the cluster, the one other machine of the cluster and the user data.
  EXPECT_EQ(str(m, {"status", "hostname"}), "c1/1/I2Nsb3Vk");
  // The plugin's own condition is kept beside the controller's summary.
  EXPECT_TRUE(findCondition(objectAt(m, "status"), "MachineDeployed"));
}

TEST(MachineReconcile, WaitsForItsClusterAndSaysSo) {
  Harness h;
  h.machine("default", "m1", "late");
  h.controller().start();
  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "m1", "reason") == "WaitingForCluster"; }));
  EXPECT_NE(h.ready("default", "m1", "message").find("default/late"), std::string::npos);
  EXPECT_FALSE(boolAt(h.machineObj("default", "m1"), {"status", "ready"}));
  h.cluster("default", "late");  // its creation wakes the machine; no resync needed
  EXPECT_TRUE(Harness::waitFor([&] { return h.ready("default", "m1", "status") == "True"; }));
}

TEST(MachineReconcile, WaitsForTheBootstrapSecret) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1", "ok", "",
            R"("provisioningMode":"scripted","bootstrapDataSecretName":"m1-bootstrap")");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "m1", "reason") == "WaitingForBootstrapData"; }));
  EXPECT_NE(h.ready("default", "m1", "message").find("Secret default/m1-bootstrap"),
            std::string::npos);
  h.secret("default", "m1-bootstrap", "dXNlcmRhdGE=");
  ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", "m1", "status") == "True"; }));
  EXPECT_EQ(str(h.machineObj("default", "m1"), {"status", "hostname"}), "c1/0/dXNlcmRhdGE=");
}

TEST(MachineReconcile, AModeNobodyServesIsAConditionNotACrash) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "vm", "c1", "ok", "", R"("provisioningMode":"lxd","userData":"eA==")");
  h.machine("default", "bm", "c1");
  h.controller().start();
  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "vm", "reason") == "NoProvisioner"; }));
  EXPECT_NE(h.ready("default", "vm", "message").find("provisioningMode 'lxd'"), std::string::npos);
  EXPECT_TRUE(Harness::waitFor([&] { return h.ready("default", "bm", "status") == "True"; }));
}

TEST(MachineReconcile, AMisbehavingPluginAffectsOnlyItsMachine) {
  auto options = Harness::fast();
  options.pluginTimeout = std::chrono::milliseconds(300);
  Harness h(options);
  h.cluster("default", "c1");
  h.machine("default", "good", "c1");
  h.machine("default", "error", "c1", "error");
  h.machine("default", "terminal", "c1", "terminal");
  h.machine("default", "throws", "c1", "throw");
  h.machine("default", "hangs", "c1", "hang");
  h.machine("default", "garbage", "c1", "ok", "",
            R"("provisioningMode":"garbage","userData":"eA==")");
  h.controller().start();

  EXPECT_TRUE(Harness::waitFor([&] { return h.ready("default", "good", "status") == "True"; }));
  ASSERT_TRUE(Harness::waitFor(
      [&] { return h.ready("default", "error", "reason") == "InsufficientResources"; }));
  EXPECT_NE(h.ready("default", "error", "message").find("host lxd-9"), std::string::npos);
  EXPECT_EQ(h.ready("default", "error", "severity"), "Warning");

  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "terminal", "reason") == "InvalidSpec"; }));
  Json terminal = h.machineObj("default", "terminal");
  EXPECT_EQ(str(terminal, {"status", "failureReason"}), "InvalidSpec");
  EXPECT_NE(str(terminal, {"status", "failureMessage"}).find("plan9"), std::string::npos);

  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "throws", "reason") == "Internal"; }));
  EXPECT_NE(h.ready("default", "throws", "message").find("scripted plugin exploded"),
            std::string::npos);
  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "hangs", "reason") == "Transient"; }));
  EXPECT_NE(h.ready("default", "hangs", "message").find("did not return within 300 ms"),
            std::string::npos);
  ASSERT_TRUE(Harness::waitFor([&] {
    return h.ready("default", "garbage", "reason") == "Internal";
  })) <<
      [&] {
        std::ostringstream o;
        h.machineObj("default", "garbage")->stringify(o);
        return o.str();
      }();
  EXPECT_FALSE(boolAt(h.machineObj("default", "garbage"), {"status", "ready"}));

  // Retryable failures are retried with backoff; the terminal one is not.
  auto& reconciles = h.metrics();
  EXPECT_TRUE(Harness::waitFor([&] {
    return reconciles.render().find(
               "maasprov_reconciles_total{kind=\"MaasMachine\",result=\"error\"}") !=
           std::string::npos;
  }));
  Json good = h.machineObj("default", "good");
  EXPECT_EQ(intAt(good, {"status", "observedGeneration"}), 1);
}

// Plugin calls run on the workers' own threads: a call past the timeout must give its worker up
// (a new one takes its place) and still show the timeout on its machine at once.
TEST(MachineReconcile, AStuckCallGivesItsWorkerUpAndShowsTheTimeout) {
  auto options = Harness::fast();
  options.workers = 1;
  options.pluginTimeout = std::chrono::milliseconds(300);
  Harness h(options);
  h.cluster("default", "c1");
  h.machine("default", "hangs", "c1", "hang");
  h.controller().start();
  ASSERT_TRUE(
      Harness::waitFor([&] { return h.ready("default", "hangs", "reason") == "Transient"; }));
  EXPECT_NE(h.ready("default", "hangs", "message").find("did not return within 300 ms"),
            std::string::npos)
      << h.ready("default", "hangs", "message");
  // The one worker there was is stuck or gone; another provisions the next machine.
  h.machine("default", "good", "c1");
  EXPECT_TRUE(Harness::waitFor([&] { return h.ready("default", "good", "status") == "True"; }));
}

TEST(MachineReconcile, CheckpointIsDurableBeforeThePluginReturns) {
  auto options = Harness::fast();
  options.pluginTimeout = std::chrono::milliseconds(20000);
  Harness h(options);
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1", "checkpoint-hang");
  h.controller().start();
  // The plugin is still blocked inside its call, yet its checkpoint is already in the store.
  ASSERT_TRUE(Harness::waitFor([&] {
    return str(h.machineObj("default", "m1"), {"status", "systemID"}) == "held-m1";
  }));
  // No outcome was applied yet (that writes the Ready condition): the call is still running.
  EXPECT_EQ(h.ready("default", "m1", "status"), "");
  // Shutdown does not wait for the 20 s plugin timeout: the call is cancelled and abandoned.
  auto started = std::chrono::steady_clock::now();
  h.controller().stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(MachineReconcile, DeletionWaitsForThePluginToReportDone) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1", "ok", R"(,"test.maasprov.io/remove-calls":"3")");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", "m1", "status") == "True"; }));
  auto removed = h.store().remove({"MaasMachine", "default", "m1"});
  EXPECT_FALSE(removed.deleted);  // the finalizer holds it
  ASSERT_TRUE(Harness::waitFor([&] { return h.machineObj("default", "m1") == nullptr; }));
  // Three remove calls were needed (two said "not yet"): the object was kept until the third.
  EXPECT_GE(h.controller().reconcileCount(), 4u);
}

TEST(MachineReconcile, NamespaceScopingLeavesOtherNamespacesAlone) {
  auto options = Harness::fast();
  options.namespaces = {"team-a"};
  Harness h(options);
  h.cluster("team-a", "c1");
  h.cluster("team-b", "c1");
  h.machine("team-a", "m1", "c1");
  h.machine("team-b", "m1", "c1");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] { return h.ready("team-a", "m1", "status") == "True"; }));
  h.machine("team-b", "m2", "c1");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(
      hasFinalizer(h.machineObj("team-b", "m1"), "maasmachine.infrastructure.cluster.x-k8s.io"));
  EXPECT_FALSE(h.machineObj("team-b", "m2")->has("status"));
}

TEST(MachineReconcile, StatusWritesReReadAndRetryOnConflict) {
  Harness h;
  Json created = h.cluster("default", "c1");
  int calls = 0;
  Json written =
      writeWithRetry(h.store(), {"MaasCluster", "default", "c1"}, WritePart::Status, [&](Json obj) {
        if (++calls == 1) {
          // Someone else writes between our read and our write: ours must not be lost, nor theirs.
          Json other = h.store().get({"MaasCluster", "default", "c1"});
          other->getObject("metadata")->set("labels", testing::parse(R"({"team":"a"})"));
          h.store().update(other);
        }
        ensureStatus(obj)->set("ready", true);
        return true;
      });
  EXPECT_EQ(calls, 2);
  Json stored = h.store().get({"MaasCluster", "default", "c1"});
  EXPECT_TRUE(boolAt(stored, {"status", "ready"}));
  EXPECT_EQ(str(stored, {"metadata", "labels", "team"}), "a");
}

TEST(MachineReconcile, ResyncOnStartPicksUpWhatWasInFlight) {
  Harness h;
  h.cluster("default", "c1");
  h.machine("default", "m1", "c1");
  // Simulate a previous run that crashed mid-deletion: finalizer set, deletion requested.
  Json m = h.store().get({"MaasMachine", "default", "m1"});
  addFinalizer(m, "maasmachine.infrastructure.cluster.x-k8s.io");
  h.store().update(m);
  h.store().remove({"MaasMachine", "default", "m1"});
  h.controller().start();
  EXPECT_TRUE(Harness::waitFor([&] { return h.machineObj("default", "m1") == nullptr; }));
}

}  // namespace
}  // namespace maasprov::controller
