// The LXD plugin (lxd.so) choosing VM hosts, through the real loader against a real maas-sim:
// spreading across zones and hosts, pinning, over-commit, storage pools, shortfalls, capability
// errors, unusable hosts. What MAAS holds is read back from /_sim/state and /_sim/counters.
#include <set>
#include <thread>

#include "lxd_test_support.hpp"

namespace maasprov::plugins::test {
namespace {

using LxdPlacement = LxdTest;

TEST_F(LxdPlacement, ThreeControlPlaneVmsLandInThreeZonesOnThreeHosts) {
  start(kThreeZoneHosts);
  std::vector<JsonObject> cps;
  std::set<std::string> zones, hosts;
  for (int i = 0; i < 3; ++i) {
    JsonObject m = lxdMachine("cp-" + std::to_string(i), lxdSpec(2, 4096));
    LoadedPlugin::Call call = call_;
    call.machines = cps;  // the cluster's other machines with their status, as the controller
    deploy(m, call);
    zones.insert(str(status(m), "failureDomain"));
    hosts.insert(str(status(m), "lxdHost"));
    cps.push_back(m);
  }
  EXPECT_EQ(zones, (std::set<std::string>{"zone-a", "zone-b", "zone-c"}));
  EXPECT_EQ(hosts.size(), 3u);
  // Without spreading all three would go to lxd-a1, the host with the most free memory.
  EXPECT_EQ(str(status(cps[0]), "lxdHost"), "lxd-a1");

  JsonObject s = status(cps[1]);
  const std::string sid = str(s, "systemID");
  EXPECT_EQ(str(s, "provisioningMode"), "lxd");
  EXPECT_EQ(str(s, "providerID"), "maas-lxd://" + str(s, "failureDomain") + "/" + sid);
  EXPECT_EQ(str(s, "lxdProject"), "maasprov");
  EXPECT_EQ(str(s, "machineState"), "Deployed");
  EXPECT_TRUE(s->getValue<bool>("machinePowered"));
  JsonObject usage = s->getObject("vmResourceUsage");
  EXPECT_EQ(usage->getValue<int>("allocatedCores"), 2);
  EXPECT_EQ(usage->getValue<int>("allocatedMemory"), 4096);
  EXPECT_EQ(usage->getValue<int>("allocatedDisk"), 20);  // the model's default size
  EXPECT_FALSE(s->getArray("addresses")->size() == 0);
  for (const char* type : {"LXDHostSelected", "LXDResourcesAllocated", "LXDVMCreated",
                           "LXDVMDeployed", "MachineDeployed"}) {
    ASSERT_TRUE(condition(s, type)) << type;
    EXPECT_EQ(condition(s, type)->getValue<std::string>("status"), "True") << type;
  }
  // Ownership marks in MAAS, as bare metal: agent_name = uid, workload annotations.
  auto held = sim_->heldBy("uid-cp-1");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]->getValue<std::string>("system_id"), sid);
  EXPECT_EQ(held[0]->getObject("workload_annotations")->getValue<std::string>("maasprov_machine"),
            "cp-1");
  EXPECT_EQ(held[0]->getValue<std::string>("hostname"), str(s, "hostname"));
  EXPECT_EQ(composes("200"), 3);
}

TEST_F(LxdPlacement, ConcurrentControlPlanesOfOneClusterStillSpreadAcrossZones) {
  start(kThreeZoneHosts);
  // Reconciled at once: no machine's status shows the others yet, the plugin's own in-flight
  // reservations must spread them.
  std::vector<JsonObject> cps;
  for (int i = 0; i < 3; ++i)
    cps.push_back(lxdMachine("cc-" + std::to_string(i), lxdSpec(2, 4096)));
  std::vector<std::thread> threads;
  for (auto& m : cps) threads.emplace_back([&, m] { plugin_->reconcile(m, call_); });
  for (auto& t : threads) t.join();
  std::set<std::string> zones;
  for (auto& m : cps) zones.insert(str(status(m), "failureDomain"));
  EXPECT_EQ(zones, (std::set<std::string>{"zone-a", "zone-b", "zone-c"}));
}

