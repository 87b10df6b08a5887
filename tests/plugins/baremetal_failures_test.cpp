// The bare-metal plugin when deployments fail and when MAAS carries out a request late (sent
// before the daemon died, or held up in MAAS): machines given up are released and never
// adopted again, retries are bounded, a 5xx deploy keeps the machine, and nothing MAAS ends up
// holding is left without an owner. Real loader, real maas-sim.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "baremetal_test_inventory.hpp"
#include "baremetal_test_support.hpp"
#include "common_plugin_harness.hpp"
#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

TEST_F(BareMetalTest, FailedDeploymentIsReleasedAndRetried) {
  const std::string flaky = sim_.systemId("flaky");
  auto m = machineObject("retry", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "systemID": ")" + flaky + R"("})");
  bool sawRetrying = false;
  auto done = plugin_.reconcileUntil(m, call_, [&](const plugin::CallOutcome& o) {
    auto c = condition(status(m), "MachineDeployed");
    if (c && c->getValue<std::string>("reason") == "DeploymentRetrying") {
      sawRetrying = true;
      EXPECT_EQ(str(status(m), "systemID"), "");  // forgotten while released
    }
    return ready(o);
  });
  ASSERT_TRUE(ready(done)) << toText(m);
  EXPECT_TRUE(sawRetrying);
  EXPECT_EQ(str(status(m), "systemID"), flaky);
  EXPECT_EQ(sim_.count("POST machines/{id} op=release"), 1);
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 2);
}

TEST(BareMetalTerminal, FailedDeploymentBeyondTheBudgetIsTerminalAndLeaksNothing) {
  SimMaas sim(kBareMetalInventory);
  LoadedPlugin plugin("baremetal", sim.client(), R"({"pollSeconds": 1, "maxDeployAttempts": 1})");
  LoadedPlugin::Call call;
  call.cluster = clusterObject();
  call.userData = kUserData;
  auto m = machineObject("doomed", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "systemID": ")" + sim.systemId("flaky") +
                                       R"("})");
  plugin.reconcileUntil(m, call, [&](const plugin::CallOutcome&) {
    return !str(m->getObject("status"), "failureReason").empty();
  });
  auto s = m->getObject("status");
  EXPECT_EQ(str(s, "failureReason"), "CreateError");
  EXPECT_NE(str(s, "failureMessage").find("Failed deployment"), std::string::npos);
  EXPECT_EQ(condition(s, "MachineDeployed")->getValue<std::string>("reason"), "DeploymentFailed");
  std::string state = sim.machine("flaky")->getValue<std::string>("status_name");
  EXPECT_TRUE(state == "Releasing" || state == "Ready") << state;
  // Terminal: later reconciles do not allocate again.
  int allocations = sim.count("POST machines op=allocate");
  ASSERT_TRUE(plugin.reconcile(m, call).ok());
  EXPECT_EQ(sim.count("POST machines op=allocate"), allocations);
}

TEST(BareMetalTerminal, DeployRefusedAfterAllocationReleasesAndSaysWhy) {
  SimMaas sim(kBareMetalInventory);
  LoadedPlugin plugin("baremetal", sim.client(), R"({"maxDeployAttempts": 1})");
  LoadedPlugin::Call call;
  call.cluster = clusterObject();
  call.userData = "not base64!";  // MAAS refuses the deployment: 400
  auto m = machineObject("refused", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "systemID": ")" + sim.systemId("plain-1") +
                                        R"("})");
  auto out = plugin.reconcile(m, call);
  ASSERT_TRUE(out.ok()) << out.error->message;
  auto s = m->getObject("status");
  EXPECT_NE(str(s, "failureMessage").find("refused to deploy"), std::string::npos) << toText(s);
  EXPECT_NE(str(s, "failureMessage").find("HTTP 400"), std::string::npos) << toText(s);
  EXPECT_NE(str(s, "failureMessage").find("Invalid base64"), std::string::npos) << toText(s);
  EXPECT_EQ(sim.machine("plain-1")->getValue<std::string>("status_name"), "Releasing");
  EXPECT_EQ(sim.count("POST machines/{id} op=release"), 1);
  EXPECT_EQ(strings(s, "discardedSystemIDs"), std::vector<std::string>{sim.systemId("plain-1")});
}

