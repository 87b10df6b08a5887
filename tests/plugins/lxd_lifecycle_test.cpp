// The LXD plugin (lxd.so) over a VM's life, through the real loader against a real maas-sim:
// concurrent reconciles never over-commit, a crash after compose adopts the VM (one compose),
// a failed deployment recomposes (bounded, then VMDeploymentFailed), delete returns the host's
// resources, mixed LXD + bare-metal control planes behind the DNS plugin, and the conformance kit.
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

using LxdLifecycle = LxdTest;

TEST_F(LxdLifecycle, ConcurrentReconcilesNeverOverCommitAHost) {
  // Three hosts with 6 cores each (no over-commit): nine 2-core VMs fit, not twelve.
  start(R"(
vm_hosts:
  - {name: h1, zone: zone-a, cores: 6, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
  - {name: h2, zone: zone-b, cores: 6, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
  - {name: h3, zone: zone-c, cores: 6, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
)");
  std::vector<JsonObject> machines;
  for (int i = 0; i < 12; ++i) {
    machines.push_back(lxdMachine("c-" + std::to_string(i), lxdSpec(2, 2048), false));
  }
  std::atomic<int> ok{0}, insufficient{0}, other{0};
  std::vector<std::thread> threads;
  for (auto& m : machines) {
    threads.emplace_back([&, m] {
      auto out = plugin_->reconcile(m, call_);
      if (out.ok()) {
        ++ok;
      } else if (out.error->type == plugin::ErrorType::InsufficientResources) {
        ++insufficient;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 9);
  EXPECT_EQ(insufficient.load(), 3);
  EXPECT_EQ(other.load(), 0);
  for (const char* h : {"h1", "h2", "h3"}) {
    EXPECT_LE(usedCores(h), 6) << h;
    EXPECT_EQ(vmCount(h), 3) << h;
  }
  EXPECT_EQ(composes("503"), 0);  // the plugin itself never over-asked MAAS
  EXPECT_EQ(composes("200"), 9);
}

TEST_F(LxdLifecycle, TwoControllersRacingForTheLastSlotLoseToMaasNotToOverCommit) {
  // Two plugin instances (two controller replicas) share no ledger. Both read the host while it
  // is empty (MAAS takes 0.5 s before acting on a compose), both compose: MAAS's own over-commit
  // check refuses one.
  start(R"(
vm_hosts:
  - {name: one, zone: zone-a, cores: 2, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
)");
  LoadedPlugin other("lxd", sim_->client(), kLxdFastConfig);
  ASSERT_EQ(
      setFaults(
          R"({"endpoints": {"POST vm-hosts/{id} op=compose": {"slow": 1.0, "slow_ms": 500}}})"),
      200);
  JsonObject a = lxdMachine("race-a", lxdSpec(2, 2048), false);
  JsonObject b = lxdMachine("race-b", lxdSpec(2, 2048), false);
  plugin::CallOutcome outA, outB;
  std::thread ta([&] { outA = plugin_->reconcile(a, call_); });
  std::thread tb([&] { outB = other.reconcile(b, call_); });
  ta.join();
  tb.join();
  ASSERT_NE(outA.ok(), outB.ok());
  const plugin::CallOutcome& lost = outA.ok() ? outB : outA;
  EXPECT_EQ(lost.error->type, plugin::ErrorType::VMCreationFailed);
  EXPECT_TRUE(lost.error->retryable);
  EXPECT_LE(lost.error->requeueAfter.count(), 30000);
  EXPECT_NE(lost.error->message.find("overcommit"), std::string::npos) << lost.error->message;
  EXPECT_EQ(reasonOf(outA.ok() ? b : a, "LXDVMCreated"), "VMCreationFailed");
  EXPECT_EQ(usedCores("one"), 2);
  EXPECT_EQ(composes("503"), 1);
  // Retried, the loser now sees the host full: a shortfall, not another refused compose.
  ASSERT_EQ(setFaults("{}"), 200);
  auto again = outA.ok() ? other.reconcile(b, call_) : plugin_->reconcile(a, call_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_EQ(composes("503"), 1);
}

TEST_F(LxdLifecycle, CrashBetweenComposeAndStatusWriteAdoptsTheVmWithOneCompose) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("crash", lxdSpec(2, 2048));
  LoadedPlugin::Call lost = call_;
  lost.applyResult = false;
  ASSERT_TRUE(plugin_->reconcile(m, lost).ok());
  ASSERT_EQ(composes("200"), 1);
  const std::string hostname = str(status(m), "hostname");
  m->set("status", Poco::makeShared<Poco::JSON::Object>());  // the crash lost every checkpoint
  deploy(m);
  EXPECT_EQ(composes(), 1);  // adopted by hostname, never composed twice
  EXPECT_EQ(sim_->count("POST machines op=allocate"), 1);
  EXPECT_EQ(str(status(m), "hostname"), hostname);
  EXPECT_EQ(sim_->heldBy("uid-crash").size(), 1u);
  int named = 0;
  auto all = sim_->state()->getArray("machines");
  for (size_t i = 0; i < all->size(); ++i) {
    named +=
        all->getObject(static_cast<unsigned>(i))->getValue<std::string>("hostname") == hostname;
  }
  EXPECT_EQ(named, 1);
}

TEST_F(LxdLifecycle, ARefusedCheckpointStopsBeforeComposing) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("nockpt", lxdSpec(1, 1024));
  LoadedPlugin::Call refused = call_;
  refused.storeCheckpoints = false;
  auto out = plugin_->reconcile(m, refused);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.error->retryable);
  EXPECT_EQ(composes(), 0);
}

TEST_F(LxdLifecycle, DeleteReleasesDeletesAndReturnsTheHostsResources) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("gone", lxdSpec(3, 3072, R"(, "lxdConfig": {"vmHost": "lxd-b1"})"));
  deploy(m);
  EXPECT_EQ(usedCores("lxd-b1"), 3);
  EXPECT_EQ(usedMemory("lxd-b1"), 3072);
  const std::string sid = str(status(m), "systemID");
  auto first = plugin_->remove(m, call_);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first.done);  // MAAS is releasing it: not confirmed yet
  EXPECT_EQ(sim_->machine(sid)->getValue<std::string>("status_name"), "Releasing");
  removeAll(m);
  EXPECT_FALSE(sim_->machine(sid));
  EXPECT_EQ(usedCores("lxd-b1"), 0);
  EXPECT_EQ(usedMemory("lxd-b1"), 0);
  EXPECT_EQ(vmCount("lxd-b1"), 0);
  auto again = plugin_->remove(m, call_);  // already gone counts as done
  EXPECT_TRUE(again.ok() && again.done);
}

TEST_F(LxdLifecycle, DeleteOfAVmStillCommissioningDeletesItAtOnce) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("young", lxdSpec(1, 1024));
  ASSERT_TRUE(plugin_->reconcile(m, call_).ok());
  EXPECT_EQ(reasonOf(m, "LXDVMCreated"), "Commissioning");
  auto out = plugin_->remove(m, call_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.done);
  EXPECT_FALSE(sim_->machine(str(status(m), "hostname")));
  EXPECT_EQ(usedCores(str(status(m), "lxdHost")), 0);
}

// A VM another client allocated and released before this plugin allocated it (a bare-metal
// allocation MAAS answered with it, handed back) is waited for, not taken as released for good.
TEST_F(LxdLifecycle, AVmAnotherClientReleasesBeforeWeAllocateIsWaitedFor) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("grabbed", lxdSpec(1, 1024));
  const std::string sid = composeUntilReady(m);
  ASSERT_FALSE(sid.empty());
  ASSERT_EQ(sim_->api("POST", "machines/?op=allocate", {{"system_id", sid}}).status, 200);
  ASSERT_EQ(sim_->api("POST", "machines/" + sid + "/?op=release").status, 200);
  ASSERT_EQ(sim_->machine(sid)->getValue<std::string>("status_name"), "Releasing");
  auto out = plugin_->reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_FALSE(ready(out));
  EXPECT_NE(reasonOf(m, "MachineDeployed"), "MachineReleased") << toText(m);
  EXPECT_FALSE(status(m)->has("failureReason")) << toText(m);
  out = plugin_->reconcileUntil(m, call_, [](const plugin::CallOutcome& o) { return ready(o); });
  ASSERT_TRUE(ready(out)) << toText(m);
  EXPECT_EQ(str(status(m), "systemID"), sid);
  EXPECT_EQ(str(status(m), "machineState"), "Deployed");
}

// A VM another client allocated while it was Ready (by system_id, under its own agent_name) is
// theirs: never deployed by this plugin, waited for, and taken once they release it.
TEST_F(LxdLifecycle, AVmAnotherClientAllocatedIsNeverDeployedAndTakenOnceReleased) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("taken", lxdSpec(1, 1024));
  const std::string sid = composeUntilReady(m);
  ASSERT_FALSE(sid.empty());
  ASSERT_EQ(sim_->api("POST", "machines/?op=allocate",
                      {{"system_id", sid}, {"agent_name", "someone-else"}})
                .status,
            200);
  for (int i = 0; i < 2; ++i) {  // the second time from the status the first one wrote
    auto out = plugin_->reconcile(m, call_);
    ASSERT_TRUE(out.ok()) << out.error->message;
    EXPECT_FALSE(ready(out));
    EXPECT_EQ(reasonOf(m, "MachineDeployed"), "HeldByAnotherClient") << toText(m);
    EXPECT_FALSE(status(m)->has("failureReason")) << toText(m);
  }
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 0);
  EXPECT_EQ(sim_->machine(sid)->getValue<std::string>("status_name"), "Allocated");
  EXPECT_TRUE(sim_->heldBy("uid-taken").empty());

  ASSERT_EQ(sim_->api("POST", "machines/" + sid + "/?op=release").status, 200);
  auto out =
      plugin_->reconcileUntil(m, call_, [](const plugin::CallOutcome& o) { return ready(o); });
  ASSERT_TRUE(ready(out)) << toText(m);
  EXPECT_EQ(str(status(m), "systemID"), sid);
  EXPECT_EQ(sim_->heldBy("uid-taken").size(), 1u);
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 1);
}

