// The bare-metal plugin (baremetal.so) through the real loader against a real maas-sim: what
// MAAS ends up holding (/_sim/state, /_sim/counters) and what users read in the status.
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

TEST_F(BareMetalTest, AllocatesTheOneMachineMatchingEveryTagZoneAndPool) {
  auto m = machineObject("cp-0", R"({"minCPU": 2, "minMemory": 2048, "image": "ubuntu/jammy",
      "tags": ["ssd", "gpu"], "failureDomain": "zone-a", "resourcePool": "gold"})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  const std::string gpuA = sim_.systemId("gpu-a");
  EXPECT_EQ(str(status(m), "systemID"), gpuA);
  EXPECT_EQ(str(status(m), "providerID"), "maas://zone-a/" + gpuA);
  EXPECT_EQ(str(status(m), "failureDomain"), "zone-a");
  EXPECT_EQ(str(status(m), "hostname"), "gpu-a");
  // Ownership is in MAAS itself: agent_name = uid, annotations name cluster/namespace/machine.
  auto held = sim_.heldBy("uid-cp-0");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]->getValue<std::string>("hostname"), "gpu-a");
  auto annotations = held[0]->getObject("workload_annotations");
  EXPECT_EQ(annotations->getValue<std::string>("maasprov_cluster"), "prod");
  EXPECT_EQ(annotations->getValue<std::string>("maasprov_namespace"), "team-a");
  EXPECT_EQ(annotations->getValue<std::string>("maasprov_machine"), "cp-0");
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
}

TEST_F(BareMetalTest, PinnedSystemIdTakesThatMachine) {
  const std::string pinned = sim_.systemId("gpu-b");
  auto m = machineObject("pinned", R"({"minCPU": 1, "minMemory": 1024, "image": "jammy",
      "systemID": ")" + pinned + R"("})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(str(status(m), "systemID"), pinned);
  EXPECT_EQ(sim_.machine("gpu-b")->getValue<std::string>("agent_name"), "uid-pinned");
}

TEST_F(BareMetalTest, NeverTakesAVmEvenWhenOnlyAVmMatches) {
  // A Ready VM in zone "default", where no bare-metal machine lives: MAAS's own pick would be it.
  auto hosts = sim_.api("GET", "vm-hosts/").array();
  std::string hostId = std::to_string(hosts->getObject(0)->getValue<int>("id"));
  auto composed = sim_.api("POST", "vm-hosts/" + hostId + "/?op=compose",
                           {{"cores", "1"}, {"memory", "1024"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(composed.status, 200) << composed.body;
  const std::string vm = composed.object()->getValue<std::string>("system_id");
  auto m = machineObject("no-vm", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "failureDomain": "default"})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_TRUE(out.error->retryable);
  EXPECT_NE(out.error->message.find("No available bare-metal machine matches cpu_count=1 "
                                    "mem=1024 zone=default"),
            std::string::npos)
      << out.error->message;
  // Never allocated, not even for a moment: nothing asked MAAS to allocate at all.
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 0);
  EXPECT_TRUE(sim_.heldBy("uid-no-vm").empty());
  EXPECT_EQ(sim_.machine(vm)->getValue<std::string>("status_name"), "Ready");
}

TEST_F(BareMetalTest, ASystemIdNamingAVmIsGivenBackAndReportedAsTheSpec) {
  auto composed = sim_.api("POST", "vm-hosts/1/?op=compose",
                           {{"cores", "1"}, {"memory", "1024"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(composed.status, 200) << composed.body;
  const std::string vm = composed.object()->getValue<std::string>("system_id");
  auto m = machineObject("pin-vm", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "systemID": ")" + vm + R"("})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InvalidSpec);
  EXPECT_NE(out.error->message.find("spec.systemID names VM"), std::string::npos)
      << out.error->message;
  EXPECT_NE(out.error->message.find("in VM host lxd-1"), std::string::npos) << out.error->message;
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(sim_.heldBy("uid-pin-vm").empty());
  EXPECT_EQ(sim_.machine(vm)->getValue<std::string>("status_name"), "Ready");
}

TEST_F(BareMetalTest, NoMatchingMachineIsAWaitingConditionNotACrash) {
  auto m = machineObject("huge", R"({"minCPU": 512, "minMemory": 1024, "image": "ubuntu/jammy"})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_TRUE(out.error->retryable);
  EXPECT_GT(out.error->requeueAfter.count(), 0);
  auto c = condition(status(m), "MachineDeployed");
  ASSERT_TRUE(c) << toText(m);
  EXPECT_EQ(c->getValue<std::string>("status"), "False");
  EXPECT_EQ(c->getValue<std::string>("reason"), "WaitingForMachine");
  EXPECT_NE(c->getValue<std::string>("message").find("No available bare-metal machine"),
            std::string::npos);
  EXPECT_TRUE(sim_.heldBy("uid-huge").empty());
}

TEST_F(BareMetalTest, UnknownTagNamesTheSpecField) {
  auto m = machineObject("typo", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "tags": ["ssd", "gpus"]})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InvalidSpec);
  EXPECT_NE(out.error->message.find("spec.tags"), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find("gpus"), std::string::npos) << out.error->message;
}

TEST_F(BareMetalTest, WaitsForBootstrapDataBeforeAllocating) {
  call_.userData.reset();
  auto m = machineObject("early", R"({"minCPU": 1, "minMemory": 1024, "image": "22.04"})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(condition(status(m), "MachineDeployed")->getValue<std::string>("reason"),
            "WaitingForBootstrapData");
  EXPECT_TRUE(out.requeueAfter.has_value());
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 0);
}

