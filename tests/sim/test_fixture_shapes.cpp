// Every maas-sim payload carries the keys (and value types) of the real MAAS payloads in the
// shared gomaasclient fixtures, so a client that parses MAAS parses the simulator too.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

using Poco::Dynamic::Var;

Var Fixture(const std::string& name) {
  std::ifstream in(std::string(MAASPROV_FIXTURES_DIR) + "/" + name);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::stringstream buf;
  buf << in.rdbuf();
  return Poco::JSON::Parser().parse(buf.str());
}

std::string Kind(const Var& v) {
  if (v.isEmpty()) return "null";
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) return "object";
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) return "array";
  if (v.type() == typeid(bool)) return "bool";
  if (v.isString()) return "string";
  if (v.isNumeric()) return "number";
  return "other";
}

// Records every fixture key missing from `got`, and every value whose JSON type differs where
// both sides carry a value. Empty arrays and fixture nulls say nothing about types.
void Compare(const Var& want, const Var& got, const std::string& path,
             std::vector<std::string>& problems) {
  std::string wk = Kind(want), gk = Kind(got);
  if (wk == "null") return;
  if (gk != wk) {
    problems.push_back(path + ": fixture has " + wk + ", simulator sent " + gk);
    return;
  }
  if (wk == "object") {
    auto w = want.extract<Poco::JSON::Object::Ptr>();
    auto g = got.extract<Poco::JSON::Object::Ptr>();
    for (const auto& [key, value] : *w) {
      if (!g->has(key)) {
        problems.push_back(path + "." + key + ": missing");
        continue;
      }
      Compare(value, g->get(key), path + "." + key, problems);
    }
  } else if (wk == "array") {
    auto w = want.extract<Poco::JSON::Array::Ptr>();
    auto g = got.extract<Poco::JSON::Array::Ptr>();
    if (w->size() > 0 && g->size() > 0) Compare(w->get(0), g->get(0), path + "[0]", problems);
  }
}

// Records every key `got` sends that the fixture lacks, unless its path is in `extras`, in every
// object both sides have (arrays: their first elements). With Compare this pins the field set.
void CompareKeys(const Var& want, const Var& got, const std::string& path,
                 const std::set<std::string>& extras, std::vector<std::string>& problems) {
  if (Kind(want) != Kind(got)) return;  // Compare reports it
  if (Kind(want) == "object") {
    auto w = want.extract<Poco::JSON::Object::Ptr>();
    auto g = got.extract<Poco::JSON::Object::Ptr>();
    for (const auto& [key, value] : *g) {
      if (key == "owner_data" || key == "workload_annotations") continue;  // free-form maps
      if (w->has(key))
        CompareKeys(w->get(key), value, path + "." + key, extras, problems);
      else if (!extras.count(path + "." + key))
        problems.push_back(path + "." + key + ": not in the fixture");
    }
  } else if (Kind(want) == "array") {
    auto w = want.extract<Poco::JSON::Array::Ptr>();
    auto g = got.extract<Poco::JSON::Array::Ptr>();
    if (w->size() > 0 && g->size() > 0)
      CompareKeys(w->get(0), g->get(0), path + "[0]", extras, problems);
  }
}

std::string Report(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += "\n  " + p;
  return out;
}

class SimFixtureShapes : public ::testing::Test {
 protected:
  SimProcess sim_{SimProcess::Yaml(kTestInventory, {"--deploy-seconds", "5"})};
  Var Get(const std::string& rest) {
    auto r = Call(sim_.port(), "GET", Api(rest));
    EXPECT_EQ(r.status, 200) << rest << ": " << r.body;
    return Poco::JSON::Parser().parse(r.body);
  }
  void ExpectShape(const std::string& fixture, const Var& got) {
    std::vector<std::string> problems;
    Compare(Fixture(fixture), got, fixture, problems);
    EXPECT_TRUE(problems.empty()) << Report(problems);
  }
};

TEST_F(SimFixtureShapes, ComposedDeployingMachineMatchesMachineFixture) {
  // A composed, deploying machine has every optional part filled: owner, pod, addresses.
  auto composed =
      Call(sim_.port(), "POST", Api("vm-hosts/1/?op=compose"), {{"skip_commissioning", "true"}});
  ASSERT_EQ(composed.status, 200);
  std::string id = composed.object()->getValue<std::string>("system_id");
  ASSERT_EQ(Call(sim_.port(), "POST", Api("machines/" + id + "/?op=deploy")).status, 200);
  ExpectShape("machine.json", Get("machines/" + id + "/"));
  auto list = Get("machines/?id=" + id).extract<Poco::JSON::Array::Ptr>();
  ASSERT_EQ(list->size(), 1u);
  ExpectShape("machine.json", list->get(0));
}

// Keys the simulator sends beyond the (older) fixtures; MAAS 3.x sends them too.
const std::set<std::string> kMachineExtras = {
    "machine.hardware_uuid",
    "machine.parent",
    "machine.virtualmachine_id",
    "machine.workload_annotations",
    "machine.interface_set[0].link_connected",
    "machine.boot_interface.link_connected",
    "machine.blockdevice_set[0].firmware_version",
    "machine.physicalblockdevice_set[0].firmware_version",
    "machine.boot_disk.firmware_version",
};