// A crash lost the status written after this plugin allocated and deployed its VM: MAAS's
// agent_name says the VM is ours, so it is followed to Ready, never allocated or deployed twice.
TEST_F(LxdLifecycle, AVmThisPluginAllocatedBeforeACrashIsStillItsOwn) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("ours", lxdSpec(1, 1024));
  const std::string sid = composeUntilReady(m);
  ASSERT_FALSE(sid.empty());
  LoadedPlugin::Call lost = call_;
  lost.applyResult = false;
  ASSERT_TRUE(plugin_->reconcile(m, lost).ok());  // allocates and deploys; the status is lost
  ASSERT_EQ(sim_->count("POST machines op=allocate"), 1);
  ASSERT_EQ(sim_->count("POST machines/{id} op=deploy"), 1);
  auto out =
      plugin_->reconcileUntil(m, call_, [](const plugin::CallOutcome& o) { return ready(o); });
  ASSERT_TRUE(ready(out)) << toText(m);
  EXPECT_EQ(str(status(m), "systemID"), sid);
  EXPECT_EQ(sim_->count("POST machines op=allocate"), 1);
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 1);
}

TEST_F(LxdLifecycle, AFailedDeploymentDecomposesAndRecomposes) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("flaky", lxdSpec(2, 2048));
  ASSERT_TRUE(plugin_->reconcile(m, call_).ok());
  const std::string first = str(status(m), "systemID");
  ASSERT_EQ(failNextDeploy(first) / 100, 2);
  bool sawRecomposing = false;
  auto out = plugin_->reconcileUntil(
      m, call_,
      [&](const plugin::CallOutcome& o) {
        sawRecomposing = sawRecomposing || reasonOf(m, "LXDVMDeployed") == "Recomposing";
        return ready(o);
      },
      80);
  ASSERT_TRUE(ready(out)) << toText(m);
  EXPECT_TRUE(sawRecomposing);
  EXPECT_NE(str(status(m), "systemID"), first);
  EXPECT_FALSE(sim_->machine(first));  // the failed VM was decomposed, not leaked
  EXPECT_EQ(composes("200"), 2);
  EXPECT_EQ(sim_->heldBy("uid-flaky").size(), 1u);
}

