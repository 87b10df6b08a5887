// maas-sim allocate with VM hosts around: which existing machines pod, not_pod, pod_type and
// not_pod_type let through (MAAS 3.2's filter_by_pod_or_pod_type with `pod_constraints:
// pods-only`, current MAAS's bmc__name / bmc__power_type by default), that an existing machine
// always wins over composing, and what allocate composes when nothing existing matches.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "sim_client.hpp"
#include "sim_process.hpp"

namespace maassim::testing {
namespace {

using namespace std::chrono_literals;

// Two bare-metal machines and two LXD VM hosts; lxd-1 already holds a Ready VM "vm-ready"
// (composed by the fixture). Only lxd-2 carries the tag "fast"; only lxd-2 is in zone-b.
std::string PodsInventory(const std::string& mode) {
  return "pod_constraints: " + mode + R"(
zones: [{name: zone-a}, {name: zone-b}]
tags: [{name: fast}]
machines:
  - {hostname: metal-small, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: metal-big, cores: 16, memory: 65536, zone: zone-b}
vm_hosts:
  - {name: lxd-1, zone: zone-a, cores: 32, memory: 131072, cpu_over_commit_ratio: 4,
     storage_pools: [{name: default, size_gb: 500}]}
  - {name: lxd-2, zone: zone-b, cores: 32, memory: 131072, cpu_over_commit_ratio: 4,
     tags: [fast], storage_pools: [{name: default, size_gb: 500}]}
)";
}

class AllocatePods : public ::testing::TestWithParam<const char*> {
 protected:
  AllocatePods() : sim_(SimProcess::Yaml(PodsInventory(GetParam()), {"--release-seconds", "0.2"})) {
    auto vm = Call(sim_.port(), "POST", Api("vm-hosts/1/?op=compose"),
                   {{"hostname", "vm-ready"}, {"cores", "1"}, {"skip_commissioning", "true"}});
    EXPECT_EQ(vm.status, 200) << vm.body;
  }

  HttpResult Allocate(const Form& f) {
    return Call(sim_.port(), "POST", Api("machines/?op=allocate"), f);
  }
  std::string HostnameOf(const Form& f) {
    auto r = Allocate(f);
    return r.status == 200 ? r.object()->getValue<std::string>("hostname")
                           : std::to_string(r.status);
  }
  int64_t UsedCores(int host) {
    return Call(sim_.port(), "GET", Api("vm-hosts/" + std::to_string(host) + "/"))
        .object()
        ->getObject("used")
        ->getValue<int64_t>("cores");
  }
  size_t MachineCount() { return Call(sim_.port(), "GET", Api("machines/")).array()->size(); }