TEST_F(LxdPlacement, TheClustersFailureDomainsLimitTheZones) {
  start(kThreeZoneHosts);
  call_.cluster = lxdCluster(R"(, "failureDomains": ["zone-b", "zone-c"])");
  std::vector<JsonObject> placed;
  for (int i = 0; i < 3; ++i) {
    JsonObject m = lxdMachine("fd-" + std::to_string(i), lxdSpec(1, 1024));
    LoadedPlugin::Call call = call_;
    call.machines = placed;
    ASSERT_TRUE(plugin_->reconcile(m, call).ok());
    EXPECT_NE(str(status(m), "failureDomain"), "zone-a");
    placed.push_back(m);
  }
  EXPECT_EQ(vmCount("lxd-a1") + vmCount("lxd-a2"), 0);
}

TEST_F(LxdPlacement, WithAFixedZoneVmsSpreadAcrossThatZonesHosts) {
  start(kThreeZoneHosts);
  JsonObject first = lxdMachine("w-0", lxdSpec(2, 4096, R"(, "failureDomain": "zone-a")"), false);
  plugin_->reconcile(first, call_);
  JsonObject second = lxdMachine("w-1", lxdSpec(2, 4096, R"(, "failureDomain": "zone-a")"), false);
  LoadedPlugin::Call call = call_;
  call.machines = {first};
  ASSERT_TRUE(plugin_->reconcile(second, call).ok());
  EXPECT_EQ(str(status(first), "lxdHost"), "lxd-a1");
  EXPECT_EQ(str(status(second), "lxdHost"), "lxd-a2");  // a1 still has more memory free
}

TEST_F(LxdPlacement, PinnedVmHostByNameOrId) {
  start(kThreeZoneHosts);
  JsonObject byName = lxdMachine("p-0", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-c1"})"));
  ASSERT_TRUE(plugin_->reconcile(byName, call_).ok());
  EXPECT_EQ(str(status(byName), "lxdHost"), "lxd-c1");
  const std::string id = hostId("lxd-b1");
  JsonObject byId =
      lxdMachine("p-1", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": ")" + id + R"("})"));
  ASSERT_TRUE(plugin_->reconcile(byId, call_).ok());
  EXPECT_EQ(str(status(byId), "lxdHost"), "lxd-b1");
  EXPECT_EQ(vmCount("lxd-b1"), 1);

  JsonObject unknown =
      lxdMachine("p-2", lxdSpec(1, 1024, R"(, "lxdConfig": {"vmHost": "lxd-z9"})"));
  auto out = plugin_->reconcile(unknown, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InvalidSpec);
  EXPECT_NE(out.error->message.find("spec.lxdConfig.vmHost"), std::string::npos);
  EXPECT_NE(out.error->message.find("lxd-a1, lxd-a2, lxd-b1, lxd-c1"), std::string::npos)
      << out.error->message;
  EXPECT_EQ(reasonOf(unknown, "LXDHostSelected"), "VMHostNotFound");
}