TEST_F(LxdLifecycle, DeploymentFailuresAreBoundedThenVMDeploymentFailed) {
  start(kThreeZoneHosts, R"({"pollSeconds": 1, "retryBaseSeconds": 0, "maxDeployAttempts": 2})");
  JsonObject m = lxdMachine("doomed", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-c1"})"));
  plugin::CallOutcome out;
  std::string failed;
  for (int i = 0; i < 80; ++i) {
    out = plugin_->reconcile(m, call_);
    const std::string sid = str(status(m), "systemID");
    if (!sid.empty() && sid != failed) {  // every new VM fails its deployment
      failNextDeploy(sid);
      failed = sid;
    }
    if (!out.ok() && !out.error->retryable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  ASSERT_FALSE(out.ok()) << toText(m);
  EXPECT_EQ(out.error->type, plugin::ErrorType::VMDeploymentFailed);
  EXPECT_FALSE(out.error->retryable);
  EXPECT_EQ(reasonOf(m, "LXDVMDeployed"), "VMDeploymentFailed");
  EXPECT_EQ(str(status(m), "failureReason"), "CreateError");
  EXPECT_EQ(composes("200"), 2);
  EXPECT_EQ(vmCount("lxd-c1"), 0);            // nothing left behind
  auto again = plugin_->reconcile(m, call_);  // stays terminal, composes nothing
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(composes("200"), 2);
}

TEST_F(LxdLifecycle, MixedLxdAndBareMetalControlPlaneBehindTheDnsEndpoint) {
  start(std::string(R"(
machines:
  - {hostname: metal-1, cores: 8, memory: 16384, zone: zone-c, interfaces: [{subnet: pxe}]}
)") + kThreeZoneHosts);
  LoadedPlugin bare("baremetal", sim_->client(), R"({"pollSeconds": 1})");
  LoadedPlugin dns("dns", sim_->client(), R"({"pollSeconds": 1})");
  JsonObject vm0 = lxdMachine("cp-0", lxdSpec(2, 2048));
  JsonObject vm1 = lxdMachine("cp-1", lxdSpec(2, 2048));
  JsonObject metal = lxdMachine("cp-2", R"({"minCPU": 4, "minMemory": 8192, "image": "jammy"})");
  LoadedPlugin::Call call = call_;
  deploy(vm0, call);
  call.machines = {vm0};
  deploy(vm1, call);
  auto done = bare.reconcileUntil(metal, call_, ready, 60);
  ASSERT_TRUE(ready(done)) << toText(metal);
  EXPECT_EQ(str(status(metal), "provisioningMode"), "bare-metal");
  EXPECT_NE(str(status(vm0), "failureDomain"), str(status(vm1), "failureDomain"));

  JsonObject cluster = lxdCluster();
  LoadedPlugin::Call dnsCall;
  dnsCall.cluster = cluster;
  dnsCall.machines = {vm0, vm1, metal};
  auto out = dns.reconcile(cluster, dnsCall);
  ASSERT_TRUE(out.ok()) << out.error->message;
  const std::string fqdn = str(cluster->getObject("status")->getObject("network"), "dnsName");
  std::vector<std::string> want;
  for (const auto& m : {vm0, vm1, metal}) {
    auto a = status(m)->getArray("addresses");
    ASSERT_GT(a->size(), 0u) << toText(m);
    want.push_back(a->getObject(0)->getValue<std::string>("address"));
  }
  std::vector<std::string> have;
  auto records = sim_->dnsResources();
  for (size_t i = 0; i < records->size(); ++i) {
    auto r = records->getObject(static_cast<unsigned>(i));
    if (r->getValue<std::string>("fqdn") != fqdn) continue;
    auto ips = r->getArray("ip_addresses");
    for (size_t j = 0; j < ips->size(); ++j) {
      have.push_back(ips->getObject(static_cast<unsigned>(j))->getValue<std::string>("ip"));
    }
  }
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  EXPECT_EQ(have, want) << fqdn;
}

// The kit's scenarios but `idempotence`, with this test's own inventory; the whole kit,
// `idempotence` included, runs on lxd.so in common_conformance_test.cpp. One compose and one
// allocate per object, a lost status included, is also proven with /_sim/counters in
// CrashBetweenComposeAndStatusWriteAdoptsTheVmWithOneCompose.
TEST_F(LxdLifecycle, PassesMaasprovPluginCheckAgainstMaasSim) {
  // The kit's inventory: one VM host, a domain for its sample cluster.
  maassim::testing::SimProcess sim(maassim::testing::SimProcess::Yaml(
      R"(
user: admin
zones: [{name: zone-a}]
domains: [{name: maas, default: true}, {name: maas.test}]
subnets: [{name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}]
vm_hosts:
  - {name: lxd-1, zone: zone-a, cores: 64, memory: 131072, storage_pools: [{name: default, size_gb: 2000}]}
)",
      {"--deploy-seconds", "0.2", "--release-seconds", "0.2", "--commission-seconds", "0.1"}));
  Poco::Pipe pipe;
  Poco::ProcessHandle check =
      Poco::Process::launch(MAASPROV_PLUGIN_CHECK,
                            {std::string(MAASPROV_PLUGIN_DIR) + "/lxd.so",
                             "--maas-url",
                             sim.base_url() + "/MAAS",
                             "--maas-key",
                             maassim::testing::SimProcess::default_api_key(),
                             "--config",
                             R"({"pollSeconds": 1, "retryBaseSeconds": 1, "bootstrapWaitSeconds": 1,
           "backoffInitialSeconds": 1})",
                             "--timeout",
                             "60",
                             "--rounds",
                             "40",
                             "--only",
                             "negotiation",
                             "--only",
                             "descriptor",
                             "--only",
                             "create-destroy",
                             "--only",
                             "reconcile-invalid",
                             "--only",
                             "maas-failures",
                             "--only",
                             "exception-safety",
                             "--only",
                             "concurrency",
                             "--only",
                             "reconcile-valid",
                             "--only",
                             "remove-after-partial",
                             "--only",
                             "checkpoint-failure"},
                            nullptr, &pipe, &pipe);
  Poco::PipeInputStream stream(pipe);
  std::string report;
  Poco::StreamCopier::copyToString(stream, report);
  EXPECT_EQ(check.wait(), 0) << report;
  EXPECT_NE(report.find("summary: 10 passed, 0 failed, 0 crashed, 0 timed out, 0 skipped"),
            std::string::npos)
      << report;
}

