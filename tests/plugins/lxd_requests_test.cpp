// What an LXD VM costs MAAS, counted by maas-sim (/_sim/counters) through the real loader: a VM
// from compose to Deployed when the host's poller wakes each reconcile with `observed`; a VM
// host's project read once per host (not per VM), and again before a terminal ProjectNotFound;
// a reconcile given `observed` making no machine lookup, while one with nothing recorded always
// looks the VM up (crash safety); the VM hosts' backing machines read once per cache TTL
// (backingMachineCacheMillis, set per test so that no count depends on the machine's speed),
// shared by concurrent composes, read again after the TTL or a refused compose. The VM host list
// has its own tests (lxd_host_cache_test.cpp); here it is kept for as long as the test runs.
#include <thread>

#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

constexpr const char* kParameters = "GET vm-hosts/{id} op=parameters";
constexpr const char* kMachineLookup = "GET machines";    // ?hostname=, ?id=, ?agent_name=
constexpr const char* kPollerRead = "GET machines/{id}";  // the test playing the host's poller
constexpr const char* kVmHostList = "GET vm-hosts";

// Longer than any test runs: every count below holds however slow the machine is.
constexpr int kLongTtl = 600000;
// kLxdFastConfig, reusing backing machines for `ms` and the VM host list for the whole test.
std::string cacheConfig(int ms) {
  return R"({"pollSeconds": 1, "retryBaseSeconds": 1, "bootstrapWaitSeconds": 1,
             "vmHostCacheMillis": 600000, "backingMachineCacheMillis": )" +
         std::to_string(ms) + "}";
}

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

  // Composes `m` with one reconcile (nothing recorded yet).
  void composeOnce(LoadedPlugin& plugin, const JsonObject& m) {
    auto out = plugin.reconcile(m, call_);
    ASSERT_TRUE(out.ok()) << out.error->message;
    ASSERT_EQ(reasonOf(m, "LXDVMCreated"), "Commissioning") << toText(m);
  }

  // GET machines/?id= requests (backing machines) so far, when every other GET machines was
  // one hostname lookup per compose reconcile: the simulator labels both "GET machines".
  int backingReads(int composeReconciles) {
    return sim_->count(kMachineLookup) - composeReconciles;
  }

  // The system_id of the machine backing VM host `name`.
  std::string backingMachine(const std::string& name) {
    auto r = sim_->api("GET", "vm-hosts/" + hostId(name) + "/");
    return r.object()->getObject("host")->getValue<std::string>("system_id");
  }

  static void inCluster(const JsonObject& m, const std::string& cluster) {
    m->getObject("metadata")->getObject("labels")->set("cluster.x-k8s.io/cluster-name", cluster);
  }
};

TEST_F(LxdRequests, AVmFromComposeToDeployedCostsAtMostEightRequestsWithThePoller) {
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  // Three VMs on one host: the first also reads the VM hosts, the host's project and its
  // backing machine, the others do not (within the caches' TTLs).
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
  // GET machines?hostname= (nothing recorded yet), compose; then allocate, annotate, deploy;
  // the first VM also GET vm-hosts/, ?op=parameters and GET machines?id= (the host's backing
  // machine). Was 12.1 per VM (docs/performance.md), then 8 and 6 with GET vm-hosts/ per VM.
  EXPECT_EQ(perVm[0], 8) << toText(sim_->counters());
  EXPECT_EQ(perVm[1], 5) << toText(sim_->counters());
  EXPECT_EQ(perVm[2], 5) << toText(sim_->counters());
  EXPECT_EQ(sim_->count(kParameters), 1);
  EXPECT_EQ(sim_->count(kVmHostList), 1);  // the ledger counts the VMs composed since
  EXPECT_EQ(backingReads(3), 1);
}

// Deleting: the first pass looks (by hostname and by agent_name) and releases; the pass the
// poller wakes once MAAS has released the VM uses its read instead of looking, decomposes, and
// confirms with one more look that nothing of ours is left. 8 before the poller's read was used.
TEST_F(LxdRequests, ADeletedVmCostsSixRequestsWithThePoller) {
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  JsonObject m =
      lxdMachine("gone", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-a1"})"), false);
  deployWithPoller(m, call_);
  const std::string sid = str(status(m), "systemID");
  const int before = pluginRequests();
  auto first = plugin_->remove(m, call_);
  ASSERT_TRUE(first.ok() && !first.done);
  ASSERT_TRUE(eventually(
      [&] { return sim_->machine(sid)->getValue<std::string>("status_name") == "Ready"; }));
  LoadedPlugin::Call woken = call_;
  woken.observed = poll(m);
  ASSERT_TRUE(woken.observed);
  auto second = plugin_->remove(m, woken);
  ASSERT_TRUE(second.ok()) << second.error->message;
  EXPECT_TRUE(second.done);
  EXPECT_FALSE(sim_->machine(sid));
  EXPECT_EQ(usedCores("lxd-a1"), 0);
  EXPECT_EQ(pluginRequests() - before, 6) << toText(sim_->counters());
}