TEST_F(LxdPlacement, OverCommitRatiosAreHonoured) {
  start(R"(
vm_hosts:
  - {name: lxd-oc, zone: zone-a, cores: 4, memory: 8192, cpu_over_commit_ratio: 2.0,
     memory_over_commit_ratio: 1.5, storage_pools: [{name: default, size_gb: 500}]}
)");
  // 4 physical cores x 2.0 = 8: two 4-core VMs fit, a third does not.
  for (int i = 0; i < 2; ++i) {
    JsonObject m = lxdMachine("oc-" + std::to_string(i), lxdSpec(4, 4096));
    ASSERT_TRUE(plugin_->reconcile(m, call_).ok()) << toText(m);
  }
  EXPECT_EQ(usedCores("lxd-oc"), 8);
  EXPECT_EQ(usedMemory("lxd-oc"), 8192);
  JsonObject third = lxdMachine("oc-2", lxdSpec(4, 2048));
  auto out = plugin_->reconcile(third, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
  EXPECT_NE(out.error->message.find("lxd-oc (zone zone-a) lacks 4 cores"), std::string::npos)
      << out.error->message;
  // Memory: 8192 x 1.5 = 12288, 8192 used: a 4096 MB VM still fits if cores allow.
  JsonObject small = lxdMachine("oc-3", lxdSpec(0, 4096));
  EXPECT_FALSE(plugin_->reconcile(small, call_).ok());  // 1 core minimum: cores are full
  EXPECT_EQ(composes("503"), 0);  // the plugin never asked MAAS for what it could not give
  EXPECT_EQ(composes("200"), 2);
}

TEST_F(LxdPlacement, FullStoragePoolSendsTheVmToTheNextHost) {
  start(R"(
vm_hosts:
  - {name: big, zone: zone-a, cores: 32, memory: 131072, storage_pools: [{name: default, size_gb: 30}]}
  - {name: roomy, zone: zone-a, cores: 8, memory: 16384, storage_pools: [{name: default, size_gb: 500}]}
)");
  JsonObject large =
      lxdMachine("disk-50", lxdSpec(1, 1024, R"(, "lxdConfig": {"storage": {"size": "50G"}})"));
  ASSERT_TRUE(plugin_->reconcile(large, call_).ok());
  EXPECT_EQ(str(status(large), "lxdHost"), "roomy");
  JsonObject fits =
      lxdMachine("disk-20", lxdSpec(1, 1024, R"(, "lxdConfig": {"storage": {"size": "20Gi"}})"));
  ASSERT_TRUE(plugin_->reconcile(fits, call_).ok());
  EXPECT_EQ(str(status(fits), "lxdHost"), "big");  // 20Gi = 22 GB fits in 30 GB
  JsonObject second =
      lxdMachine("disk-20b", lxdSpec(1, 1024, R"(, "lxdConfig": {"storage": {"size": 20}})"));
  ASSERT_TRUE(plugin_->reconcile(second, call_).ok());
  EXPECT_EQ(str(status(second), "lxdHost"), "roomy");  // big has 8 GB left
  EXPECT_EQ(composes("503"), 0);
}

TEST_F(LxdPlacement, NoHostFitsNamesTheShortfallThenSucceedsOnceCapacityAppears) {
  start(R"(
vm_hosts:
  - {name: lxd-1, zone: zone-a, cores: 4, memory: 8192, storage_pools: [{name: default, size_gb: 500}]}
)");
  auto blocker = sim_->api("POST", "vm-hosts/" + hostId("lxd-1") + "/?op=compose",
                           {{"cores", "4"}, {"memory", "4096"}, {"skip_commissioning", "true"}});
  ASSERT_EQ(blocker.status, 200) << blocker.body;
  JsonObject m = lxdMachine("wait", lxdSpec(2, 2048));
  std::vector<int64_t> waits;
  for (int i = 0; i < 6; ++i) {
    auto out = plugin_->reconcile(m, call_);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error->type, plugin::ErrorType::InsufficientResources);
    EXPECT_TRUE(out.error->retryable);
    EXPECT_NE(out.error->message.find("lxd-1 (zone zone-a) lacks 2 cores"), std::string::npos)
        << out.error->message;
    waits.push_back(out.error->requeueAfter.count() / 1000);
  }
  // Backoff: growing, never above the seed's 30 s for the first retries, then beyond.
  EXPECT_EQ(waits, (std::vector<int64_t>{5, 10, 20, 30, 30, 60}));
  EXPECT_EQ(reasonOf(m, "LXDResourcesAllocated"), "InsufficientResources");
  EXPECT_NE(condition(status(m), "LXDResourcesAllocated")
                ->getValue<std::string>("message")
                .find("lacks 2 cores"),
            std::string::npos);
  EXPECT_EQ(composes(), 1);  // only the blocker

  const std::string blockerId = blocker.object()->getValue<std::string>("system_id");
  ASSERT_EQ(sim_->api("DELETE", "machines/" + blockerId + "/").status, 204);
  deploy(m);
  EXPECT_EQ(str(status(m), "lxdHost"), "lxd-1");
}