// A deployment MAAS refused (400: bad user data) whose DELETE then failed (503): the VM was
// given up (systemID null, its id in discardedSystemIDs) but MAAS still has it, Allocated, under
// the object's hostname. The lookup by hostname must not adopt and deploy it (the DELETE landing
// later would take it away: MachineReleased); it deletes it again and waits, and composes a new
// VM (same hostname) only once MAAS no longer lists it.
TEST_F(LxdLifecycle, AGivenUpVmWhoseDeleteFailedIsDeletedAgainNeverRedeployed) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("refused", lxdSpec(1, 1024));
  LoadedPlugin::Call bad = call_;
  bad.userData = "not base64!";  // MAAS refuses the deployment: 400
  const std::string first = composeUntilReady(m, bad);
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(setFaults(R"({"endpoints": {"DELETE machines/{id}": {"503": 1.0}}})"), 200);
  auto out = plugin_->reconcile(m, bad);  // allocated, deploy refused, DELETE fails
  ASSERT_FALSE(out.ok()) << toText(m);
  EXPECT_TRUE(out.error->retryable) << out.error->message;
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 1);
  EXPECT_EQ(str(status(m), "systemID"), "");
  EXPECT_EQ(strings(status(m), "discardedSystemIDs"), std::vector<std::string>{first}) << toText(m);
  EXPECT_EQ(reasonOf(m, "MachineDeployed"), "DeploymentRetrying");
  ASSERT_EQ(sim_->machine(first)->getValue<std::string>("status_name"), "Allocated");

  // Good user data from now on; MAAS still fails the DELETE.
  const int deletes = sim_->count("DELETE machines/{id}");
  const std::string retrying =
      condition(status(m), "MachineDeployed")->getValue<std::string>("message");
  out = plugin_->reconcile(m, call_);
  EXPECT_FALSE(out.ok()) << toText(m);
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 1) << "the given-up VM was deployed";
  EXPECT_EQ(sim_->machine(first)->getValue<std::string>("status_name"), "Allocated");
  EXPECT_GT(sim_->count("DELETE machines/{id}"), deletes);  // deleted again
  EXPECT_EQ(str(status(m), "systemID"), "");
  EXPECT_EQ(reasonOf(m, "MachineDeployed"), "DeploymentRetrying");
  EXPECT_EQ(condition(status(m), "MachineDeployed")->getValue<std::string>("message"), retrying);
  EXPECT_EQ(composes(), 1);

  // MAAS deletes it now: the next reconcile waits for it to be gone, then a new VM is composed
  // with the same hostname and deployed.
  ASSERT_EQ(setFaults("{}"), 200);
  out = plugin_->reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_FALSE(ready(out));
  EXPECT_TRUE(out.requeueAfter.has_value());
  EXPECT_EQ(reasonOf(m, "MachineDeployed"), "DeploymentRetrying");
  EXPECT_EQ(reasonOf(m, "LXDVMCreated"), "WaitingForVMDeletion") << toText(m);
  deploy(m);
  EXPECT_FALSE(sim_->machine(first));
  EXPECT_NE(str(status(m), "systemID"), first);
  EXPECT_EQ(composes(), 2);
  EXPECT_EQ(sim_->heldBy("uid-refused").size(), 1u);
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 2);
  EXPECT_FALSE(status(m)->has("failureReason")) << toText(m);
  EXPECT_EQ(strings(status(m), "discardedSystemIDs"), std::vector<std::string>{first});
}

