// maas-sim tag administration (create, update_nodes, machines) and VM host update and delete,
// as MAAS's TagHandler and PodForm.
#include <gtest/gtest.h>

#include <set>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

class SimAdmin : public ::testing::Test {
 protected:
  SimProcess sim_{SimProcess::Yaml(kTestInventory, {"--commission-seconds", "0"})};

  HttpResult Do(const std::string& method, const std::string& rest, const Form& f = {}) {
    return Call(sim_.port(), method, Api(rest), f);
  }
  std::string Id(const std::string& hostname) {
    auto r = Do("GET", "machines/", {{"hostname", hostname}});
    return r.array()->getObject(0)->getValue<std::string>("system_id");
  }
  std::set<std::string> Hostnames(const HttpResult& r) {
    std::set<std::string> out;
    for (size_t i = 0; i < r.array()->size(); ++i)
      out.insert(r.array()->getObject(i)->getValue<std::string>("hostname"));
    return out;
  }
};

TEST_F(SimAdmin, CreatedTagIsAppliedAndRemovedWithUpdateNodes) {
  auto created =
      Do("POST", "tags/", {{"name", "rack-7"}, {"comment", "rack seven"}, {"definition", ""}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.object()->getValue<std::string>("comment"), "rack seven");

  auto upd = Do("POST", "tags/rack-7/?op=update_nodes",
                {{"add", Id("twin-1")}, {"add", Id("twin-2")}, {"add", "nosuch"}});
  ASSERT_EQ(upd.status, 200) << upd.body;
  EXPECT_EQ(upd.object()->getValue<int>("added"), 2);  // unknown system_ids are ignored
  EXPECT_EQ(upd.object()->getValue<int>("removed"), 0);
  EXPECT_EQ(Hostnames(Do("GET", "machines/", {{"tags", "rack-7"}})),
            (std::set<std::string>{"twin-1", "twin-2"}));
  EXPECT_EQ(Hostnames(Do("GET", "tags/rack-7/?op=machines")),
            (std::set<std::string>{"twin-1", "twin-2"}));
  auto m = Do("GET", "machines/" + Id("twin-1") + "/").object();
  EXPECT_EQ(m->getArray("tag_names")->getElement<std::string>(1), "rack-7");

  auto rm = Do("POST", "tags/rack-7/?op=update_nodes", {{"remove", Id("twin-1")}});
  ASSERT_EQ(rm.status, 200) << rm.body;
  EXPECT_EQ(rm.object()->getValue<int>("removed"), 1);
  EXPECT_EQ(Hostnames(Do("GET", "tags/rack-7/?op=machines")), (std::set<std::string>{"twin-2"}));
  // Allocation honours tags added this way.
  auto a = Do("POST", "machines/?op=allocate", {{"tags", "rack-7"}});
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.object()->getValue<std::string>("hostname"), "twin-2");
}

