// maas-sim VM hosts: compose accounting with over-commit and storage pools, MAAS's compose
// errors, commissioning, decompose on delete, and how composed machines look and filter.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

using namespace std::chrono_literals;

class SimVmHosts : public ::testing::Test {
 protected:
  SimProcess sim_{SimProcess::Yaml(kTestInventory, {"--commission-seconds", "0.2"})};

  HttpResult Compose(const Form& f) {
    return Call(sim_.port(), "POST", Api("vm-hosts/1/?op=compose"), f);
  }
  Poco::JSON::Object::Ptr Host() { return Call(sim_.port(), "GET", Api("vm-hosts/1/")).object(); }
  Poco::JSON::Object::Ptr Machine(const std::string& id) {
    return Call(sim_.port(), "GET", Api("machines/" + id + "/")).object();
  }
  int64_t Used(const std::string& what) {
    return Host()->getObject("used")->getValue<int64_t>(what);
  }
  int64_t PoolUsed(const std::string& name) {
    auto pools = Host()->getArray("storage_pools");
    for (size_t i = 0; i < pools->size(); ++i)
      if (pools->getObject(i)->getValue<std::string>("name") == name)
        return pools->getObject(i)->getValue<int64_t>("used");
    return -1;
  }
};

TEST_F(SimVmHosts, ComposeAnswersOnlySystemIdAndResourceUri) {
  auto r = Compose({{"cores", "2"}, {"memory", "4096"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = r.object();
  std::set<std::string> keys;
  for (const auto& [k, v] : *o) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"system_id", "resource_uri"}));
  std::string id = o->getValue<std::string>("system_id");
  EXPECT_EQ(o->getValue<std::string>("resource_uri"), "/MAAS/api/2.0/machines/" + id + "/");
}