// A deploy answered 503 says nothing about the VM: MAAS may or may not have started. The
// reconcile fails retryable, the VM stays recorded and allocated, it is not deleted and no
// attempt is spent; once MAAS answers, the same VM is deployed.
TEST_F(LxdLifecycle, ADeployAnswered503KeepsTheVmAndDeploysItLater) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("unsure", lxdSpec(1, 1024));
  const std::string sid = composeUntilReady(m);
  ASSERT_FALSE(sid.empty());
  ASSERT_EQ(setFaults(R"({"endpoints": {"POST machines/{id} op=deploy": {"503": 1.0}}})"), 200);
  for (int i = 0; i < 2; ++i) {
    auto out = plugin_->reconcile(m, call_);
    ASSERT_FALSE(out.ok()) << toText(m);
    EXPECT_EQ(out.error->type, plugin::ErrorType::Transient) << out.error->message;
    EXPECT_TRUE(out.error->retryable);
    EXPECT_NE(out.error->message.find("op=deploy"), std::string::npos) << out.error->message;
    EXPECT_EQ(str(status(m), "systemID"), sid);
    EXPECT_EQ(sim_->machine(sid)->getValue<std::string>("status_name"), "Allocated");
    EXPECT_NE(reasonOf(m, "MachineDeployed"), "DeploymentRetrying") << toText(m);
  }
  EXPECT_EQ(sim_->count("DELETE machines/{id}"), 0);
  EXPECT_EQ(sim_->count("POST machines/{id} op=deploy"), 2);
  EXPECT_TRUE(strings(status(m), "discardedSystemIDs").empty());
  ASSERT_EQ(setFaults("{}"), 200);
  deploy(m);
  EXPECT_EQ(str(status(m), "systemID"), sid);
  EXPECT_EQ(composes(), 1);
  EXPECT_EQ(sim_->count("POST machines op=allocate"), 1);
  EXPECT_EQ(sim_->count("DELETE machines/{id}"), 0);
  EXPECT_NE(
      condition(status(m), "MachineDeployed")->getValue<std::string>("message").find("deployed on"),
      std::string::npos);
}

}  // namespace
}  // namespace maasprov::plugins::test