TEST_F(BareMetalTest, DeploysToDeployedWithAddressesAndTheMappedImage) {
  auto m = machineObject("web", R"({"minCPU": 1, "minMemory": 1024, "image": "22.04",
      "failureDomain": "zone-b"})");
  auto first = plugin_.reconcile(m, call_);
  ASSERT_TRUE(first.ok()) << first.error->message;
  EXPECT_EQ(str(status(m), "machineState"), "Deploying");
  ASSERT_TRUE(first.requeueAfter.has_value());  // no busy polling: the host comes back later
  auto done = plugin_.reconcileUntil(m, call_, ready);
  ASSERT_TRUE(ready(done)) << toText(m);
  EXPECT_FALSE(done.requeueAfter.has_value());
  auto s = status(m);
  const std::string id = str(s, "systemID");
  EXPECT_EQ(str(s, "machineState"), "Deployed");
  EXPECT_TRUE(s->getValue<bool>("machinePowered"));
  EXPECT_EQ(str(s, "provisioningMode"), "bare-metal");
  auto c = condition(s, "MachineDeployed");
  EXPECT_EQ(c->getValue<std::string>("status"), "True");
  EXPECT_EQ(c->getValue<std::string>("reason"), "Deployed");
  // Addresses: every MAAS IP as ExternalIP and InternalIP, the fqdn as External/InternalDNS.
  auto ips = sim_.machine(id)->getArray("ip_addresses");
  ASSERT_EQ(ips->size(), 1u);
  std::string ip = ips->getElement<std::string>(0);
  std::string fqdn = str(s, "hostname") + ".maas";
  std::vector<std::pair<std::string, std::string>> got;
  auto addresses = s->getArray("addresses");
  for (size_t i = 0; i < addresses->size(); ++i) {
    auto a = addresses->getObject(static_cast<unsigned>(i));
    got.emplace_back(a->getValue<std::string>("type"), a->getValue<std::string>("address"));
  }
  std::vector<std::pair<std::string, std::string>> want = {
      {"ExternalIP", ip}, {"InternalIP", ip}, {"ExternalDNS", fqdn}, {"InternalDNS", fqdn}};
  EXPECT_EQ(got, want);
  // "22.04" went to MAAS as Ubuntu jammy.
  auto maasView = sim_.api("GET", "machines/" + id + "/").object();
  EXPECT_EQ(maasView->getValue<std::string>("osystem"), "ubuntu");
  EXPECT_EQ(maasView->getValue<std::string>("distro_series"), "jammy");
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 1);
}

