// maas-sim machines: list filters, allocate constraints and cost ordering, MAAS's 409 texts,
// deploy/release timings, IP assignment, injected deploy failures, annotations, update.
#include <gtest/gtest.h>

#include <chrono>
#include <maasprov/json.hpp>
#include <set>
#include <thread>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

using namespace std::chrono_literals;

class SimMachines : public ::testing::Test {
 protected:
  SimProcess sim_{
      SimProcess::Yaml(kTestInventory, {"--deploy-seconds", "0.3", "--release-seconds", "0.2"})};

  HttpResult Get(const std::string& rest, const Form& f = {}) {
    return Call(sim_.port(), "GET", Api(rest), f);
  }
  HttpResult Post(const std::string& rest, const Form& f = {}) {
    return Call(sim_.port(), "POST", Api(rest), f);
  }
  std::vector<std::string> Hostnames(const Form& filters) {
    auto r = Get("machines/", filters);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (size_t i = 0; i < r.array()->size(); ++i)
      out.push_back(r.array()->getObject(i)->getValue<std::string>("hostname"));
    return out;
  }
  std::string Id(const std::string& hostname) {
    auto r = Get("machines/", {{"hostname", hostname}});
    return r.array()->getObject(0)->getValue<std::string>("system_id");
  }
  Poco::JSON::Object::Ptr Machine(const std::string& id) {
    return Get("machines/" + id + "/").object();
  }
  std::string Allocate(const Form& f) {
    auto r = Post("machines/?op=allocate", f);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.object()->getValue<std::string>("hostname") : "";
  }
};

TEST_F(SimMachines, ListFiltersAsMaasDoes) {
  EXPECT_EQ(Hostnames({{"zone", "zone-a"}}),
            (std::vector<std::string>{"deployed-1", "small-a", "mid-a"}));
  EXPECT_EQ(Hostnames({{"pool", "gold"}}), (std::vector<std::string>{"mem-heavy", "core-heavy"}));
  EXPECT_EQ(Hostnames({{"tags", "ssd"}, {"tags", "gpu"}}), (std::vector<std::string>{"mid-a"}));
  EXPECT_EQ(Hostnames({{"status", "broken"}}), (std::vector<std::string>{"broken-1"}));
  EXPECT_EQ(Hostnames({{"hostname", "twin-2"}}), (std::vector<std::string>{"twin-2"}));
  // Many ids at once, as a controller polls in batches.
  EXPECT_EQ(Hostnames({{"id", Id("twin-1")}, {"id", Id("small-a")}}),
            (std::vector<std::string>{"small-a", "twin-1"}));
  EXPECT_EQ(Hostnames({{"pod", "lxd-1"}}).size(), 0u);
}