TEST_F(LxdPlacement, MissingProjectProfilePoolOrBridgeIsTerminalAndNamesWhereItLooked) {
  start(kThreeZoneHosts);
  struct Case {
    const char* lxdConfig;
    plugin::ErrorType type;
    const char* reason;
    std::vector<std::string> mentions;
  };
  const Case cases[] = {
      {R"({"project": "nope"})",
       plugin::ErrorType::ProjectNotFound,
       "ProjectNotFound",
       {"\"nope\"", "lxd-a1: maasprov"}},
      {R"({"profile": "gpu"})",
       plugin::ErrorType::ProfileNotFound,
       "ProfileNotFound",
       {"\"gpu\"", "lxd-profile-gpu"}},
      {R"({"storage": {"size": "20G", "pool": "ssd"}})",
       plugin::ErrorType::InvalidSpec,
       "StoragePoolNotFound",
       {"spec.lxdConfig.storage.pool", "\"ssd\"", "lxd-a1: default, fast"}},
      {R"({"network": {"bridge": "br9"}})",
       plugin::ErrorType::InvalidSpec,
       "BridgeNotFound",
       {"spec.lxdConfig.network.bridge", "\"br9\"", "br-san (bridge)"}},
  };
  int n = 0;
  for (const Case& c : cases) {
    JsonObject m = lxdMachine("t-" + std::to_string(n++),
                              lxdSpec(1, 1024, std::string(R"(, "lxdConfig": )") + c.lxdConfig));
    auto out = plugin_->reconcile(m, call_);
    ASSERT_FALSE(out.ok()) << c.lxdConfig;
    EXPECT_EQ(out.error->type, c.type) << c.lxdConfig;
    EXPECT_FALSE(out.error->retryable) << c.lxdConfig;
    for (const auto& text : c.mentions) {
      EXPECT_NE(out.error->message.find(text), std::string::npos) << out.error->message;
    }
    EXPECT_EQ(reasonOf(m, "LXDHostSelected"), c.reason);
    EXPECT_EQ(str(status(m), "failureReason"), "CreateError");
  }
  EXPECT_EQ(composes(), 0);
}

TEST_F(LxdPlacement, ProjectProfilePoolAndNetworkChooseTheHostThatHasThem) {
  start(std::string(kThreeZoneHosts) + R"(
  - {name: lxd-p, zone: zone-b, cores: 4, memory: 8192, project: tenant-x,
     storage_pools: [{name: default, size_gb: 100}]}
)");
  JsonObject proj =
      lxdMachine("proj", lxdSpec(1, 1024, R"(, "lxdConfig": {"project": "tenant-x"})"));
  ASSERT_TRUE(plugin_->reconcile(proj, call_).ok());
  EXPECT_EQ(str(status(proj), "lxdHost"), "lxd-p");
  EXPECT_EQ(str(status(proj), "lxdProject"), "tenant-x");

  JsonObject full = lxdMachine("full", lxdSpec(1, 1024, R"(, "lxdConfig": {"profile": "k8s",
      "storage": {"size": "30G", "pool": "fast"},
      "network": {"bridge": "br0", "devices": ["br-san"]}})"));
  ASSERT_TRUE(plugin_->reconcile(full, call_).ok()) << toText(full);
  EXPECT_EQ(str(status(full), "lxdHost"), "lxd-a1");
  auto vm = sim_->api("GET", "machines/" + str(status(full), "systemID") + "/").object();
  auto ifaces = vm->getArray("interface_set");
  ASSERT_EQ(ifaces->size(), 2u);
  EXPECT_EQ(ifaces->getObject(0)->getValue<std::string>("name"), "eth0");
  EXPECT_EQ(ifaces->getObject(1)->getValue<std::string>("name"), "eth1");
  auto disks = vm->getArray("blockdevice_set");
  ASSERT_EQ(disks->size(), 1u);
  EXPECT_EQ(disks->getObject(0)->getValue<int64_t>("size"), 30000000000);
  EXPECT_EQ(vm->getObject("zone")->getValue<std::string>("name"), "zone-a");  // the host's zone
}