TEST_F(BareMetalTest, RepeatedReconcileAfterALostCheckpointAllocatesOnlyOnce) {
  auto m = machineObject("crashy", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  // The host cannot store the checkpoint (as if it died right after MAAS allocated).
  call_.storeCheckpoints = false;
  auto lost = plugin_.reconcile(m, call_);
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(lost.error->retryable);
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 0);  // stopped at the checkpoint
  ASSERT_EQ(sim_.heldBy("uid-crashy").size(), 1u);
  // Then a reconcile whose result is lost too, then normal ones.
  call_.storeCheckpoints = true;
  call_.applyResult = false;
  ASSERT_TRUE(plugin_.reconcile(m, call_).ok());
  call_.applyResult = true;
  auto done = plugin_.reconcileUntil(m, call_, ready);
  ASSERT_TRUE(ready(done)) << toText(m);
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
  EXPECT_EQ(sim_.heldBy("uid-crashy").size(), 1u);
}

TEST_F(BareMetalTest, PowersOnADeployedMachineFoundOff) {
  auto m = machineObject("sleepy", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  ASSERT_TRUE(ready(plugin_.reconcileUntil(m, call_, ready)));
  const std::string id = str(status(m), "systemID");
  ASSERT_EQ(sim_.api("POST", "machines/" + id + "/?op=power_off").status, 200);
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(condition(status(m), "MachineDeployed")->getValue<std::string>("reason"), "PoweredOff");
  EXPECT_TRUE(out.requeueAfter.has_value());
  EXPECT_EQ(sim_.count("POST machines/{id} op=power_on"), 1);
  EXPECT_EQ(sim_.machine(id)->getValue<std::string>("power_state"), "on");
  EXPECT_TRUE(ready(plugin_.reconcile(m, call_)));
}

TEST_F(BareMetalTest, MachineReleasedBehindOurBackIsReportedNotReplaced) {
  auto m = machineObject("victim", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  ASSERT_TRUE(ready(plugin_.reconcileUntil(m, call_, ready)));
  const std::string id = str(status(m), "systemID");
  ASSERT_EQ(sim_.api("POST", "machines/" + id + "/?op=release").status, 200);
  ASSERT_TRUE(eventually(
      [&] { return sim_.machine(id)->getValue<std::string>("status_name") == "Ready"; }));
  ASSERT_TRUE(plugin_.reconcile(m, call_).ok());
  EXPECT_EQ(condition(status(m), "MachineDeployed")->getValue<std::string>("reason"),
            "MachineReleased");
  EXPECT_EQ(str(status(m), "failureReason"), "UpdateError");
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
}

TEST_F(BareMetalTest, DeleteReleasesAndOnlyThenReportsDone) {
  auto m = machineObject("gone", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  ASSERT_TRUE(ready(plugin_.reconcileUntil(m, call_, ready)));
  const std::string id = str(status(m), "systemID");
  auto out = plugin_.remove(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_TRUE(out.done);
  EXPECT_EQ(sim_.machine(id)->getValue<std::string>("status_name"), "Releasing");
  // Releasing already counts as done; nothing more is sent.
  auto again = plugin_.remove(m, call_);
  EXPECT_TRUE(again.ok() && again.done);
  EXPECT_EQ(sim_.count("POST machines/{id} op=release"), 1);
  EXPECT_TRUE(eventually(
      [&] { return sim_.machine(id)->getValue<std::string>("status_name") == "Ready"; }));
  EXPECT_TRUE(sim_.heldBy("uid-gone").empty());
}

TEST_F(BareMetalTest, DeleteOfAMachineThatNeverGotOneIsDoneAtOnce) {
  auto m = machineObject("never", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  auto out = plugin_.remove(m, call_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.done);
  EXPECT_EQ(sim_.count("POST machines/{id} op=release"), 0);
}

TEST_F(BareMetalTest, InvalidSpecIsTerminalAndNamesEveryField) {
  auto m = machineObject("bad", R"({"minCPU": "two", "image": "ubuntu/22.99",
      "tags": ["ssd", "ssd"]})");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InvalidSpec);
  EXPECT_FALSE(out.error->retryable);
  for (const char* field : {"spec.minCPU", "spec.minMemory", "spec.tags[1]", "spec.image"}) {
    EXPECT_NE(out.error->message.find(field), std::string::npos) << out.error->message;
  }
  EXPECT_EQ(sim_.total(), 0);
}

TEST_F(BareMetalTest, ConcurrentMachinesGetDistinctMachinesOneEach) {
  std::vector<JsonObject> objects;
  for (int i = 0; i < 4; ++i) {
    objects.push_back(machineObject("par-" + std::to_string(i),
                                    R"({"minCPU": 1, "minMemory": 1024, "image": "jammy"})"));
  }
  std::vector<std::thread> threads;
  for (auto& o : objects) {
    threads.emplace_back([this, o] { plugin_.reconcile(o, call_); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> taken;
  for (int i = 0; i < 4; ++i) {
    auto held = sim_.heldBy("uid-par-" + std::to_string(i));
    ASSERT_EQ(held.size(), 1u) << i;
    taken.insert(held[0]->getValue<std::string>("system_id"));
    EXPECT_EQ(str(status(objects[i]), "systemID"), held[0]->getValue<std::string>("system_id"));
  }
  EXPECT_EQ(taken.size(), 4u);
  // Each pins a listed machine; MAAS refuses (409) one another took first. Four racing for the
  // same cheapest machines: at most 4 + 3 + 2 + 1 attempts.
  EXPECT_LE(sim_.count("POST machines op=allocate"), 10);
  EXPECT_EQ(sim_.count("POST machines op=allocate"),
            4 + sim_.counters()
                    ->getObject("endpoints")
                    ->getObject("POST machines op=allocate")
                    ->optValue<int>("409", 0));
}

TEST_F(BareMetalTest, AFixedSpecProceedsAfterTheHostRecordedAnInvalidSpec) {
  // The host marks a terminal InvalidSpec in failureReason; the user then fixes the spec.
  auto m = machineObject("fixed", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  m->getObject("status")->set("failureReason", "InvalidSpec");
  m->getObject("status")->set("failureMessage", "spec.image: must not be empty");
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(sim_.heldBy("uid-fixed").size(), 1u);
}

// Where MAAS matches pod filters against a machine's own BMC (current MAAS, the simulator's
// default), MAAS's own pick with not_pod_type=lxd is the whole allocation: one request, no
// list of Ready machines (which is tens of megabytes with thousands of machines).
TEST_F(BareMetalTest, MaasOwnPickAllocatesWithoutAList) {
  LoadedPlugin pick("baremetal", sim_.client(), kPickConfig);
  const int getsBefore = sim_.count("GET machines");
  auto m = machineObject("picked", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  auto out = pick.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(sim_.heldBy("uid-picked").size(), 1u);
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
  EXPECT_EQ(sim_.count("GET machines") - getsBefore, 1) << toText(sim_.counters());
}

TEST_F(BareMetalTest, AMachineFromAllocateToDeployedCostsSixRequestsWithThePoller) {
  // Every reconcile after the allocating one is woken by the poller, with `observed`.
  auto m = machineObject("cheap", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy",
      "failureDomain": "zone-b"})");
  LoadedPlugin::Call call = call_;
  bool done = false;
  for (int i = 0; i < 60 && !done; ++i) {
    call.observed = pollerRead(sim_, m);
    auto out = plugin_.reconcile(m, call);
    ASSERT_TRUE(out.ok()) << out.error->message;
    done = ready(out);
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(done) << toText(m);
  // GET machines?agent_name= (nothing recorded: the crash-safe lookup), GET machines?status=ready
  // (bare metal to pin), allocate, annotate, deploy, and GET machines?agent_name= once more
  // before Ready (nothing else may be held for it). Was 6.07 with GET vm-hosts/ per allocate.
  const int plugin = sim_.total() - sim_.count("GET machines/{id}");
  EXPECT_EQ(plugin, 6) << toText(sim_.counters());
  EXPECT_EQ(sim_.count("GET vm-hosts"), 0);
  EXPECT_EQ(sim_.count("GET machines"), 3);
}

TEST_F(BareMetalTest, AReconcileGivenObservedMakesNoLookupByAgentName) {
  auto m = machineObject("watched", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  ASSERT_TRUE(plugin_.reconcile(m, call_).ok());  // allocated, deploying
  LoadedPlugin::Call call = call_;
  call.observed = pollerRead(sim_, m);
  ASSERT_TRUE(call.observed);
  const int lookups = sim_.count("GET machines");
  auto out = plugin_.reconcile(m, call);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(sim_.count("GET machines"), lookups);
  EXPECT_EQ(str(status(m), "machineState"), "Deploying");
  // Observed for another machine, or nothing recorded (a crash lost the checkpoint): the
  // lookup by agent_name happens, and the crash case adopts rather than allocates again.
  call.observed = parseObject(R"({"system_id": "someone-else"})");
  ASSERT_TRUE(plugin_.reconcile(m, call).ok());
  EXPECT_EQ(sim_.count("GET machines"), lookups + 1);
  call.observed = pollerRead(sim_, m);
  m->set("status", Poco::makeShared<Poco::JSON::Object>());
  ASSERT_TRUE(plugin_.reconcile(m, call).ok());
  EXPECT_EQ(sim_.count("GET machines"), lookups + 2);
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
  EXPECT_FALSE(str(status(m), "systemID").empty());
}

TEST_F(BareMetalTest, AnObservedMachineThatIsNoLongerOursIsNeitherTrustedNorDeployed) {
  // Released behind our back and allocated by someone else: MAAS shows it Allocated, without
  // our annotations. The plugin checks agent_name instead of deploying it.
  auto m = machineObject("robbed", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  ASSERT_TRUE(ready(plugin_.reconcileUntil(m, call_, ready)));
  const std::string id = str(status(m), "systemID");
  ASSERT_EQ(sim_.api("POST", "machines/" + id + "/?op=release").status, 200);
  ASSERT_TRUE(eventually(
      [&] { return sim_.machine(id)->getValue<std::string>("status_name") == "Ready"; }));
  ASSERT_EQ(sim_.api("POST", "machines/?op=allocate", {{"system_id", id}, {"agent_name", "other"}})
                .status,
            200);
  const int deploys = sim_.count("POST machines/{id} op=deploy");
  LoadedPlugin::Call call = call_;
  call.observed = pollerRead(sim_, m);
  ASSERT_EQ(call.observed->getValue<std::string>("status_name"), "Allocated");
  ASSERT_TRUE(plugin_.reconcile(m, call).ok());
  EXPECT_EQ(condition(status(m), "MachineDeployed")->getValue<std::string>("reason"),
            "MachineReleased");
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), deploys);
  EXPECT_EQ(sim_.machine(id)->getValue<std::string>("agent_name"), "other");
}

TEST_F(BareMetalTest, ANonObjectObservedIsASpecErrorNamingTheField) {
  auto m = machineObject("odd", R"({"minCPU": 1, "minMemory": 1024, "image": "ubuntu/jammy"})");
  auto out = plugin_.reconcileDocument(R"({"object": )" + toText(m) +
                                       R"(, "machines": [], "observed": "abc123"})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InvalidSpec);
  EXPECT_NE(out.error->message.find("observed"), std::string::npos) << out.error->message;
  EXPECT_EQ(sim_.total(), 0);  // refused before MAAS was asked anything
  // null is "absent", as for userData.
  out = plugin_.reconcileDocument(R"({"object": )" + toText(m) + R"(, "observed": null})");
  EXPECT_TRUE(out.ok()) << out.error->message;
}

// Bare metal beside LXD VM hosts on a MAAS that reads pod constraints as "VMs only".
class BareMetalVmHostsTest : public ::testing::Test {
 protected:
  BareMetalVmHostsTest()
      : sim_(kVmHostsInventory), plugin_("baremetal", sim_.client(), kFastConfig) {
    call_.cluster = clusterObject();
    call_.userData = kUserData;
  }

  static JsonObject spec(const std::string& name, int cpu) {
    return machineObject(name, R"({"minCPU": )" + std::to_string(cpu) +
                                   R"(, "minMemory": 1024, "image": "ubuntu/jammy"})");
  }
  // Machines inside a VM host, whoever holds them.
  int vmCount() {
    JsonArray machines = sim_.state()->getArray("machines");
    int n = 0;
    for (size_t i = 0; i < machines->size(); ++i)
      if (!machines->getObject(static_cast<unsigned>(i))->isNull("pod")) ++n;
    return n;
  }
  int usedCores() {
    JsonArray hosts = sim_.state()->getArray("vm_hosts");
    int n = 0;
    for (size_t i = 0; i < hosts->size(); ++i)
      n += hosts->getObject(static_cast<unsigned>(i))->getObject("used")->getValue<int>("cores");
    return n;
  }
  std::string heldHostname(const std::string& uid) {
    auto held = sim_.heldBy(uid);
    return held.size() == 1 ? held[0]->getValue<std::string>("hostname") : "";
  }

  SimMaas sim_;
  LoadedPlugin plugin_;
  LoadedPlugin::Call call_;
};

TEST_F(BareMetalVmHostsTest, PhysicalMachinesThenAClearErrorAndNeverAComposedVm) {
  auto a = spec("w-a", 2), b = spec("w-b", 2), c = spec("w-c", 2);
  ASSERT_TRUE(plugin_.reconcile(a, call_).ok());
  ASSERT_TRUE(plugin_.reconcile(b, call_).ok());
  EXPECT_EQ(heldHostname("uid-w-a").rfind("metal-", 0), 0u);
  EXPECT_EQ(heldHostname("uid-w-b").rfind("metal-", 0), 0u);
  EXPECT_NE(heldHostname("uid-w-a"), heldHostname("uid-w-b"));
  // Out of bare metal. MAAS would compose a VM for a plain allocate; it is never asked one.
  const int allocates = sim_.count("POST machines op=allocate");
  for (int i = 0; i < 2; ++i) {
    auto out = plugin_.reconcile(c, call_);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
    EXPECT_TRUE(out.error->retryable);
    EXPECT_GT(out.error->requeueAfter.count(), 0);
    EXPECT_NE(out.error->message.find("No available bare-metal machine matches cpu_count=2"),
              std::string::npos)
        << out.error->message;
  }
  auto cond = condition(c->getObject("status"), "MachineDeployed");
  ASSERT_TRUE(cond);
  EXPECT_EQ(cond->getValue<std::string>("reason"), "WaitingForMachine");
  EXPECT_EQ(sim_.count("POST machines op=allocate"), allocates);
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 2);
  EXPECT_EQ(vmCount(), 0) << toText(sim_.state());
  EXPECT_EQ(usedCores(), 0);
  EXPECT_TRUE(sim_.heldBy("uid-w-c").empty());
  // A physical machine freed by deleting w-a goes to w-c.
  const std::string freed = heldHostname("uid-w-a");
  ASSERT_TRUE(plugin_.remove(a, call_).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_TRUE(plugin_.reconcile(c, call_).ok());
  EXPECT_EQ(heldHostname("uid-w-c"), freed);
  EXPECT_EQ(vmCount(), 0);
}

TEST_F(BareMetalVmHostsTest, ACheaperReadyVmIsLeftAloneAndBareMetalPinned) {
  // MAAS's cost order prefers this 1-core VM over the 8-core machines.
  auto vm = sim_.api("POST", "vm-hosts/1/?op=compose",
                     {{"cores", "1"}, {"memory", "1024"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(vm.status, 200) << vm.body;
  const std::string vmId = vm.object()->getValue<std::string>("system_id");
  auto m = spec("cheap", 1);
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(heldHostname("uid-cheap").rfind("metal-", 0), 0u);
  EXPECT_EQ(str(m->getObject("status"), "systemID"), sim_.systemId(heldHostname("uid-cheap")));
  auto untouched = sim_.machine(vmId);
  EXPECT_EQ(untouched->getValue<std::string>("status_name"), "Ready");
  EXPECT_EQ(untouched->getValue<std::string>("agent_name"), "");
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 1);
}

// The default first try, MAAS's own pick with not_pod_type=lxd, on MAAS 3.2's reading of pod
// filters ("VMs of other VM hosts only", this fixture's simulator): it finds nothing, composes
// nothing, and the list-and-pin path takes a physical machine, leaving the cheaper LXD VM alone.
TEST_F(BareMetalVmHostsTest, MaasOwnPickFallsBackToTheListWherePodFiltersMeanVmsOnly) {
  LoadedPlugin pick("baremetal", sim_.client(), kPickConfig);
  auto vm = sim_.api("POST", "vm-hosts/1/?op=compose",
                     {{"cores", "1"}, {"memory", "1024"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(vm.status, 200) << vm.body;
  const std::string vmId = vm.object()->getValue<std::string>("system_id");
  const int getsBefore = sim_.count("GET machines");
  auto m = spec("picked", 1);
  auto out = pick.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(heldHostname("uid-picked").rfind("metal-", 0), 0u);
  EXPECT_EQ(sim_.machine(vmId)->getValue<std::string>("agent_name"), "");
  // The first try (409: no VM outside LXD hosts), then the pinned one.
  EXPECT_EQ(sim_.count("POST machines op=allocate"), 2);
  // The crash-safe lookup by agent_name, then the list of Ready machines.
  EXPECT_EQ(sim_.count("GET machines") - getsBefore, 2) << toText(sim_.counters());
  EXPECT_EQ(vmCount(), 1) << "nothing composed";
}

TEST_F(BareMetalVmHostsTest, ALxdMachinesFreshVmIsNotTakenByABareMetalAllocation) {
  // The LXD plugin composes a VM (commissioning, then Ready and unowned until its next
  // reconcile allocates it); a bare-metal machine is allocated in between.
  LoadedPlugin lxd("lxd", sim_.client(), kLxdFastConfig);
  LoadedPlugin::Call lxdCall;
  lxdCall.cluster = lxdCluster();
  lxdCall.userData = kLxdUserData;
  auto cp = lxdMachine("cp", lxdSpec(1, 1024));
  ASSERT_TRUE(lxd.reconcile(cp, lxdCall).ok());
  ASSERT_EQ(vmCount(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // commissioned: Ready
  auto w = spec("w", 1);
  ASSERT_TRUE(plugin_.reconcile(w, call_).ok());
  EXPECT_EQ(heldHostname("uid-w").rfind("metal-", 0), 0u);
  // The LXD machine goes on to Ready instead of finding its VM released behind its back.
  auto done = lxd.reconcileUntil(cp, lxdCall, [](const plugin::CallOutcome& o) {
    return o.ok() && o.status && o.status->has("ready") && o.status->getValue<bool>("ready");
  });
  EXPECT_TRUE(done.ok() && done.status->getValue<bool>("ready")) << toText(cp);
  EXPECT_FALSE(cp->getObject("status")->has("failureReason")) << toText(cp);
}

TEST_F(BareMetalVmHostsTest, AVmAllocatedJustBeforeACrashIsReleasedNotAdopted) {
  // As if the plugin died between MAAS's answer (a composed VM) and giving it back.
  auto r = sim_.api("POST", "machines/?op=allocate",
                    {{"cpu_count", "32"}, {"mem", "1024"}, {"agent_name", "uid-crashed"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_FALSE(r.object()->isNull("pod"));
  ASSERT_EQ(vmCount(), 1);
  auto m = spec("crashed", 2);
  auto out = plugin_.reconcile(m, call_);
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_FALSE(str(m->getObject("status"), "systemID").empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(heldHostname("uid-crashed").rfind("metal-", 0), 0u);
  EXPECT_EQ(vmCount(), 0) << toText(sim_.state());
  EXPECT_EQ(usedCores(), 0);
  EXPECT_EQ(sim_.count("POST machines/{id} op=deploy"), 1);
}

}  // namespace
}  // namespace maasprov::plugins::test