TEST_F(SimMachines, UnknownFilterIsNoSuchConstraint) {
  auto r = Get("machines/", {{"colour", "blue"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.object()->getArray("colour")->getElement<std::string>(0), "No such constraint.");
  auto tag = Get("machines/", {{"tags", "nope"}});
  EXPECT_EQ(tag.status, 400);
  EXPECT_EQ(tag.object()->getArray("tags")->getElement<std::string>(0), "No such tag(s): 'nope'.");
}

TEST_F(SimMachines, AllocatePicksCheapestByCoresPlusMemoryInGiB) {
  // mem-heavy costs 1 + 32 = 33, core-heavy 24 + 2 = 26: memory weighs in.
  EXPECT_EQ(Allocate({{"tags", "heavy"}}), "core-heavy");
  // cpu_count=4: twin-1 and twin-2 (cost 8) beat mid-a (12); equal cost goes to the older.
  EXPECT_EQ(Allocate({{"cpu_count", "4"}}), "twin-1");
  EXPECT_EQ(Allocate({{"cpu_count", "4"}}), "twin-2");
  EXPECT_EQ(Allocate({{"cpu_count", "4"}}), "mid-a");
}

TEST_F(SimMachines, AllocateHonoursEveryConstraint) {
  EXPECT_EQ(Allocate({{"tags", "ssd"}, {"tags", "gpu"}}), "mid-a");
  EXPECT_EQ(Allocate({{"zone", "zone-b"}, {"mem", "4000"}, {"cpu_count", "2"}}), "twin-1");
  EXPECT_EQ(Allocate({{"pool", "gold"}, {"mem", "8192"}}), "mem-heavy");
  EXPECT_EQ(Allocate({{"system_id", Id("small-a")}}), "small-a");
  EXPECT_EQ(Allocate({{"name", "twin-2.maas"}}), "twin-2");
}

TEST_F(SimMachines, AllocateRecordsOwnerAndAgentName) {
  auto r = Post("machines/?op=allocate", {{"tags", "twin"}, {"agent_name", "cluster-7"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.object()->getValue<std::string>("status_name"), "Allocated");
  EXPECT_EQ(r.object()->getValue<int>("status"), 10);
  EXPECT_EQ(r.object()->getValue<std::string>("owner"), "admin");
  EXPECT_EQ(Hostnames({{"agent_name", "cluster-7"}}), (std::vector<std::string>{"twin-1"}));
}

TEST_F(SimMachines, NoMatchAnswersMaasConflictText) {
  auto r = Post("machines/?op=allocate", {{"cpu_count", "64"}, {"tags", "gpu"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body,
            "No available machine matches constraints: [('cpu_count', ['64']), ('tags', ['gpu'])] "
            "(resolved to \"cpu_count=64.0 tags=gpu\")");
  auto bad = Post("machines/?op=allocate", {{"colour", "blue"}});
  EXPECT_EQ(bad.status, 400);
  auto zone = Post("machines/?op=allocate", {{"zone", "zone-z"}});
  EXPECT_EQ(zone.status, 400);
  EXPECT_NE(zone.body.find("No such zone(s): zone-z."), std::string::npos);
}

TEST(SimMachinesEmpty, NothingLeftIsNoMachineAvailable) {
  SimProcess sim(SimProcess::Yaml("machines:\n  - {hostname: only, cores: 1, memory: 1024}\n"));
  EXPECT_EQ(Call(sim.port(), "POST", Api("machines/?op=allocate")).status, 200);
  auto r = Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"agent_name", "a"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, "No machine available.");
}

TEST_F(SimMachines, DeployTakesConfiguredTimeAndAssignsAddressesOutsideRanges) {
  std::string id = Id("small-a");
  ASSERT_EQ(Post("machines/?op=allocate", {{"system_id", id}}).status, 200);
  auto r = Post("machines/" + id + "/?op=deploy",
                {{"distro_series", "jammy"}, {"user_data", "I2Nsb3VkLWNvbmZpZw=="}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.object()->getValue<std::string>("status_name"), "Deploying");
  auto ips = r.object()->getArray("ip_addresses");
  ASSERT_EQ(ips->size(), 1u);
  // .5 and .6 are held by deployed machines; .1 is the gateway, .2-.4 reserved.
  EXPECT_EQ(ips->getElement<std::string>(0), "10.0.0.7");
  std::this_thread::sleep_for(450ms);
  auto m = Machine(id);
  EXPECT_EQ(m->getValue<int>("status"), 6);
  EXPECT_EQ(m->getValue<std::string>("status_name"), "Deployed");
  EXPECT_EQ(m->getValue<std::string>("power_state"), "on");
  EXPECT_EQ(m->getValue<std::string>("distro_series"), "jammy");
  EXPECT_EQ(m->getValue<std::string>("osystem"), "ubuntu");
}

TEST_F(SimMachines, DeployOfReadyMachineAllocatesIt) {
  std::string id = Id("twin-2");
  auto r = Post("machines/" + id + "/?op=deploy");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.object()->getValue<std::string>("status_name"), "Deploying");
  EXPECT_EQ(r.object()->getValue<std::string>("owner"), "admin");
}

TEST_F(SimMachines, DeployInWrongStateIsAStateConflict) {
  auto r = Post("machines/" + Id("broken-1") + "/?op=deploy");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, "Can't deploy a machine that is in the 'Broken' state");
  auto d = Post("machines/" + Id("deployed-1") + "/?op=deploy");
  EXPECT_EQ(d.status, 409);
  EXPECT_EQ(d.body, "Can't deploy a machine that is in the 'Deployed' state");
}

TEST(SimMachinesSlowDeploy, StateConflictNamesTheCurrentStatus) {
  // A deploy still in progress: MAAS names the machine's current state, not where it is going.
  SimProcess sim(SimProcess::Yaml(kTestInventory, {"--deploy-seconds", "30"}));
  auto listed = Call(sim.port(), "GET", Api("machines/"), {{"hostname", "twin-1"}});
  std::string id = listed.array()->getObject(0)->getValue<std::string>("system_id");
  ASSERT_EQ(Call(sim.port(), "POST", Api("machines/" + id + "/?op=deploy")).status, 200);
  auto again = Call(sim.port(), "POST", Api("machines/" + id + "/?op=deploy"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, "Can't deploy a machine that is in the 'Deploying' state");
  ASSERT_EQ(Call(sim.port(), "POST", Api("machines/" + id + "/?op=release")).status, 200);
  auto releasing = Call(sim.port(), "POST", Api("machines/" + id + "/?op=deploy"));
  EXPECT_EQ(releasing.status, 409);
  EXPECT_EQ(releasing.body, "Can't deploy a machine that is in the 'Releasing' state");
}

TEST_F(SimMachines, InjectedFailureFailsOnlyTheNextDeploy) {
  std::string id = Id("twin-1");
  auto ctl = Call(sim_.port(), "POST", "/_sim/machines/" + id + "/fail-next-deploy", {}, "");
  ASSERT_EQ(ctl.status, 200);
  ASSERT_EQ(Post("machines/" + id + "/?op=deploy").status, 200);
  std::this_thread::sleep_for(450ms);
  EXPECT_EQ(Machine(id)->getValue<std::string>("status_name"), "Failed deployment");
  EXPECT_EQ(Machine(id)->getValue<int>("status"), 11);
  // MAAS lets a failed deployment be retried.
  ASSERT_EQ(Post("machines/" + id + "/?op=deploy").status, 200);
  std::this_thread::sleep_for(450ms);
  EXPECT_EQ(Machine(id)->getValue<std::string>("status_name"), "Deployed");
}

TEST_F(SimMachines, ReleaseClearsOwnershipAnnotationsAndAddresses) {
  std::string id = Id("twin-1");
  ASSERT_EQ(Post("machines/?op=allocate", {{"system_id", id}, {"agent_name", "c1"}}).status, 200);
  auto ann =
      Post("machines/" + id + "/?op=set_workload_annotations", {{"cluster", "c1"}, {"role", "cp"}});
  ASSERT_EQ(ann.status, 200);
  EXPECT_EQ(ann.object()->getObject("workload_annotations")->getValue<std::string>("role"), "cp");
  auto removed = Post("machines/" + id + "/?op=set_workload_annotations", {{"role", ""}});
  EXPECT_FALSE(removed.object()->getObject("workload_annotations")->has("role"));
  ASSERT_EQ(Post("machines/" + id + "/?op=deploy").status, 200);
  std::this_thread::sleep_for(450ms);

  auto r = Post("machines/" + id + "/?op=release");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.object()->getValue<std::string>("status_name"), "Releasing");
  std::this_thread::sleep_for(350ms);
  auto m = Machine(id);
  EXPECT_EQ(m->getValue<std::string>("status_name"), "Ready");
  EXPECT_TRUE(m->isNull("owner"));
  EXPECT_EQ(m->getArray("ip_addresses")->size(), 0u);
  EXPECT_EQ(m->getObject("workload_annotations")->size(), 0u);
  EXPECT_EQ(m->getValue<std::string>("power_state"), "off");
  EXPECT_TRUE(Hostnames({{"agent_name", "c1"}}).empty());
  // Releasing a Ready machine is a no-op success, as in MAAS.
  EXPECT_EQ(Post("machines/" + id + "/?op=release").status, 200);
}

TEST_F(SimMachines, AddressesRunOutWithMaasError) {
  // Five AUTO addresses remain in the /28 (.7-.11); the sixth deploy must fail with 503.
  std::vector<std::string> hosts = {"small-a", "mid-a", "twin-1", "twin-2", "mem-heavy"};
  for (const auto& h : hosts) ASSERT_EQ(Post("machines/" + Id(h) + "/?op=deploy").status, 200);
  auto r = Post("machines/" + Id("core-heavy") + "/?op=deploy");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "No more IPs available in subnet: 10.0.0.0/28.");
}

TEST_F(SimMachines, PowerOperationsChangePowerState) {
  std::string id = Id("small-a");
  EXPECT_EQ(Post("machines/" + id + "/?op=power_on").object()->getValue<std::string>("power_state"),
            "on");
  EXPECT_EQ(
      Get("machines/" + id + "/?op=query_power_state").object()->getValue<std::string>("state"),
      "on");
  EXPECT_EQ(
      Post("machines/" + id + "/?op=power_off").object()->getValue<std::string>("power_state"),
      "off");
}

TEST_F(SimMachines, UpdateChangesFieldsAndKeepsHostnamesUnique) {
  std::string id = Id("small-a");
  auto r = Call(sim_.port(), "PUT", Api("machines/" + id + "/"),
                {{"hostname", "renamed"}, {"zone", "zone-b"}, {"description", "moved"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.object()->getValue<std::string>("fqdn"), "renamed.maas");
  EXPECT_EQ(r.object()->getObject("zone")->getValue<std::string>("name"), "zone-b");
  auto dup = Call(sim_.port(), "PUT", Api("machines/" + id + "/"), {{"hostname", "twin-1"}});
  EXPECT_EQ(dup.status, 400);
  EXPECT_NE(dup.body.find("hostname"), std::string::npos);
}

TEST_F(SimMachines, AnyTextComesBackExactlyInStrictJson) {
  // Every control character, quote, backslash, slash, DEL and 2-, 3- and 4-byte UTF-8.
  std::string text;
  for (char c = 1; c < 0x20; ++c) text += c;
  text += "\"\\/\x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  const std::string key = "k\"\\\t\xc3\xa9";
  std::string id = Id("small-a");
  ASSERT_EQ(Post("machines/" + id + "/?op=set_workload_annotations", {{key, text}}).status, 200);
  ASSERT_EQ(Call(sim_.port(), "PUT", Api("machines/" + id + "/"), {{"description", text}}).status,
            200);
  for (const std::string& path : std::vector<std::string>{"machines/", "machines/" + id + "/"}) {
    auto r = Get(path);
    ASSERT_EQ(r.status, 200);
    // The SDK's parser is strict RFC 8259: it refuses raw control characters, for one.
    maasprov::json::Value doc = maasprov::json::Value::parse(r.body);
    const maasprov::json::Value* m = doc.isArray() ? nullptr : &doc;
    for (size_t i = 0; doc.isArray() && i < doc.size(); ++i)
      if (doc.asArray()[i].getString("system_id") == id) m = &doc.asArray()[i];
    ASSERT_NE(m, nullptr) << path;
    EXPECT_EQ(m->getString("description"), text) << path;
    EXPECT_EQ(m->findPath({"workload_annotations", key})->asString(), text) << path;
    EXPECT_EQ(m->findPath({"owner_data", key})->asString(), text) << path;
  }
}

TEST_F(SimMachines, ConcurrentAllocationsNeverShareAMachine) {
  // Six Ready bare-metal machines; twelve clients race for them.
  std::vector<std::thread> threads;
  std::mutex mu;
  std::multiset<std::string> won;
  int conflicts = 0;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&] {
      auto r = Call(sim_.port(), "POST", Api("machines/?op=allocate"), {{"not_pod", "lxd-1"}});
      std::lock_guard lock(mu);
      if (r.status == 200)
        won.insert(r.object()->getValue<std::string>("system_id"));
      else if (r.status == 409)
        ++conflicts;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.size(), 6u);
  EXPECT_EQ(std::set<std::string>(won.begin(), won.end()).size(), 6u);
  EXPECT_EQ(conflicts, 6);
}

TEST(SimMachinesStorage, StorageConstraintSizesBootAndExtraDisks) {
  SimProcess sim(SimProcess::Yaml(R"(
allocate_composes: false
machines:
  - {hostname: one-small, cores: 1, memory: 1024, storage_gb: 100}
  - {hostname: one-big, cores: 2, memory: 1024, storage_gb: 900}
  - hostname: two-disks
    cores: 4
    memory: 1024
    storage: [{name: sda, size_gb: 200}, {name: sdb, size_gb: 2000}]
)"));
  auto pick = [&](const std::string& storage) {
    auto r = Call(sim.port(), "POST", Api("machines/?op=allocate"),
                  {{"storage", storage}, {"dry_run", "true"}});
    return r.status == 200 ? r.object()->getValue<std::string>("hostname")
                           : std::to_string(r.status);
  };
  EXPECT_EQ(pick("root:50"), "one-small");  // cheapest with a boot disk of 50 GB
  EXPECT_EQ(pick("root:500"), "one-big");
  EXPECT_EQ(pick("root:150,data:1000(hdd)"), "two-disks");
  EXPECT_EQ(pick("root:1000"), "409");
  EXPECT_EQ(pick("root:x"), "400");
}

TEST_F(SimMachines, DeployAcceptsLargeUserDataAndRejectsBadBase64) {
  std::string big(400 * 1024, 'A');  // 400 KiB of base64, beyond Poco's default value limit
  auto ok = Post("machines/" + Id("small-a") + "/?op=deploy", {{"user_data", big}});
  EXPECT_EQ(ok.status, 200) << ok.body.substr(0, 200);
  auto bad = Post("machines/" + Id("mid-a") + "/?op=deploy", {{"user_data", "%%%not base64"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("user_data"), std::string::npos);
  EXPECT_EQ(Machine(Id("mid-a"))->getValue<std::string>("status_name"), "Ready");
}

}  // namespace
}  // namespace maassim::testing