TEST_F(LxdRequests, ADeleteGivenAnotherMachinesReadStillLooks) {
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  JsonObject m =
      lxdMachine("looks", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-a1"})"), false);
  deployWithPoller(m, call_);
  const std::string sid = str(status(m), "systemID");
  LoadedPlugin::Call call = call_;
  call.observed = parseObject(R"({"system_id": "other", "hostname": "other"})");
  const int before = pluginRequests();
  auto first = plugin_->remove(m, call);
  ASSERT_TRUE(first.ok() && !first.done);
  EXPECT_EQ(sim_->machine(sid)->getValue<std::string>("status_name"), "Releasing");
  EXPECT_EQ(pluginRequests() - before, 3) << toText(sim_->counters());  // 2 looks, release
  removeAll(m);
  EXPECT_FALSE(sim_->machine(sid));
}

TEST_F(LxdRequests, BackToBackComposesReadTheBackingMachinesOnceWithinTheTtl) {
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  for (int i = 0; i < 10; ++i) {
    composeOnce(*plugin_, lxdMachine("b-" + std::to_string(i), lxdSpec(1, 1024), false));
  }
  EXPECT_EQ(composes("200"), 10);
  EXPECT_EQ(sim_->count(kVmHostList), 1);
  EXPECT_EQ(backingReads(10), 1) << toText(sim_->counters());  // all four hosts, one request
  for (const char* h : {"lxd-a1", "lxd-a2", "lxd-b1", "lxd-c1"}) EXPECT_GT(vmCount(h), 0) << h;

  // With the TTL at 0 nothing is reused: one read per compose.
  LoadedPlugin uncached("lxd", sim_->client(), cacheConfig(0));
  const int before = backingReads(10);
  for (int i = 0; i < 3; ++i) {
    composeOnce(uncached, lxdMachine("u-" + std::to_string(i), lxdSpec(1, 1024), false));
  }
  EXPECT_EQ(backingReads(13) - before, 3);
}

TEST_F(LxdRequests, ConcurrentComposesShareOneReadOfTheBackingMachines) {
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  std::vector<JsonObject> vms;
  for (int i = 0; i < 10; ++i)
    vms.push_back(lxdMachine("c-" + std::to_string(i), lxdSpec(1, 1024)));
  std::vector<plugin::CallOutcome> outs(vms.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < vms.size(); ++i) {
    threads.emplace_back([&, i] { outs[i] = plugin_->reconcile(vms[i], call_); });
  }
  for (auto& t : threads) t.join();
  for (const auto& o : outs) EXPECT_TRUE(o.ok()) << o.error->message;
  EXPECT_EQ(composes("200"), 10);
  // Whichever compose reads first, the others wait for its answer or find it cached.
  EXPECT_EQ(backingReads(10), 1) << toText(sim_->counters());
}

TEST_F(LxdRequests, AHostTaggedForMaintenanceIsAvoidedOnceTheCacheExpired) {
  // Two instances against one MAAS: `expiring` with the TTL at 0 (every entry expired by the
  // next compose), `cached` with a TTL longer than the test. Both have read zone-a's backing
  // machines when an operator tags lxd-a1's machine for maintenance.
  start(kThreeZoneHosts, cacheConfig(0));
  LoadedPlugin& expiring = *plugin_;
  LoadedPlugin cached("lxd", sim_->client(), cacheConfig(kLongTtl));
  const std::string zoneA = R"(, "failureDomain": "zone-a")";
  for (LoadedPlugin* p : {&expiring, &cached}) {
    JsonObject warm =
        lxdMachine(p == &cached ? "warm-c" : "warm-e", lxdSpec(1, 1024, zoneA), false);
    inCluster(warm, "other");  // not counted against the hosts of cluster prod's VMs below
    composeOnce(*p, warm);
    EXPECT_EQ(str(status(warm), "lxdHost"), "lxd-a1");  // the most memory free
  }
  ASSERT_EQ(backingReads(2), 2);
  ASSERT_EQ(sim_->api("POST", "tags/", {{"name", "maasprov-maintenance"}}).status, 200);
  ASSERT_EQ(sim_->api("POST", "tags/maasprov-maintenance/?op=update_nodes",
                      {{"add", backingMachine("lxd-a1")}})
                .status,
            200);

  JsonObject after = lxdMachine("after", lxdSpec(1, 1024, zoneA), false);
  composeOnce(expiring, after);
  EXPECT_EQ(str(status(after), "lxdHost"), "lxd-a2");
  EXPECT_EQ(backingReads(3), 3);

  // Within its TTL the other instance still places on lxd-a1 (the documented trade-off): the
  // TTL, not anything else, is what made the tag visible above.
  JsonObject stale = lxdMachine("stale", lxdSpec(1, 1024, zoneA), false);
  composeOnce(cached, stale);
  EXPECT_EQ(str(status(stale), "lxdHost"), "lxd-a1");
  EXPECT_EQ(backingReads(4), 3);
}