// MAAS answering a deploy with 503 ("No more IPs", MAAS's StaticIPAddressExhaustion) has not
// refused the machine: it stays recorded and held, the error is retryable, no attempt is spent.
TEST(BareMetalTerminal, NoFreeIpForTheDeploymentIsRetryableAndKeepsTheMachine) {
  SimMaas sim(kBareMetalInventory);
  LoadedPlugin plugin("baremetal", sim.client(), R"({"maxDeployAttempts": 1})");
  LoadedPlugin::Call call;
  call.cluster = clusterObject();
  call.userData = kUserData;
  const std::string squeezed = sim.systemId("squeezed");
  auto m = machineObject("squeezed", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "systemID": ")" + squeezed + R"("})");
  auto out = plugin.reconcile(m, call);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::Transient);
  EXPECT_TRUE(out.error->retryable);
  EXPECT_NE(out.error->message.find("No more IPs"), std::string::npos) << out.error->message;
  auto s = m->getObject("status");
  EXPECT_EQ(str(s, "systemID"), squeezed);
  EXPECT_EQ(str(s, "failureReason"), "");
  EXPECT_EQ(sim.machine("squeezed")->getValue<std::string>("status_name"), "Allocated");
  EXPECT_EQ(sim.count("POST machines/{id} op=release"), 0);
}

