// The LXD plugin's shared VM host list (vm_host_cache.hpp), through the real loader against
// maas-sim, counted with /_sim/counters: concurrent and back-to-back composes within its
// lifetime read GET vm-hosts/ once, yet never over-commit a host (the ledger subtracts every VM
// composed since the read); a new read after the lifetime, on every compose with 0; a refused
// compose drops the list; a shortfall or a placement error is only ever decided on a list read
// for it.
#include <atomic>
#include <thread>

#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

constexpr const char* kVmHostList = "GET vm-hosts";
// Longer than any test runs: no count below depends on the machine's speed.
constexpr int kLongMs = 600000;

// kLxdFastConfig, reusing the VM host list for `ms`.
std::string listConfig(int ms) {
  return R"({"pollSeconds": 1, "retryBaseSeconds": 1, "bootstrapWaitSeconds": 1,
             "vmHostCacheMillis": )" +
         std::to_string(ms) + "}";
}

class LxdHostList : public LxdTest {
 protected:
  // The plugin's reads of the list (the test's own, through id(), left out).
  int listReads() { return sim_->count(kVmHostList) - ownReads_; }
  // hostId(), which reads the list too.
  std::string id(const std::string& name) {
    ++ownReads_;
    return hostId(name);
  }

  // One reconcile of a new machine (nothing recorded): its compose, or the error.
  plugin::CallOutcome composeOnce(LoadedPlugin& plugin, const JsonObject& m) {
    auto out = plugin.reconcile(m, call_);
    if (out.ok()) {
      EXPECT_EQ(reasonOf(m, "LXDVMCreated"), "Commissioning") << toText(m);
    }
    return out;
  }

 private:
  int ownReads_ = 0;
};

TEST_F(LxdHostList, ConcurrentComposesWithinTheLifetimeReadTheVmHostsOnce) {
  start(kThreeZoneHosts, listConfig(kLongMs));
  std::vector<JsonObject> vms;
  for (int i = 0; i < 12; ++i) {
    vms.push_back(lxdMachine("c-" + std::to_string(i), lxdSpec(1, 1024), false));
  }
  std::vector<plugin::CallOutcome> outs(vms.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < vms.size(); ++i) {
    threads.emplace_back([&, i] { outs[i] = plugin_->reconcile(vms[i], call_); });
  }
  for (auto& t : threads) t.join();
  for (const auto& o : outs) EXPECT_TRUE(o.ok()) << o.error->message;
  EXPECT_EQ(composes("200"), 12);
  // Whichever compose reads first, the others wait for its answer or find it kept.
  EXPECT_EQ(listReads(), 1) << toText(sim_->counters());
  // ... and still spread by free capacity, counting each other's reservations.
  for (const char* h : {"lxd-a1", "lxd-a2", "lxd-b1", "lxd-c1"}) EXPECT_GT(vmCount(h), 0) << h;
}