TEST_F(LxdRequests, PlacementFailsOnlyOnBackingMachinesReadAfresh) {
  // lxd-a1's machine is cached as in maintenance for the whole test (TTL); the operator ends
  // the maintenance, and the next compose, about to fail on the cached read, reads it again.
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  const std::string a1 = backingMachine("lxd-a1");
  ASSERT_EQ(sim_->api("POST", "tags/", {{"name", "maasprov-maintenance"}}).status, 200);
  ASSERT_EQ(sim_->api("POST", "tags/maasprov-maintenance/?op=update_nodes", {{"add", a1}}).status,
            200);
  JsonObject m = lxdMachine("f", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-a1"})"), false);
  auto out = plugin_->reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::HostUnavailable);
  EXPECT_NE(out.error->message.find("backing machine tagged maasprov-maintenance"),
            std::string::npos)
      << out.error->message;
  EXPECT_EQ(backingReads(1), 1);  // read for this compose: not read again

  ASSERT_EQ(
      sim_->api("POST", "tags/maasprov-maintenance/?op=update_nodes", {{"remove", a1}}).status,
      200);
  composeOnce(*plugin_, m);
  EXPECT_EQ(str(status(m), "lxdHost"), "lxd-a1");
  EXPECT_EQ(backingReads(2), 2);
}

TEST_F(LxdRequests, ARefusedComposeDropsThatHostsBackingMachine) {
  start(kThreeZoneHosts, cacheConfig(kLongTtl));
  composeOnce(*plugin_, lxdMachine("r-0", lxdSpec(1, 1024), false));
  ASSERT_EQ(backingReads(1), 1);

  ASSERT_EQ(setFaults(R"({"endpoints": {"POST vm-hosts/{id} op=compose": {"503": 1.0}}})"), 200);
  JsonObject refused = lxdMachine("r-1", lxdSpec(1, 1024), false);
  auto out = plugin_->reconcile(refused, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::VMCreationFailed);
  EXPECT_EQ(backingReads(2), 1);  // placed on the cached machines
  ASSERT_EQ(setFaults("{}"), 200);

  composeOnce(*plugin_, refused);
  EXPECT_EQ(backingReads(3), 2);  // the refused host's machine, read again
  composeOnce(*plugin_, lxdMachine("r-2", lxdSpec(1, 1024), false));
  EXPECT_EQ(backingReads(4), 2);  // and cached again
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

// Before compose the plugin records where the VM goes and its hostname; the system_id MAAS
// answers is stored with the call's result, not in a checkpoint of its own (a write per VM), and
// a crash that loses that result still finds the VM by the hostname and never composes twice.
TEST_F(LxdRequests, AComposeCheckpointsItsHostnameAndLeavesTheSystemIdToTheResult) {
  start(kThreeZoneHosts);
  JsonObject m = lxdMachine("once", lxdSpec(1, 1024));
  auto out = plugin_->reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  ASSERT_EQ(plugin_->lastCheckpoints.size(), 1u) << toText(m);
  const JsonObject& before = plugin_->lastCheckpoints.front();
  EXPECT_EQ(before->optValue<std::string>("hostname", ""), str(status(m), "hostname"));
  EXPECT_FALSE(before->optValue<std::string>("lxdHost", "").empty());
  EXPECT_FALSE(before->has("systemID"));
  const std::string sid = str(status(m), "systemID");
  ASSERT_FALSE(sid.empty()) << "the result carries the system_id";

  // The host crashed before storing that result: only the hostname was recorded.
  JsonObject lost = lxdMachine("lost", lxdSpec(1, 1024));
  LoadedPlugin::Call crashed = call_;
  crashed.applyResult = false;
  ASSERT_TRUE(plugin_->reconcile(lost, crashed).ok());
  EXPECT_EQ(str(status(lost), "systemID"), "");
  ASSERT_FALSE(str(status(lost), "hostname").empty());
  ASSERT_TRUE(plugin_->reconcile(lost, call_).ok());
  EXPECT_FALSE(str(status(lost), "systemID").empty()) << toText(lost);
  EXPECT_EQ(composes(), 2);  // one per object: the lost one was found by hostname, not composed
}

}  // namespace
}  // namespace maasprov::plugins::test