// MAAS allocates a Ready machine it is asked to deploy. A deploy held up in MAAS while the
// machine was given back (a restarted daemon released it) lands on a Ready machine: it must
// come out marked as the object's (agent_name), so that the object's next listing releases it,
// not as a deployed machine nobody can find.
TEST_F(BareMetalTest, ADeployThatLandsAfterTheMachineWasGivenBackIsMarkedAsTheObjects) {
  ASSERT_EQ(
      sim_.setFaults(
          R"({"endpoints": {"POST machines/{id} op=deploy": {"slow": 1.0, "slow_ms": 1500}}})"),
      200);
  auto m = machineObject("stalled", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  plugin::CallOutcome out;
  std::thread reconcile([&] { out = plugin_.reconcile(m, call_); });
  std::string id;
  for (int i = 0; i < 100 && id.empty(); ++i) {  // allocated, its deploy held up in MAAS
    auto held = sim_.heldBy("uid-stalled");
    if (!held.empty()) id = held.front()->getValue<std::string>("system_id");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(id.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto released = sim_.api("POST", "machines/" + id + "/?op=release");
  ASSERT_EQ(released.status, 200) << released.body;
  reconcile.join();
  ASSERT_TRUE(out.ok()) << out.error->message;
  JsonObject landed = sim_.machine(id);
  ASSERT_TRUE(landed);
  EXPECT_EQ(landed->getValue<std::string>("status_name"), "Deploying") << toText(landed);
  EXPECT_EQ(landed->getValue<std::string>("agent_name"), "uid-stalled") << toText(landed);
  ASSERT_EQ(sim_.setFaults("{}"), 200);
}

// allocate is not idempotent: one sent before a crash (or a timed-out call) can land after the
// object allocated another machine. Ready means MAAS holds that one machine for the object.
TEST_F(BareMetalTest, AnAllocationThatLandsLateIsReleasedBeforeTheMachineIsReady) {
  auto m = machineObject("late", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  LoadedPlugin::Call call = call_;
  auto first = plugin_.reconcile(m, call);
  ASSERT_TRUE(first.ok()) << first.error->message;
  const std::string mine = str(m->getObject("status"), "systemID");
  ASSERT_FALSE(mine.empty());
  // The earlier allocate lands now, under the same agent_name.
  auto late = sim_.api("POST", "machines/?op=allocate",
                       {{"agent_name", "uid-late"}, {"cpu_count", "1"}, {"mem", "1024"}});
  ASSERT_EQ(late.status, 200) << late.body;
  const std::string extra = late.object()->getValue<std::string>("system_id");
  ASSERT_NE(extra, mine);

  bool done = false;
  for (int i = 0; i < 60 && !done; ++i) {
    call.observed = pollerRead(sim_, m);  // woken by the poller, as in the daemon
    auto out = plugin_.reconcile(m, call);
    ASSERT_TRUE(out.ok()) << out.error->message;
    done = ready(out);
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(done) << toText(m);
  EXPECT_EQ(str(m->getObject("status"), "systemID"), mine);
  JsonObject gone = sim_.machine(extra);
  ASSERT_TRUE(gone);
  const std::string state = gone->getValue<std::string>("status_name");
  EXPECT_TRUE(state == "Releasing" || state == "Ready") << state;
  std::vector<std::string> held;
  for (const auto& h : sim_.heldBy("uid-late")) {
    const std::string s = h->getValue<std::string>("status_name");
    if (s != "Releasing" && s != "Ready") held.push_back(h->getValue<std::string>("system_id"));
  }
  EXPECT_EQ(held, std::vector<std::string>{mine});
}

// A deploy answered 503 (or not at all) says nothing about the machine: MAAS may or may not
// have started. The reconcile fails retryable, the machine stays recorded and held, nothing is
// released and no attempt is spent; once MAAS answers, the same machine is deployed.
TEST_F(BareMetalTest, ADeployAnswered503KeepsTheMachineAndDeploysItLater) {
  auto m = machineObject("unsure", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  ASSERT_EQ(sim_.setFaults(R"({"endpoints": {"POST machines/{id} op=deploy": {"503": 1.0}}})"),
            200);
  std::string id;
  for (int i = 0; i < 2; ++i) {
    auto out = plugin_.reconcile(m, call_);
    ASSERT_FALSE(out.ok()) << toText(m);
    EXPECT_EQ(out.error->type, plugin::ErrorType::Transient) << out.error->message;
    EXPECT_TRUE(out.error->retryable);
    EXPECT_NE(out.error->message.find("op=deploy"), std::string::npos) << out.error->message;
    EXPECT_NE(out.error->message.find("503"), std::string::npos) << out.error->message;
    if (i == 0) id = str(status(m), "systemID");
    ASSERT_FALSE(id.empty()) << toText(m);
    EXPECT_EQ(str(status(m), "systemID"), id);
    EXPECT_EQ(sim_.machine(id)->getValue<std::string>("status_name"), "Allocated");
    EXPECT_EQ(sim_.machine(id)->getValue<std::string>("agent_name"), "uid-unsure");
    auto c = condition(status(m), "MachineDeployed");
    EXPECT_TRUE(!c || c->getValue<std::string>("reason") != "DeploymentRetrying") << toText(m);
  }
  EXPECT_EQ(sim_.count("POST machines/{id} op=release"), 0);
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 2);
  EXPECT_TRUE(strings(status(m), "discardedSystemIDs").empty());
  ASSERT_EQ(sim_.setFaults("{}"), 200);
  ASSERT_TRUE(ready(plugin_.reconcileUntil(m, call_, ready))) << toText(m);
  EXPECT_EQ(str(status(m), "systemID"), id);
  EXPECT_NE(
      condition(status(m), "MachineDeployed")->getValue<std::string>("message").find("deployed on"),
      std::string::npos);
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
  EXPECT_EQ(sim_.count("POST machines/{id} op=release"), 0);
  EXPECT_EQ(sim_.heldBy("uid-unsure").size(), 1u);
}

// A deployment MAAS refused (400: bad user data) whose release then failed (503): the machine
// was given up (systemID null, its id in discardedSystemIDs) but MAAS still shows it Allocated
// under the uid. The lookup by agent_name must release it again, never adopt and deploy it (the
// release landing later would take the deployed machine away: MachineReleased).
TEST(BareMetalGivenUp, AMachineWhoseReleaseFailedIsReleasedAgainNeverRedeployed) {
  // Releases last long enough that the given-up machine is still Releasing at the end.
  SimMaas sim(kBareMetalInventory, {"--deploy-seconds", "0.2", "--release-seconds", "60",
                                    "--commission-seconds", "0.1"});
  LoadedPlugin plugin("baremetal", sim.client(), kFastConfig);
  LoadedPlugin::Call call;
  call.cluster = clusterObject();
  call.userData = "not base64!";  // MAAS refuses the deployment: 400
  auto m = machineObject("given-up", R"({"minCPU": 4, "minMemory": 8192, "image": "ubuntu/jammy",
      "failureDomain": "zone-b"})");
  auto st = [&] { return m->getObject("status"); };
  ASSERT_EQ(sim.setFaults(R"({"endpoints": {"POST machines/{id} op=release": {"503": 1.0}}})"),
            200);
  auto out = plugin.reconcile(m, call);  // allocated, deploy refused, release fails
  ASSERT_FALSE(out.ok()) << toText(m);
  EXPECT_TRUE(out.error->retryable) << out.error->message;
  ASSERT_EQ(sim.heldBy("uid-given-up").size(), 1u);
  const std::string first = sim.heldBy("uid-given-up")[0]->getValue<std::string>("system_id");
  EXPECT_EQ(sim.count("POST machines/{id} op=deploy"), 1);
  EXPECT_EQ(str(st(), "systemID"), "");
  EXPECT_EQ(strings(st(), "discardedSystemIDs"), std::vector<std::string>{first}) << toText(m);
  EXPECT_EQ(condition(st(), "MachineDeployed")->getValue<std::string>("reason"),
            "DeploymentRetrying");
  ASSERT_EQ(sim.machine(first)->getValue<std::string>("status_name"), "Allocated");

  // Good user data from now on; MAAS still fails the release.
  call.userData = kUserData;
  const int releases = sim.count("POST machines/{id} op=release");
  out = plugin.reconcile(m, call);
  EXPECT_FALSE(out.ok()) << toText(m);
  EXPECT_EQ(sim.count("POST machines/{id} op=deploy"), 1) << "the given-up machine was deployed";
  EXPECT_EQ(sim.machine(first)->getValue<std::string>("status_name"), "Allocated");
  EXPECT_GT(sim.count("POST machines/{id} op=release"), releases);  // released again
  EXPECT_EQ(str(st(), "systemID"), "");
  EXPECT_EQ(condition(st(), "MachineDeployed")->getValue<std::string>("reason"),
            "DeploymentRetrying");

  // MAAS releases it now; the object goes on with another machine.
  ASSERT_EQ(sim.setFaults("{}"), 200);
  auto done = plugin.reconcileUntil(m, call, [](const plugin::CallOutcome& o) {
    return o.ok() && o.status && o.status->has("ready") && o.status->getValue<bool>("ready");
  });
  ASSERT_TRUE(done.ok() && done.status->getValue<bool>("ready")) << toText(m);
  const std::string second = str(st(), "systemID");
  EXPECT_NE(second, first);
  EXPECT_EQ(sim.machine(first)->getValue<std::string>("status_name"), "Releasing");
  EXPECT_EQ(sim.machine(second)->getValue<std::string>("status_name"), "Deployed");
  EXPECT_EQ(sim.count("POST machines/{id} op=deploy"), 2);  // the refused one, then `second`
  for (const auto& held : sim.heldBy("uid-given-up")) {
    const std::string id = held->getValue<std::string>("system_id");
    EXPECT_TRUE(id == second || id == first) << toText(held);
  }
  EXPECT_FALSE(st()->has("failureReason") && !st()->isNull("failureReason")) << toText(m);
  // Later reconciles keep it (no MachineReleased), and the given-up id stays listed.
  ASSERT_TRUE(plugin.reconcile(m, call).ok());
  EXPECT_EQ(condition(st(), "MachineDeployed")->getValue<std::string>("reason"), "Deployed");
  EXPECT_EQ(strings(st(), "discardedSystemIDs"), std::vector<std::string>{first});
}

}  // namespace
}  // namespace maasprov::plugins::test