TEST_F(LxdHostList, ConcurrentComposesFromOneListNeverOverCommit) {
  // Three hosts with 6 cores each: nine 2-core VMs fit, not twelve, all chosen on one list.
  start(R"(
vm_hosts:
  - {name: h1, zone: zone-a, cores: 6, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
  - {name: h2, zone: zone-b, cores: 6, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
  - {name: h3, zone: zone-c, cores: 6, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
)",
        listConfig(kLongMs));
  // Warm the list: every compose below is chosen on it, none on a read of its own.
  ASSERT_TRUE(composeOnce(*plugin_, lxdMachine("warm", lxdSpec(2, 2048), false)).ok());
  ASSERT_EQ(listReads(), 1);
  std::atomic<int> ok{0}, insufficient{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 11; ++i) {
    threads.emplace_back([&, i] {
      auto out =
          plugin_->reconcile(lxdMachine("c-" + std::to_string(i), lxdSpec(2, 2048), false), call_);
      if (out.ok()) {
        ++ok;
      } else if (out.error->type == plugin::ErrorType::InsufficientResources) {
        ++insufficient;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(insufficient.load(), 3);
  for (const char* h : {"h1", "h2", "h3"}) {
    EXPECT_EQ(usedCores(h), 6) << h;
    EXPECT_EQ(vmCount(h), 3) << h;
  }
  EXPECT_EQ(composes("503"), 0);  // never asked MAAS for what the list could not give
  // The shortfalls were decided on a list read after they asked (one read, shared or not).
  EXPECT_GE(listReads(), 2);
  EXPECT_LE(listReads(), 4);
}

TEST_F(LxdHostList, TwoVmsFromOneListDoNotBothGoToAHostWithRoomForOne) {
  start(R"(
vm_hosts:
  - {name: big, zone: zone-a, cores: 2, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
  - {name: small, zone: zone-a, cores: 2, memory: 16384, storage_pools: [{name: default, size_gb: 500}]}
)",
        listConfig(kLongMs));
  JsonObject first = lxdMachine("first", lxdSpec(2, 2048), false);
  JsonObject second = lxdMachine("second", lxdSpec(2, 2048), false);
  ASSERT_TRUE(composeOnce(*plugin_, first).ok());
  ASSERT_TRUE(composeOnce(*plugin_, second).ok());
  // The list still shows `big` empty (and with the most memory free): the ledger's reservation
  // of the first VM is what sends the second elsewhere.
  EXPECT_EQ(str(status(first), "lxdHost"), "big");
  EXPECT_EQ(str(status(second), "lxdHost"), "small");
  EXPECT_EQ(listReads(), 1);
  EXPECT_EQ(usedCores("big"), 2);
  EXPECT_EQ(usedCores("small"), 2);

  // A third finds no room on the kept list; it reads again before saying so, and MAAS is
  // never asked.
  JsonObject third = lxdMachine("third", lxdSpec(2, 2048), false);
  auto out = composeOnce(*plugin_, third);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_EQ(listReads(), 2);
  EXPECT_EQ(composes("503"), 0);
  EXPECT_EQ(composes("200"), 2);
}

TEST_F(LxdHostList, AfterTheLifetimeTheListIsReadAgain) {
  constexpr int kMs = 1000;
  start(kThreeZoneHosts, listConfig(kMs));
  const auto t0 = std::chrono::steady_clock::now();  // the first read is sent after this
  bool readAgain = false;
  for (int i = 0; i < 40 && !readAgain; ++i) {
    ASSERT_TRUE(
        composeOnce(*plugin_, lxdMachine("t-" + std::to_string(i), lxdSpec(1, 1024), false)).ok());
    const auto done = std::chrono::steady_clock::now();
    readAgain = listReads() > 1;
    if (done - t0 < std::chrono::milliseconds(kMs)) {
      EXPECT_EQ(listReads(), 1) << "read again " << (done - t0).count() / 1000000 << " ms in";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(readAgain);
  EXPECT_EQ(listReads(), 2);
}

TEST_F(LxdHostList, ZeroReadsTheListForEveryCompose) {
  start(kThreeZoneHosts, listConfig(0));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        composeOnce(*plugin_, lxdMachine("z-" + std::to_string(i), lxdSpec(1, 1024), false)).ok());
    EXPECT_EQ(listReads(), i + 1);
  }
}

TEST_F(LxdHostList, AComposeRefusedForLackOfResourcesDropsTheList) {
  // Another MAAS client fills the host after our list was read: MAAS refuses our compose, and
  // the retry reads the list again (a shortfall, not a second refused compose).
  start(R"(
vm_hosts:
  - {name: one, zone: zone-a, cores: 4, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
)",
        listConfig(kLongMs));
  ASSERT_TRUE(composeOnce(*plugin_, lxdMachine("ours", lxdSpec(2, 2048), false)).ok());
  ASSERT_EQ(listReads(), 1);
  auto theirs = sim_->api("POST", "vm-hosts/" + id("one") + "/?op=compose",
                          {{"cores", "2"}, {"memory", "2048"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(theirs.status, 200) << theirs.body;

  JsonObject late = lxdMachine("late", lxdSpec(2, 2048), false);
  auto refused = composeOnce(*plugin_, late);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error->type, plugin::ErrorType::VMCreationFailed);
  EXPECT_NE(refused.error->message.find("overcommit"), std::string::npos) << refused.error->message;
  EXPECT_EQ(listReads(), 1);  // chosen on the kept list
  EXPECT_EQ(composes("503"), 1);

  auto again = composeOnce(*plugin_, late);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_EQ(listReads(), 2);
  EXPECT_EQ(composes("503"), 1);
}

TEST_F(LxdHostList, CapacityFreedSinceTheReadIsFoundBeforeAShortfallIsReported) {
  start(R"(
vm_hosts:
  - {name: one, zone: zone-a, cores: 2, memory: 65536, storage_pools: [{name: default, size_gb: 500}]}
)",
        listConfig(kLongMs));
  auto blocker = sim_->api("POST", "vm-hosts/" + id("one") + "/?op=compose",
                           {{"cores", "2"}, {"memory", "2048"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(blocker.status, 200) << blocker.body;
  JsonObject m = lxdMachine("waits", lxdSpec(2, 2048), false);
  auto out = composeOnce(*plugin_, m);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_EQ(listReads(), 1);  // read for this compose: not read again

  const std::string blockerId = blocker.object()->getValue<std::string>("system_id");
  ASSERT_EQ(sim_->api("DELETE", "machines/" + blockerId + "/").status, 204);
  ASSERT_TRUE(composeOnce(*plugin_, m).ok());  // the kept list shows `one` full: read again
  EXPECT_EQ(str(status(m), "lxdHost"), "one");
  EXPECT_EQ(listReads(), 2);
}

TEST_F(LxdHostList, APlacementErrorIsOnlyDecidedOnAListReadForIt) {
  // An operator renames a VM host after the list was read; a VM pinned to the new name is
  // placed there (the kept list does not know the name: read again), not VMHostNotFound.
  start(kThreeZoneHosts, listConfig(kLongMs));
  ASSERT_TRUE(composeOnce(*plugin_, lxdMachine("before", lxdSpec(1, 1024), false)).ok());
  ASSERT_EQ(listReads(), 1);
  ASSERT_EQ(sim_->api("PUT", "vm-hosts/" + id("lxd-c1") + "/", {{"name", "lxd-c9"}}).status, 200);
  JsonObject pinned =
      lxdMachine("pinned", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-c9"})"), false);
  auto out = composeOnce(*plugin_, pinned);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(str(status(pinned), "lxdHost"), "lxd-c9");
  EXPECT_EQ(listReads(), 2);
}

}  // namespace
}  // namespace maasprov::plugins::test
