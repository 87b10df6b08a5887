// What an LXD VM costs MAAS, counted by maas-sim (/_sim/counters) through the real loader: a VM
// from compose to Deployed when the host's poller wakes each reconcile with `observed`; a VM
// host's project read once per host (not per VM), and again before a terminal ProjectNotFound;
// a reconcile given `observed` making no machine lookup, while one with nothing recorded always
// looks the VM up (crash safety).
#include <thread>

#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

constexpr const char* kParameters = "GET vm-hosts/{id} op=parameters";
constexpr const char* kMachineLookup = "GET machines";    // ?hostname=, ?id=, ?agent_name=
constexpr const char* kPollerRead = "GET machines/{id}";  // the test playing the host's poller

class LxdRequests : public LxdTest {
 protected:
  // What the plugin asked MAAS so far: every request but the test's own poller reads.
  int pluginRequests() { return sim_->total() - sim_->count(kPollerRead); }

  // The host's poller: MAAS's view of the machine the object recorded, as the request's
  // "observed"; null while nothing is recorded.
  JsonObject poll(const JsonObject& m) {
    const std::string sid = str(status(m), "systemID");
    if (sid.empty()) return nullptr;
    auto r = sim_->api("GET", "machines/" + sid + "/");
    return r.status == 200 ? r.object() : nullptr;
  }

  // Reconciles until ready, each call woken by the poller (with `observed`).
  void deployWithPoller(const JsonObject& m, LoadedPlugin::Call call) {
    for (int i = 0; i < 80; ++i) {
      call.observed = poll(m);
      auto out = plugin_->reconcile(m, call);
      ASSERT_TRUE(out.ok()) << out.error->message;
      if (ready(out)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "never ready: " << toText(m);
  }
};

TEST_F(LxdRequests, AVmFromComposeToDeployedCostsAtMostEightRequestsWithThePoller) {
  start(kThreeZoneHosts);
  // Three VMs on one host: the first also reads the host's project, the others do not.
  std::vector<int> perVm;
  for (int i = 0; i < 3; ++i) {
    JsonObject m = lxdMachine("w-" + std::to_string(i),
                              lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-a1"})"), false);
    const int before = pluginRequests();
    deployWithPoller(m, call_);
    perVm.push_back(pluginRequests() - before);
    EXPECT_EQ(str(status(m), "machineState"), "Deployed");
    EXPECT_EQ(str(status(m), "lxdProject"), "maasprov");
  }
  // GET machines?hostname= (nothing recorded yet), GET vm-hosts/, GET machines?id= (the host's
  // backing machine), compose; then allocate, annotate, deploy; the first VM also
  // ?op=parameters. Was 12.1 per VM (docs/performance.md).
  EXPECT_EQ(perVm[0], 8) << toText(sim_->counters());
  EXPECT_EQ(perVm[1], 7) << toText(sim_->counters());
  EXPECT_EQ(perVm[2], 7) << toText(sim_->counters());
  EXPECT_EQ(sim_->count(kParameters), 1);
  EXPECT_EQ(sim_->count("GET machines"), 3 * 2);  // per VM: hostname lookup, backing machine
}

TEST_F(LxdRequests, ASecondVmOnTheSameHostDoesNotReadItsParametersAgain) {
  // With lxdConfig.project discovery needs every candidate's project: read once per host.
  start(kThreeZoneHosts);
  const std::string spec = lxdSpec(1, 1024, R"(, "lxdConfig": {"project": "maasprov"})");
  JsonObject first = lxdMachine("p-0", spec, false);
  deploy(first);
  EXPECT_EQ(sim_->count(kParameters), 4);  // lxd-a1, a2, b1, c1
  JsonObject second = lxdMachine("p-1", spec, false);
  deploy(second);
  EXPECT_EQ(sim_->count(kParameters), 4);
  EXPECT_EQ(str(status(second), "lxdProject"), "maasprov");
}

TEST_F(LxdRequests, AProjectChangedInMaasIsReadAgainBeforeAnyProjectNotFound) {
  start(kThreeZoneHosts);
  deploy(lxdMachine("old", lxdSpec(1, 1024, R"(, "lxdConfig": {"project": "maasprov"})"), false));
  const int reads = sim_->count(kParameters);  // every host's project is cached now
  // An operator moves lxd-c1 to project "blue" in MAAS.
  ASSERT_EQ(sim_->api("PUT", "vm-hosts/" + hostId("lxd-c1") + "/", {{"project", "blue"}}).status,
            200);
  JsonObject m =
      lxdMachine("blue", lxdSpec(1, 1024, R"(, "lxdConfig": {"project": "blue"})"), false);
  deploy(m);
  EXPECT_EQ(str(status(m), "lxdHost"), "lxd-c1");
  EXPECT_EQ(str(status(m), "lxdProject"), "blue");
  EXPECT_EQ(sim_->count(kParameters), reads + 4);  // re-read once, not per VM
}

TEST_F(LxdRequests, AReconcileGivenObservedMakesNoMachineLookup) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("seen", lxdSpec(1, 1024));
  ASSERT_TRUE(plugin_->reconcile(m, call_).ok());  // composed; systemID recorded
  ASSERT_FALSE(str(status(m), "systemID").empty());

  LoadedPlugin::Call call = call_;
  call.observed = poll(m);
  ASSERT_TRUE(call.observed);
  const int lookups = sim_->count(kMachineLookup);
  const int total = pluginRequests();
  auto out = plugin_->reconcile(m, call);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(sim_->count(kMachineLookup), lookups);
  EXPECT_EQ(pluginRequests(), total);  // still commissioning: nothing to do, nothing asked
  EXPECT_EQ(reasonOf(m, "LXDVMCreated"), "Commissioning");

  // Another machine's observation is not this VM's: looked up by hostname.
  call.observed = parseObject(R"({"system_id": "other", "hostname": "other"})");
  ASSERT_TRUE(plugin_->reconcile(m, call).ok());
  EXPECT_EQ(sim_->count(kMachineLookup), lookups + 1);
}

TEST_F(LxdRequests, NothingRecordedAlwaysLooksTheVmUpEvenWithObserved) {
  // A crash lost every checkpoint after the compose: only the hostname lookup finds the VM.
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("lost", lxdSpec(1, 1024));
  ASSERT_TRUE(plugin_->reconcile(m, call_).ok());
  JsonObject seen = poll(m);
  ASSERT_TRUE(seen);
  m->set("status", Poco::makeShared<Poco::JSON::Object>());
  LoadedPlugin::Call call = call_;
  call.observed = seen;
  const int lookups = sim_->count(kMachineLookup);
  ASSERT_TRUE(plugin_->reconcile(m, call).ok());
  EXPECT_EQ(sim_->count(kMachineLookup), lookups + 1);
  EXPECT_EQ(str(status(m), "systemID"), seen->getValue<std::string>("system_id"));
  EXPECT_EQ(composes(), 1);  // adopted, not composed again
}

}  // namespace
}  // namespace maasprov::plugins::test