TEST_F(SimAdmin, UpdateNodesErrorsAsMaas) {
  EXPECT_EQ(Do("POST", "tags/absent/?op=update_nodes", {{"add", Id("twin-1")}}).status, 404);
  EXPECT_EQ(Do("GET", "tags/absent/?op=machines").status, 404);
  ASSERT_EQ(Do("POST", "tags/", {{"name", "defined"}, {"definition", "//node"}}).status, 200);
  auto stale =
      Do("POST", "tags/defined/?op=update_nodes", {{"add", Id("twin-1")}, {"definition", "//old"}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.body, "Definition supplied '//old' doesn't match current definition '//node'");
  EXPECT_EQ(Do("POST", "tags/", {{"comment", "no name"}}).status, 400);
}

TEST_F(SimAdmin, VmHostUpdateChangesTagsZonePoolAndRatios) {
  auto r = Do("PUT", "vm-hosts/1/",
              {{"tags", "lxd, gpu-host"},
               {"zone", "zone-a"},
               {"pool", "gold"},
               {"cpu_over_commit_ratio", "3"},
               {"memory_over_commit_ratio", "1.25"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto h = Do("GET", "vm-hosts/1/").object();
  auto tags = h->getArray("tags");
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ(tags->getElement<std::string>(1), "gpu-host");
  EXPECT_EQ(h->getObject("zone")->getValue<std::string>("name"), "zone-a");
  EXPECT_EQ(h->getObject("pool")->getValue<std::string>("name"), "gold");
  EXPECT_DOUBLE_EQ(h->getValue<double>("cpu_over_commit_ratio"), 3.0);
  EXPECT_DOUBLE_EQ(h->getValue<double>("memory_over_commit_ratio"), 1.25);
  // The new ratio governs compose: 8 cores x 3 = 24.
  auto big = Do("POST", "vm-hosts/1/?op=compose", {{"cores", "8"}, {"memory", "1024"}});
  ASSERT_EQ(big.status, 200) << big.body;
  auto more = Do("POST", "vm-hosts/1/?op=compose", {{"cores", "8"}, {"memory", "1024"}});
  ASSERT_EQ(more.status, 200) << more.body;
  auto over = Do("POST", "vm-hosts/1/?op=compose", {{"cores", "8"}, {"memory", "1024"}});
  ASSERT_EQ(over.status, 200) << over.body;
  EXPECT_EQ(Do("POST", "vm-hosts/1/?op=compose", {{"cores", "1"}, {"memory", "1024"}}).status, 503);
  // What it composes from now on carries the new tags.
  auto vm = Do("GET", "machines/" + big.object()->getValue<std::string>("system_id") + "/");
  EXPECT_EQ(vm.object()->getArray("tag_names")->size(), 2u);
}

TEST_F(SimAdmin, VmHostUpdateRejectsBadFields) {
  auto ratio = Do("PUT", "vm-hosts/1/", {{"cpu_over_commit_ratio", "11"}});
  EXPECT_EQ(ratio.status, 400);
  EXPECT_EQ(ratio.body,
            R"({"cpu_over_commit_ratio":["Ensure this value is less than or equal to 10."]})");
  auto nan = Do("PUT", "vm-hosts/1/", {{"memory_over_commit_ratio", "lots"}});
  EXPECT_EQ(nan.status, 400);
  EXPECT_EQ(nan.body, R"({"memory_over_commit_ratio":["Enter a number."]})");
  auto zone = Do("PUT", "vm-hosts/1/", {{"zone", "nowhere"}, {"tags", "changed"}});
  EXPECT_EQ(zone.status, 400);
  EXPECT_NE(zone.body.find("zone"), std::string::npos);
  // Nothing of a rejected update is applied.
  EXPECT_EQ(Do("GET", "vm-hosts/1/").object()->getArray("tags")->getElement<std::string>(0), "lxd");
  EXPECT_EQ(Do("PUT", "vm-hosts/9/", {{"zone", "zone-a"}}).status, 404);
}

TEST_F(SimAdmin, VmHostDeleteDecomposesItsVms) {
  auto vm = Do("POST", "vm-hosts/1/?op=compose", {{"hostname", "doomed"}});
  ASSERT_EQ(vm.status, 200) << vm.body;
  std::string vm_id = vm.object()->getValue<std::string>("system_id");
  EXPECT_EQ(Do("DELETE", "vm-hosts/1/").status, 204);
  EXPECT_EQ(Do("GET", "vm-hosts/1/").status, 404);
  EXPECT_EQ(Do("GET", "vm-hosts/").array()->size(), 0u);
  EXPECT_EQ(Do("GET", "machines/" + vm_id + "/").status, 404);
  // The machine that hosted it stays deployed and can now be deleted on its own.
  auto host = Do("GET", "machines/", {{"hostname", "lxd-1"}});
  ASSERT_EQ(host.array()->size(), 1u);
  EXPECT_EQ(host.array()->getObject(0)->getValue<std::string>("status_name"), "Deployed");
  EXPECT_EQ(Do("DELETE", "pods/1/").status, 404);
}

}  // namespace
}  // namespace maassim::testing
