// The bare-metal plugin's shared list of Ready machines (docs/plugins/baremetal.md, "The Ready
// machine cache"): many allocations from one instance, sequential and concurrent, and machines
// taken outside the plugin, against a real maas-sim through the real loader.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "baremetal_test_inventory.hpp"
#include "baremetal_test_support.hpp"
#include "common_plugin_harness.hpp"
#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

// Many allocations from one plugin instance share the list of Ready bare metal
// (docs/plugins/baremetal.md, "The Ready machine cache").
class BareMetalFleetTest : public ::testing::Test {
 protected:
  static constexpr int kMachines = 20;

  BareMetalFleetTest()
      : sim_(fleetInventory(kMachines + 4)), plugin_("baremetal", sim_.client(), kFastConfig) {
    call_.cluster = clusterObject();
    call_.userData = kUserData;
  }

  // A Ready VM cheaper than every physical machine and matching the same spec: MAAS's own pick.
  std::string composeCheapVm() {
    auto vm = sim_.api("POST", "vm-hosts/1/?op=compose",
                       {{"cores", "1"}, {"memory", "1024"}, {"skip_commissioning", "true"}});
    EXPECT_EQ(vm.status, 200) << vm.body;
    return vm.status == 200 ? vm.object()->getValue<std::string>("system_id") : "";
  }
  static JsonObject worker(int i) {
    return machineObject("w-" + std::to_string(i),
                         R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  }
  // GET machines/?status=ready lists: every reconcile without `observed` also makes exactly
  // one GET machines/?agent_name= lookup, under the same counter.
  int readyLists(int reconciles) { return sim_.count("GET machines") - reconciles; }
  int allocate409s() {
    auto endpoints = sim_.counters()->getObject("endpoints");
    if (!endpoints->has("POST machines op=allocate")) return 0;
    return endpoints->getObject("POST machines op=allocate")->optValue<int>("409", 0);
  }
  // The machines the workers hold: one each, all distinct and physical.
  void expectDistinctPhysicalMachines(const std::vector<JsonObject>& workers) {
    std::set<std::string> taken;
    for (size_t i = 0; i < workers.size(); ++i) {
      auto held = sim_.heldBy("uid-w-" + std::to_string(i));
      ASSERT_EQ(held.size(), 1u) << i;
      EXPECT_TRUE(held[0]->isNull("pod")) << toText(held[0]);
      EXPECT_EQ(held[0]->getValue<std::string>("hostname").rfind("fleet-", 0), 0u);
      taken.insert(held[0]->getValue<std::string>("system_id"));
      EXPECT_EQ(str(workers[i]->getObject("status"), "systemID"),
                held[0]->getValue<std::string>("system_id"));
    }
    EXPECT_EQ(taken.size(), workers.size());
  }

  SimMaas sim_;
  LoadedPlugin plugin_;
  LoadedPlugin::Call call_;
};

TEST_F(BareMetalFleetTest, SequentialAllocationsShareOneListAndNeverRetryATakenMachine) {
  const std::string vm = composeCheapVm();
  std::vector<JsonObject> workers;
  for (int i = 0; i < kMachines; ++i) {
    workers.push_back(worker(i));
    auto out = plugin_.reconcile(workers.back(), call_);
    ASSERT_TRUE(out.ok()) << i << ": " << out.error->message;
  }
  expectDistinctPhysicalMachines(workers);
  EXPECT_EQ(sim_.machine(vm)->getValue<std::string>("status_name"), "Ready");
  EXPECT_EQ(sim_.machine(vm)->getValue<std::string>("agent_name"), "");
  // One list while it is fresh (2 s); a list per allocation before the cache.
  EXPECT_LE(readyLists(kMachines), kMachines / 4) << toText(sim_.counters());
  EXPECT_GE(readyLists(kMachines), 1);
  // Each allocated machine left the shared list at once: no allocation pinned a taken one.
  EXPECT_EQ(sim_.count("POST machines op=allocate"), kMachines);
  EXPECT_EQ(allocate409s(), 0);
}

TEST_F(BareMetalFleetTest, ConcurrentAllocationsWaitForTheListInFlight) {
  const std::string vm = composeCheapVm();
  std::vector<JsonObject> workers;
  for (int i = 0; i < kMachines; ++i) workers.push_back(worker(i));
  std::atomic<int> reconciles{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&, w] {
      // A Transient "allocated by someone else meanwhile" is retried, as the host would.
      for (int attempt = 0; attempt < 10; ++attempt) {
        ++reconciles;
        auto out = plugin_.reconcile(w, call_);
        if (!str(w->getObject("status"), "systemID").empty()) return;
        if (out.ok() || out.error->type != plugin::ErrorType::Transient) break;
      }
      ++failures;
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  expectDistinctPhysicalMachines(workers);
  EXPECT_EQ(sim_.machine(vm)->getValue<std::string>("agent_name"), "");
  // Twenty reconciles asking at once read one list (single flight), plus a forced one for
  // any whose candidates all went to others first.
  EXPECT_LE(readyLists(reconciles.load()), kMachines / 4) << toText(sim_.counters());
  EXPECT_EQ(sim_.count("POST machines op=allocate"), kMachines + allocate409s());
}

TEST(BareMetalLadder, MachinesTakenOutsideThePluginAreDroppedThenAFreshListFindsTheRest) {
  SimMaas sim(ladderInventory(20));
  LoadedPlugin plugin("baremetal", sim.client(), kFastConfig);
  LoadedPlugin::Call call;
  call.cluster = clusterObject();
  call.userData = kUserData;
  int reconciles = 0;
  auto allocateOne = [&](const std::string& name) {
    auto m = machineObject(name, R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
    ++reconciles;
    auto out = plugin.reconcile(m, call);
    EXPECT_TRUE(out.ok()) << name << ": " << out.error->message;
    auto held = sim.heldBy("uid-" + name);
    return held.size() == 1 ? held[0]->getValue<std::string>("hostname") : std::string();
  };
  auto takeOutside = [&](int from, int to) {  // another MAAS client, pinning each machine
    for (int i = from; i <= to; ++i) {
      char host[16];
      std::snprintf(host, sizeof host, "step-%02d", i);
      ASSERT_EQ(sim.api("POST", "machines/?op=allocate",
                        {{"system_id", sim.systemId(host)}, {"agent_name", "outsider"}})
                    .status,
                200);
    }
  };
  auto refused = [&] {
    return sim.counters()
        ->getObject("endpoints")
        ->getObject("POST machines op=allocate")
        ->optValue<int>("409", 0);
  };

  EXPECT_EQ(allocateOne("a"), "step-01");  // the cheapest; the list is now cached
  takeOutside(2, 4);
  // b finds step-02..04 taken (409 each, within the list's 2 s) and drops them from the
  // shared list, so c and d never try them again.
  EXPECT_EQ(allocateOne("b"), "step-05");
  EXPECT_EQ(allocateOne("c"), "step-06");
  EXPECT_EQ(allocateOne("d"), "step-07");
  EXPECT_LE(refused(), 3) << toText(sim.counters());
  // More taken than one round tries from the cached list (5): only a fresh list finds step-18.
  takeOutside(8, 17);
  EXPECT_EQ(allocateOne("e"), "step-18");
  EXPECT_EQ(allocateOne("f"), "step-19");
  EXPECT_LE(refused(), 3 + 5) << toText(sim.counters());
  const int lists = sim.count("GET machines") - reconciles;
  EXPECT_GE(lists, 2);  // the first, and the fresh one after the taken machines
  EXPECT_LT(lists, reconciles) << toText(sim.counters());
  EXPECT_EQ(sim.heldBy("outsider").size(), 13u);
}

}  // namespace
}  // namespace maasprov::plugins::test