TEST_F(LxdPlacement, HostsWhoseMachineIsDownOrInMaintenanceAreSkipped) {
  start(R"(
machines:
  - {hostname: metal-a2, cores: 16, memory: 32768, zone: zone-a, status: Deployed,
     tags: [maasprov-no-schedule]}
  - {hostname: metal-a3, cores: 16, memory: 32768, zone: zone-a, status: Deployed,
     power_state: "off"}
  - {hostname: metal-a5, cores: 16, memory: 32768, zone: zone-a, status: Deployed}
vm_hosts:
  - {name: lxd-a1, zone: zone-a, cores: 16, memory: 32768, tags: [maasprov-maintenance],
     storage_pools: [{name: default, size_gb: 500}]}
  - {name: lxd-a2, host: metal-a2, zone: zone-a, storage_pools: [{name: default, size_gb: 500}]}
  - {name: lxd-a3, host: metal-a3, zone: zone-a, storage_pools: [{name: default, size_gb: 500}]}
  - {name: lxd-a5, host: metal-a5, zone: zone-a, storage_pools: [{name: default, size_gb: 500}]}
)");
  // lxd-a5 is the only usable one; make it unusable too, so the error lists every reason.
  const std::string a5 = sim_->systemId("metal-a5");
  ASSERT_EQ(sim_->api("POST", "machines/" + a5 + "/?op=release").status, 200);
  JsonObject m = lxdMachine("z", lxdSpec(1, 1024, R"(, "failureDomain": "zone-a")"));
  auto out = plugin_->reconcile(m, call_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::HostUnavailable);
  EXPECT_TRUE(out.error->retryable);
  EXPECT_GT(out.error->requeueAfter.count(), 0);
  EXPECT_LE(out.error->requeueAfter.count(), 30000);
  for (const char* text :
       {"lxd-a1: VM host tagged maasprov-maintenance",
        "lxd-a2: backing machine tagged maasprov-no-schedule", "lxd-a3: backing machine",
        "is powered off", "lxd-a5: backing machine", "not Deployed"}) {
    EXPECT_NE(out.error->message.find(text), std::string::npos) << out.error->message;
  }
  EXPECT_EQ(reasonOf(m, "LXDHostSelected"), "HostUnavailable");
  EXPECT_EQ(composes(), 0);
  // The host is usable again once its machine is deployed and on: the VM goes there.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // release finishes (0.2 s)
  ASSERT_EQ(
      sim_->api("POST", "machines/" + a5 + "/?op=deploy", {{"user_data", kLxdUserData}}).status,
      200);
  deploy(m);
  EXPECT_EQ(str(status(m), "lxdHost"), "lxd-a5");
}

TEST_F(LxdPlacement, WaitsForBootstrapDataBeforeComposing) {
  start(kThreeZoneHosts);
  call_.userData.reset();
  JsonObject m = lxdMachine("early", lxdSpec(1, 1024));
  auto out = plugin_->reconcile(m, call_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(reasonOf(m, "LXDHostSelected"), "WaitingForBootstrapData");
  EXPECT_EQ(reasonOf(m, "MachineDeployed"), "WaitingForBootstrapData");
  EXPECT_EQ(composes(), 0);
}

}  // namespace
}  // namespace maasprov::plugins::test