  SimProcess sim_;
};

INSTANTIATE_TEST_SUITE_P(Modes, AllocatePods, ::testing::Values("bmc", "pods-only"));

TEST_P(AllocatePods, WithoutPodConstraintsTheCheapestExistingMachineWinsAndNothingIsComposed) {
  const size_t before = MachineCount();
  // vm-ready (1 core) is cheaper than metal-small (4): MAAS's cost order, VM or not.
  auto vm = Allocate({{"agent_name", "a"}});
  ASSERT_EQ(vm.status, 200) << vm.body;
  EXPECT_EQ(vm.object()->getValue<std::string>("hostname"), "vm-ready");
  EXPECT_EQ(vm.object()->getObject("pod")->getValue<std::string>("name"), "lxd-1");
  // cpu_count=2 rules the VM out: the physical machine, "pod": null, no VM composed for it.
  auto metal = Allocate({{"cpu_count", "2"}, {"agent_name", "a"}});
  ASSERT_EQ(metal.status, 200) << metal.body;
  EXPECT_EQ(metal.object()->getValue<std::string>("hostname"), "metal-small");
  EXPECT_TRUE(metal.object()->isNull("pod"));
  EXPECT_TRUE(metal.object()->isNull("virtualmachine_id"));
  EXPECT_EQ(MachineCount(), before);
  EXPECT_EQ(UsedCores(1), 1);
  EXPECT_EQ(UsedCores(2), 0);
}

TEST_P(AllocatePods, ComposesOnlyWhenNoExistingMachineMatchesOnTheFirstHostPassingTheFilters) {
  const size_t before = MachineCount();
  // 24 cores: more than either physical machine. zone-b leaves only lxd-2.
  auto r = Allocate({{"cpu_count", "24"}, {"zone", "zone-b"}, {"agent_name", "big"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto m = r.object();
  EXPECT_EQ(m->getValue<std::string>("status_name"), "Allocated");
  EXPECT_EQ(Call(sim_.port(), "GET", Api("machines/"), {{"agent_name", "big"}}).array()->size(),
            1u);
  auto pod = m->getObject("pod");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->getValue<std::string>("name"), "lxd-2");
  EXPECT_EQ(pod->getValue<int>("id"), 2);
  EXPECT_EQ(pod->getValue<std::string>("resource_uri"), "/MAAS/api/2.0/pods/2/");
  EXPECT_FALSE(m->isNull("virtualmachine_id"));
  EXPECT_EQ(MachineCount(), before + 1);
  EXPECT_EQ(UsedCores(2), 24);
  // tags: only VM hosts carrying every requested tag compose; not_tags skips lxd-2.
  auto podOf = [this](const Form& f) {
    auto a = Allocate(f);
    return a.status == 200 ? a.object()->getObject("pod")->getValue<std::string>("name") : a.body;
  };
  EXPECT_EQ(podOf({{"cpu_count", "17"}, {"tags", "fast"}}), "lxd-2");
  EXPECT_EQ(podOf({{"cpu_count", "20"}, {"not_tags", "fast"}}), "lxd-1");
  // Released, a composed VM is decomposed: gone, its cores back on the host.
  const std::string id = m->getValue<std::string>("system_id");
  ASSERT_EQ(Call(sim_.port(), "POST", Api("machines/" + id + "/?op=release")).status, 200);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(Call(sim_.port(), "GET", Api("machines/" + id + "/")).status, 404);
  EXPECT_EQ(UsedCores(2), 17);  // the tags=fast VM is still there
}

TEST_P(AllocatePods, NotPodNamesAHostToAvoidAndComposesElsewhere) {
  // not_pod=lxd-1: vm-ready is excluded; in pods-only mode the physical machines are too,
  // so MAAS composes on lxd-2. With bmc filtering metal-small (BMC without a name) passes.
  auto r = Allocate({{"not_pod", "lxd-1"}, {"agent_name", "n"}});
  ASSERT_EQ(r.status, 200) << r.body;
  if (std::string(GetParam()) == "pods-only") {
    EXPECT_EQ(r.object()->getObject("pod")->getValue<std::string>("name"), "lxd-2");
  } else {
    EXPECT_EQ(r.object()->getValue<std::string>("hostname"), "metal-small");
  }
}

class AllocatePodsOnly : public AllocatePods {};
INSTANTIATE_TEST_SUITE_P(Maas32, AllocatePodsOnly, ::testing::Values("pods-only"));

TEST_P(AllocatePodsOnly, NotPodTypeExcludesEveryPhysicalMachine) {
  // Only LXD hosts exist: no VM passes, nothing may be composed, and bare metal never passes.
  auto r = Allocate({{"not_pod_type", "lxd"}, {"cpu_count", "2"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("not_pod_type=lxd"), std::string::npos) << r.body;
  // A pod constraint that lets VMs through gives a VM, never the physical machine.
  EXPECT_EQ(HostnameOf({{"pod_type", "lxd"}}), "vm-ready");
  EXPECT_EQ(HostnameOf({{"not_pod_type", "virsh"}, {"cpu_count", "2"}}).rfind("metal", 0),
            std::string::npos);
  auto state = Call(sim_.port(), "GET", "/_sim/state").object()->getArray("machines");
  for (size_t i = 0; i < state->size(); ++i) {
    auto m = state->getObject(i);
    if (m->getValue<std::string>("hostname").rfind("metal", 0) == 0) {
      EXPECT_EQ(m->getValue<std::string>("status_name"), "Ready");
    }
  }
}

TEST_P(AllocatePodsOnly, RepeatedPodFieldsKeepOnlyTheLastValue) {
  // not_pod_type is a CharField in MAAS 3.2: "lxd" then "virsh" excludes only virsh.
  EXPECT_EQ(HostnameOf({{"not_pod_type", "lxd"}, {"not_pod_type", "virsh"}}), "vm-ready");
}

class AllocateBmc : public AllocatePods {};
INSTANTIATE_TEST_SUITE_P(Current, AllocateBmc, ::testing::Values("bmc"));

TEST_P(AllocateBmc, PodTypeFiltersOnTheBmcPowerTypeOfEveryMachine) {
  // pod_type matches any BMC's power type: ipmi finds a physical machine.
  EXPECT_EQ(HostnameOf({{"pod_type", "ipmi"}}), "metal-small");
  // not_pod_type=lxd keeps bare metal (its BMC is ipmi).
  EXPECT_EQ(HostnameOf({{"not_pod_type", "lxd"}}), "metal-big");
  // Lists exclude every value; with the bare metal gone nothing passes and nothing composes.
  EXPECT_EQ(HostnameOf({{"not_pod_type", "virsh"}, {"not_pod_type", "lxd"}}), "409");
  EXPECT_EQ(HostnameOf({{"pod_type", "lxd"}}), "vm-ready");
}

}  // namespace
}  // namespace maassim::testing