TEST_F(SimFixtureShapes, MachineFieldSetIsPinnedToTheFixture) {
  // Every machine sends exactly the fixture's fields plus the known extras; a deployed VM (owner,
  // pod, parent, addresses, annotations) fills every optional one with the fixture's JSON type.
  auto composed =
      Call(sim_.port(), "POST", Api("vm-hosts/1/?op=compose"), {{"skip_commissioning", "true"}});
  ASSERT_EQ(composed.status, 200);
  std::string id = composed.object()->getValue<std::string>("system_id");
  ASSERT_EQ(Call(sim_.port(), "POST", Api("machines/" + id + "/?op=deploy")).status, 200);
  ASSERT_EQ(Call(sim_.port(), "POST", Api("machines/" + id + "/?op=set_workload_annotations"),
                 {{"owner", "caf\xc3\xa9 \"q\"\x01"}})
                .status,
            200);
  auto want = Fixture("machine.json");
  auto list = Get("machines/").extract<Poco::JSON::Array::Ptr>();
  ASSERT_GT(list->size(), 2u);
  for (size_t i = 0; i < list->size(); ++i) {
    std::vector<std::string> problems;
    CompareKeys(want, list->get(i), "machine", kMachineExtras, problems);
    EXPECT_TRUE(problems.empty()) << list->getObject(i)->getValue<std::string>("hostname")
                                  << Report(problems);
  }
  Var got = Get("machines/" + id + "/");
  std::vector<std::string> problems;
  Compare(want, got, "machine", problems);
  EXPECT_TRUE(problems.empty()) << Report(problems);
  auto vm = got.extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(vm->getObject("workload_annotations")->getValue<std::string>("owner"),
            "caf\xc3\xa9 \"q\"\x01");
  EXPECT_EQ(vm->getObject("owner_data")->getValue<std::string>("owner"), "caf\xc3\xa9 \"q\"\x01");
  EXPECT_FALSE(vm->getArray("interface_set")->getObject(0)->getArray("links")->size() == 0);
}

TEST_F(SimFixtureShapes, VmHostFieldSetIsPinnedToTheFixture) {
  ASSERT_EQ(
      Call(sim_.port(), "POST", Api("vm-hosts/1/?op=compose"), {{"skip_commissioning", "true"}})
          .status,
      200);
  for (const char* path : {"vm-hosts/1/", "pods/1/"}) {
    std::vector<std::string> problems;
    Var got = Get(path);
    Compare(Fixture("vm_host.json"), got, "vm_host", problems);
    CompareKeys(Fixture("vm_host.json"), got, "vm_host", {"vm_host.version"}, problems);
    EXPECT_TRUE(problems.empty()) << path << Report(problems);
  }
  auto list = Get("vm-hosts/");
  std::vector<std::string> problems;
  CompareKeys(Fixture("vm_hosts.json"), list, "vm_hosts", {"vm_hosts[0].version"}, problems);
  EXPECT_TRUE(problems.empty()) << Report(problems);
}

TEST_F(SimFixtureShapes, BareMetalMachineCarriesMachineFixtureKeys) {
  auto list = Get("machines/").extract<Poco::JSON::Array::Ptr>();
  for (size_t i = 0; i < list->size(); ++i) {
    auto m = list->getObject(i);
    auto want = Fixture("machine.json").extract<Poco::JSON::Object::Ptr>();
    for (const auto& [key, value] : *want)
      EXPECT_TRUE(m->has(key)) << m->getValue<std::string>("hostname") << " lacks " << key;
  }
}

TEST_F(SimFixtureShapes, VmHostMatchesVmHostFixtures) {
  ExpectShape("vm_host.json", Get("vm-hosts/1/"));
  ExpectShape("vm_hosts.json", Get("vm-hosts/"));
  ExpectShape("vm_hosts.json", Get("pods/"));
}

TEST_F(SimFixtureShapes, ZonesPoolsDomainsSubnetsMatchTheirFixtures) {
  ExpectShape("zone.json", Get("zones/zone-a/"));
  ExpectShape("resource_pool.json", Get("resourcepool/0/"));
  ExpectShape("resource_pools.json", Get("resourcepools/"));
  ExpectShape("domains.json", Get("domains/"));
  ExpectShape("subnet.json", Get("subnets/1/"));
  ExpectShape("subnets.json", Get("subnets/"));
}

TEST_F(SimFixtureShapes, InterfacesMatchInterfaceFixture) {
  auto m = Get("machines/?hostname=deployed-1").extract<Poco::JSON::Array::Ptr>()->getObject(0);
  auto want = Fixture("interface.json").extract<Poco::JSON::Object::Ptr>();
  auto got = m->getArray("interface_set")->getObject(0);
  for (const auto& [key, value] : *want) EXPECT_TRUE(got->has(key)) << "interface lacks " << key;
}

}  // namespace
}  // namespace maassim::testing