TEST_F(SimVmHosts, ComposeAndDeleteMoveTheHostFigures) {
  EXPECT_EQ(Used("cores"), 0);
  auto r = Compose({{"cores", "3"},
                    {"memory", "6144"},
                    {"storage", "root:10(default),data:5(fast)"},
                    {"skip_commissioning", "true"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::string id = r.object()->getValue<std::string>("system_id");
  auto host = Host();
  EXPECT_EQ(host->getObject("used")->getValue<int>("cores"), 3);
  EXPECT_EQ(host->getObject("used")->getValue<int64_t>("memory"), 6144);
  EXPECT_EQ(host->getObject("used")->getValue<int64_t>("local_storage"), 15'000'000'000);
  EXPECT_EQ(host->getObject("available")->getValue<int>("cores"), 5);
  EXPECT_EQ(host->getObject("available")->getValue<int64_t>("memory"), 16384 - 6144);
  EXPECT_EQ(PoolUsed("default"), 10'000'000'000);
  EXPECT_EQ(PoolUsed("fast"), 5'000'000'000);

  // Deleting a composed machine decomposes it and returns everything to the host.
  EXPECT_EQ(Call(sim_.port(), "DELETE", Api("machines/" + id + "/")).status, 204);
  EXPECT_EQ(Call(sim_.port(), "GET", Api("machines/" + id + "/")).status, 404);
  EXPECT_EQ(Used("cores"), 0);
  EXPECT_EQ(Used("memory"), 0);
  EXPECT_EQ(PoolUsed("default"), 0);
  EXPECT_EQ(PoolUsed("fast"), 0);
}

TEST_F(SimVmHosts, OverCommitRatiosBoundCoresAndMemory) {
  // 8 cores x 2.0 = 16 schedulable cores.
  ASSERT_EQ(Compose({{"cores", "8"}, {"memory", "2048"}}).status, 200);
  ASSERT_EQ(Compose({{"cores", "8"}, {"memory", "2048"}}).status, 200);
  auto r = Compose({{"cores", "1"}, {"memory", "2048"}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "Unable to compose KVM instance in 'lxd-1'. CPU overcommit ratio is 2.0 and there are "
            "-8 available resources; 1 requested.");
  EXPECT_EQ(Used("cores"), 16);
}

TEST(SimVmHostsMemory, MemoryOverCommitIsChecked) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  auto compose = [&](const std::string& mem) {
    return Call(sim.port(), "POST", Api("vm-hosts/1/?op=compose"),
                {{"cores", "1"}, {"memory", mem}});
  };
  // 16384 MiB x 1.5 = 24576 MiB.
  ASSERT_EQ(compose("16384").status, 200);
  ASSERT_EQ(compose("8192").status, 200);
  auto r = compose("1024");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "Unable to compose KVM instance in 'lxd-1'. Memory overcommit ratio is 1.5 and there "
            "are -8192 available resources; 1024 requested.");
}

TEST_F(SimVmHosts, RequestBeyondTheHostIsAFieldError) {
  auto cores = Compose({{"cores", "9"}});
  EXPECT_EQ(cores.status, 400);
  EXPECT_EQ(cores.object()->getArray("cores")->getElement<std::string>(0),
            "Ensure this value is less than or equal to 8.");
  auto mem = Compose({{"memory", "512"}});
  EXPECT_EQ(mem.status, 400);
  EXPECT_EQ(mem.object()->getArray("memory")->getElement<std::string>(0),
            "Ensure this value is greater than or equal to 1024.");
}

TEST_F(SimVmHosts, StoragePoolSpaceIsNotOverCommitted) {
  ASSERT_EQ(Compose({{"storage", "root:15(fast)"}}).status, 200);
  auto r = Compose({{"storage", "root:6(fast)"}});
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("not enough space"), std::string::npos) << r.body;
  EXPECT_EQ(PoolUsed("fast"), 15'000'000'000);
  auto bad = Compose({{"storage", "root:ten"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Malformed storage constraint"), std::string::npos);
}

TEST_F(SimVmHosts, HostnamesStayUnique) {
  ASSERT_EQ(Compose({{"hostname", "cp-1"}}).status, 200);
  auto r = Compose({{"hostname", "cp-1"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.object()->getArray("hostname")->getElement<std::string>(0),
            "Node with hostname \"cp-1\" already exists");
  EXPECT_EQ(Compose({{"hostname", "small-a"}}).status, 400);
}

TEST_F(SimVmHosts, ComposedMachineCommissionsToReady) {
  auto r = Compose({{"cores", "2"}, {"memory", "2048"}, {"hostname", "vm-1"}});
  ASSERT_EQ(r.status, 200);
  std::string id = r.object()->getValue<std::string>("system_id");
  EXPECT_EQ(Machine(id)->getValue<std::string>("status_name"), "Commissioning");
  std::this_thread::sleep_for(350ms);
  auto m = Machine(id);
  EXPECT_EQ(m->getValue<std::string>("status_name"), "Ready");
  EXPECT_EQ(m->getObject("pod")->getValue<std::string>("name"), "lxd-1");
  EXPECT_EQ(m->getObject("pod")->getValue<int>("id"), 1);
  EXPECT_EQ(m->getValue<std::string>("power_type"), "lxd");
  // MAAS copies the VM host's tags onto what it composes.
  EXPECT_EQ(m->getArray("tag_names")->getElement<std::string>(0), "lxd");
}

TEST_F(SimVmHosts, CommissioningCanBeMadeToFail) {
  // Per VM host: the next VM composed there fails commissioning, as when a MAAS script fails.
  auto ctl = Call(sim_.port(), "POST", "/_sim/vm-hosts/1/fail-next-commissioning", {}, "");
  ASSERT_EQ(ctl.status, 200) << ctl.body;
  auto r = Compose({{"hostname", "vm-bad"}});
  ASSERT_EQ(r.status, 200);
  std::string bad = r.object()->getValue<std::string>("system_id");
  EXPECT_EQ(Machine(bad)->getValue<std::string>("status_name"), "Commissioning");
  auto next = Compose({{"hostname", "vm-good"}});
  ASSERT_EQ(next.status, 200);
  std::string good = next.object()->getValue<std::string>("system_id");
  // Per machine: one already commissioning.
  auto third = Compose({{"hostname", "vm-bad-2"}});
  std::string bad2 = third.object()->getValue<std::string>("system_id");
  EXPECT_EQ(Call(sim_.port(), "POST", "/_sim/machines/" + bad2 + "/fail-next-commissioning", {}, "")
                .status,
            200);
  std::this_thread::sleep_for(350ms);
  for (const std::string& id : {bad, bad2}) {
    EXPECT_EQ(Machine(id)->getValue<int>("status"), 2);
    EXPECT_EQ(Machine(id)->getValue<std::string>("status_name"), "Failed commissioning");
  }
  EXPECT_EQ(Machine(good)->getValue<std::string>("status_name"), "Ready");
  // A failed-commissioning machine is not allocatable.
  auto alloc = Call(sim_.port(), "POST", Api("machines/?op=allocate"),
                    {{"system_id", bad}, {"not_pod_type", "lxd"}});
  EXPECT_EQ(alloc.status, 409);
  // Only a machine that is commissioning can be told to fail it.
  EXPECT_EQ(Call(sim_.port(), "POST", "/_sim/machines/" + good + "/fail-next-commissioning", {}, "")
                .status,
            409);
  EXPECT_EQ(Call(sim_.port(), "POST", "/_sim/vm-hosts/9/fail-next-commissioning", {}, "").status,
            404);
}

TEST(SimVmHostsInventory, InventoryCanFailTheFirstCommissioning) {
  std::string inv = kTestInventory;
  inv.replace(inv.find("    project: maasprov"), 0, "    fail_next_commissioning: true\n");
  SimProcess sim(SimProcess::Yaml(inv, {"--commission-seconds", "0.1"}));
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    auto r = Call(sim.port(), "POST", Api("vm-hosts/1/?op=compose"));
    ASSERT_EQ(r.status, 200) << r.body;
    ids.push_back(r.object()->getValue<std::string>("system_id"));
  }
  std::this_thread::sleep_for(250ms);
  auto status = [&](const std::string& id) {
    return Call(sim.port(), "GET", Api("machines/" + id + "/"))
        .object()
        ->getValue<std::string>("status_name");
  };
  EXPECT_EQ(status(ids[0]), "Failed commissioning");
  EXPECT_EQ(status(ids[1]), "Ready");
}

TEST_F(SimVmHosts, ZoneAndPoolAreIdsAndZoneDefaultsToMaasDefaultZone) {
  auto plain = Compose({{"skip_commissioning", "true"}});
  ASSERT_EQ(plain.status, 200);
  auto m = Machine(plain.object()->getValue<std::string>("system_id"));
  EXPECT_EQ(m->getObject("zone")->getValue<std::string>("name"), "default");
  EXPECT_EQ(m->getValue<std::string>("status_name"), "Ready");
  auto placed = Compose({{"zone", "3"}, {"pool", "1"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(placed.status, 200) << placed.body;
  auto p = Machine(placed.object()->getValue<std::string>("system_id"));
  EXPECT_EQ(p->getObject("zone")->getValue<std::string>("name"), "zone-b");
  EXPECT_EQ(p->getObject("pool")->getValue<std::string>("name"), "gold");
  EXPECT_EQ(Compose({{"zone", "zone-b"}}).status, 400);
}

TEST_F(SimVmHosts, InterfacesAttachToMatchingHostNetworks) {
  auto r = Compose({{"interfaces", "eth0:subnet_cidr=10.0.0.0/28;eth1:space=storage"},
                    {"skip_commissioning", "true"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto m = Machine(r.object()->getValue<std::string>("system_id"));
  auto ifaces = m->getArray("interface_set");
  ASSERT_EQ(ifaces->size(), 2u);
  EXPECT_EQ(ifaces->getObject(1)->getValue<std::string>("name"), "eth1");
  EXPECT_EQ(ifaces->getObject(1)->getObject("vlan")->getValue<int>("vid"), 9);
  auto none = Compose({{"interfaces", "eth0:space=nowhere"}});
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.body, "This pod does not match the specified networks.");
  auto unknown = Compose({{"interfaces", "eth0:colour=red"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("Unknown interfaces constraint"), std::string::npos);
}

TEST_F(SimVmHosts, ComposedMachinesFilterByPodAndAllocateUnlessExcluded) {
  auto r = Compose({{"hostname", "vm-ready"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(r.status, 200);
  auto listed = Call(sim_.port(), "GET", Api("machines/"), {{"pod", "lxd-1"}}).array();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->getObject(0)->getValue<std::string>("hostname"), "vm-ready");
  EXPECT_EQ(Call(sim_.port(), "POST", Api("machines/?op=allocate"),
                 {{"tags", "lxd"}, {"not_pod", "lxd-1"}})
                .status,
            409);
  EXPECT_EQ(Call(sim_.port(), "POST", Api("machines/?op=allocate"),
                 {{"tags", "lxd"}, {"not_pod_type", "lxd"}})
                .status,
            409);
  auto got = Call(sim_.port(), "POST", Api("machines/?op=allocate"), {{"tags", "lxd"}});
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.object()->getValue<std::string>("hostname"), "vm-ready");
}

TEST_F(SimVmHosts, PodsAliasAndParameters) {
  auto pods = Call(sim_.port(), "GET", Api("pods/"));
  ASSERT_EQ(pods.status, 200);
  EXPECT_EQ(pods.array()->getObject(0)->getValue<std::string>("name"), "lxd-1");
  EXPECT_EQ(pods.array()->getObject(0)->getValue<std::string>("type"), "lxd");
  auto params = Call(sim_.port(), "GET", Api("vm-hosts/1/?op=parameters"));
  ASSERT_EQ(params.status, 200);
  EXPECT_EQ(params.object()->getValue<std::string>("project"), "maasprov");
  EXPECT_EQ(Call(sim_.port(), "GET", Api("vm-hosts/7/")).status, 404);
}

TEST_F(SimVmHosts, AllocateComposesOnAVmHostWhenNoMachineMatches) {
  // No bare-metal machine carries "lxd"; MAAS then composes on a VM host that does.
  auto r = Call(sim_.port(), "POST", Api("machines/?op=allocate"),
                {{"tags", "lxd"}, {"cpu_count", "2"}, {"mem", "3000"}, {"agent_name", "c9"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto m = r.object();
  EXPECT_EQ(m->getValue<std::string>("status_name"), "Allocated");
  EXPECT_EQ(m->getObject("pod")->getValue<std::string>("name"), "lxd-1");
  EXPECT_EQ(m->getValue<int>("cpu_count"), 2);
  EXPECT_EQ(m->getValue<int>("memory"), 3000);
  // As in MAAS the composed machine lands in the default zone, not the VM host's.
  EXPECT_EQ(m->getObject("zone")->getValue<std::string>("name"), "default");
  EXPECT_EQ(Used("cores"), 2);

  // Such a machine is dynamic: releasing it decomposes it.
  std::string id = m->getValue<std::string>("system_id");
  ASSERT_EQ(Call(sim_.port(), "POST", Api("machines/" + id + "/?op=release")).status, 200);
  std::this_thread::sleep_for(1200ms);  // default --release-seconds is 1
  EXPECT_EQ(Call(sim_.port(), "GET", Api("machines/" + id + "/")).status, 404);
  EXPECT_EQ(Used("cores"), 0);
}

TEST_F(SimVmHosts, AllocateDoesNotComposeForANamedSystemIdOrAnUnfitRequest) {
  auto named = Call(sim_.port(), "POST", Api("machines/?op=allocate"), {{"system_id", "zzzzzz"}});
  EXPECT_EQ(named.status, 409);
  EXPECT_EQ(named.body, "No machine with system ID zzzzzz available.");
  // More cores than the VM host has: no compose, MAAS's no-match text.
  auto big = Call(sim_.port(), "POST", Api("machines/?op=allocate"),
                  {{"tags", "lxd"}, {"cpu_count", "9"}});
  EXPECT_EQ(big.status, 409);
  EXPECT_NE(big.body.find("No available machine matches constraints"), std::string::npos);
  EXPECT_EQ(Used("cores"), 0);
}

TEST(SimVmHostsNoCompose, InventoryCanTurnAllocateComposingOff) {
  SimProcess sim(SimProcess::Yaml(std::string("allocate_composes: false\n") + kTestInventory));
  auto r = Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"tags", "lxd"}});
  EXPECT_EQ(r.status, 409);
}

TEST_F(SimVmHosts, ConcurrentComposesNeverOverCommit) {
  // 8 cores x 2.0: exactly eight 2-core VMs fit, whatever the interleaving of 12 clients.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, refused{0};
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&] {
      auto r = Call(sim_.port(), "POST", Api("vm-hosts/1/?op=compose"),
                    {{"cores", "2"}, {"memory", "1024"}, {"storage", "root:1"}});
      (r.status == 200 ? ok : refused)++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(refused.load(), 4);
  EXPECT_EQ(Used("cores"), 16);
}

TEST_F(SimVmHosts, ListIgnoresQueryParametersAsMaasDoes) {
  // MAAS's VmHostsHandler.read has no filters: type/zone/pool must be applied by the client.
  auto r = Call(sim_.port(), "GET", Api("vm-hosts/"), {{"zone", "zone-a"}, {"type", "virsh"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.array()->size(), 1u);
  EXPECT_EQ(r.array()->getObject(0)->getObject("zone")->getValue<std::string>("name"), "zone-b");
}

}  // namespace
}  // namespace maassim::testing
