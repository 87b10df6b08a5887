// maas-sim for tests and benchmarks: deterministic fault injection, latency, request counters,
// the state dump, inventory errors and the command line.
#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

using Clock = std::chrono::steady_clock;

HttpResult Control(const SimProcess& sim, const std::string& method, const std::string& path,
                   const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", sim.port());
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  HttpResult r;
  r.status = resp.getStatus();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

const char* kMixedFaults =
    R"({"endpoints": {"GET version": {"503": 0.25, "503_retry_after": 0.25,
        "409_retry_after": 0.25, "retry_after": 2}}})";

std::vector<std::string> VersionOutcomes(const SimProcess& sim, int n, bool interleave) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    auto r = Call(sim.port(), "GET", Api("version/"));
    out.push_back(std::to_string(r.status) + (r.retry_after.empty() ? "" : "+" + r.retry_after));
    if (interleave) Call(sim.port(), "GET", Api("zones/"));
  }
  return out;
}

TEST(SimFaults, SameSeedGivesTheSameFaultSequencePerEndpoint) {
  SimProcess a(SimProcess::Yaml(kTestInventory, {"--seed", "42"}));
  SimProcess b(SimProcess::Yaml(kTestInventory, {"--seed", "42"}));
  ASSERT_EQ(Control(a, "POST", "/_sim/faults", kMixedFaults).status, 200);
  ASSERT_EQ(Control(b, "POST", "/_sim/faults", kMixedFaults).status, 200);
  auto first = VersionOutcomes(a, 40, false);
  auto second = VersionOutcomes(b, 40, true);  // other traffic does not shift the sequence
  EXPECT_EQ(first, second);
  auto count = [&](const std::string& s) { return std::count(first.begin(), first.end(), s); };
  EXPECT_GT(count("503"), 0);
  EXPECT_GT(count("503+2"), 0);
  EXPECT_GT(count("409+2"), 0);
  EXPECT_GT(count("200"), 0);
  // Reconfiguring restarts the sequence.
  ASSERT_EQ(Control(a, "POST", "/_sim/faults", kMixedFaults).status, 200);
  EXPECT_EQ(VersionOutcomes(a, 40, false), first);
}

TEST(SimFaults, DifferentSeedGivesADifferentSequence) {
  SimProcess a(SimProcess::Yaml(kTestInventory, {"--seed", "1"}));
  SimProcess b(SimProcess::Yaml(kTestInventory, {"--seed", "2"}));
  Control(a, "POST", "/_sim/faults", kMixedFaults);
  Control(b, "POST", "/_sim/faults", kMixedFaults);
  EXPECT_NE(VersionOutcomes(a, 40, false), VersionOutcomes(b, 40, false));
}

TEST(SimFaults, ResetFaultDropsTheConnectionAndIsCounted) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  ASSERT_EQ(
      Control(sim, "POST", "/_sim/faults", R"({"endpoints": {"GET zones": {"reset": 1}}})").status,
      200);
  EXPECT_THROW(Call(sim.port(), "GET", Api("zones/")), Poco::Exception);
  EXPECT_EQ(Call(sim.port(), "GET", Api("subnets/")).status, 200);  // other endpoints unaffected
  auto counters = Control(sim, "GET", "/_sim/counters").object();
  EXPECT_EQ(counters->getObject("endpoints")->getObject("GET zones")->getValue<int>("reset"), 1);
}

TEST(SimFaults, SlowResponsesAndGlobalLatencyDelayAnswers) {
  SimProcess sim(SimProcess::Yaml(kTestInventory, {"--latency-ms", "150"}));
  auto start = Clock::now();
  EXPECT_EQ(Call(sim.port(), "GET", Api("zones/")).status, 200);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(150));
  Control(sim, "POST", "/_sim/faults",
          R"({"latency_ms": 0, "endpoints": {"GET subnets": {"slow": 1, "slow_ms": 250}}})");
  start = Clock::now();
  EXPECT_EQ(Call(sim.port(), "GET", Api("subnets/")).status, 200);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(250));
}

TEST(SimFaults, BadFaultConfigurationNamesTheField) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  auto r = Control(sim, "POST", "/_sim/faults", R"({"endpoints": {"GET zones": {"503": 2}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("endpoints.GET zones.503"), std::string::npos) << r.body;
}

TEST(SimFaults, InventoryCanConfigureFaults) {
  std::string inv = std::string(kTestInventory) +
                    "faults:\n  endpoints:\n    \"GET zones\": {\"503_retry_after\": 1}\n";
  SimProcess sim(SimProcess::Yaml(inv));
  auto r = Call(sim.port(), "GET", Api("zones/"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.retry_after, "1");
}

TEST(SimControl, CountersGroupByEndpointAndStatus) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"tags", "twin"}});
  Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"tags", "twin"}});
  Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"tags", "twin"}});
  Call(sim.port(), "GET", Api("machines/nosuch/"));
  auto c = Control(sim, "GET", "/_sim/counters").object();
  auto alloc = c->getObject("endpoints")->getObject("POST machines op=allocate");
  EXPECT_EQ(alloc->getValue<int>("200"), 2);
  EXPECT_EQ(alloc->getValue<int>("409"), 1);
  EXPECT_EQ(c->getObject("endpoints")->getObject("GET machines/{id}")->getValue<int>("404"), 1);
  EXPECT_EQ(c->getValue<int>("total"), 4);
  Control(sim, "POST", "/_sim/reset-counters");
  EXPECT_EQ(Control(sim, "GET", "/_sim/counters").object()->getValue<int>("total"), 0);
}

TEST(SimControl, StateDumpShowsNothingLeakedAfterACleanCycle) {
  SimProcess sim(
      SimProcess::Yaml(kTestInventory, {"--deploy-seconds", "0.1", "--release-seconds", "0.1"}));
  auto before = Control(sim, "GET", "/_sim/state").object();
  // Bare metal: allocate, deploy, annotate, release.
  auto m = Call(sim.port(), "POST", Api("machines/?op=allocate"),
                {{"tags", "twin"}, {"agent_name", "c1"}})
               .object();
  std::string id = m->getValue<std::string>("system_id");
  Call(sim.port(), "POST", Api("machines/" + id + "/?op=deploy"));
  Call(sim.port(), "POST", Api("machines/" + id + "/?op=set_workload_annotations"), {{"k", "v"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Call(sim.port(), "POST", Api("machines/" + id + "/?op=release"));
  // VM: compose, deploy, delete. DNS: create, delete.
  auto vm = Call(sim.port(), "POST", Api("vm-hosts/1/?op=compose"), {{"skip_commissioning", "1"}});
  std::string vm_id = vm.object()->getValue<std::string>("system_id");
  Call(sim.port(), "POST", Api("machines/" + vm_id + "/?op=deploy"));
  auto dns = Call(sim.port(), "POST", Api("dnsresources/"),
                  {{"fqdn", "tmp.maas"}, {"ip_addresses", "10.0.0.9"}});
  std::string dns_id = std::to_string(dns.object()->getValue<int>("id"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Call(sim.port(), "DELETE", Api("machines/" + vm_id + "/"));
  Call(sim.port(), "DELETE", Api("dnsresources/" + dns_id + "/"));

  auto after = Control(sim, "GET", "/_sim/state").object();
  auto machines = after->getArray("machines");
  ASSERT_EQ(machines->size(), before->getArray("machines")->size());
  for (size_t i = 0; i < machines->size(); ++i) {
    auto o = machines->getObject(i);
    if (o->getValue<std::string>("system_id") != id) continue;
    EXPECT_EQ(o->getValue<std::string>("status_name"), "Ready");
    EXPECT_TRUE(o->isNull("owner"));
    EXPECT_EQ(o->getValue<std::string>("agent_name"), "");
    EXPECT_EQ(o->getObject("workload_annotations")->size(), 0u);
  }
  auto host = after->getArray("vm_hosts")->getObject(0);
  EXPECT_EQ(host->getObject("used")->getValue<int>("cores"), 0);
  EXPECT_EQ(host->getValue<int>("vm_count"), 0);
  EXPECT_EQ(after->getValue<int>("ip_addresses_in_use"),
            before->getValue<int>("ip_addresses_in_use"));
  EXPECT_EQ(after->getArray("dns_resources")->size(), before->getArray("dns_resources")->size());
}

TEST(SimCli, BadInventoryNamesFilePathAndExpectation) {
  try {
    SimProcess sim(SimProcess::Yaml("machines:\n  - {hostname: x, cores: many, memory: 1}\n"));
    FAIL() << "maas-sim started with a bad inventory";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("inventory.yaml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("machines[0].cores"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected an integer"), std::string::npos) << msg;
  }
  try {
    SimProcess sim(
        SimProcess::Yaml("machines:\n  - {hostname: x, cores: 1, memory: 1, zone: z}\n"));
    FAIL() << "maas-sim accepted an unknown zone";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("machines[0].zone"), std::string::npos) << e.what();
  }
}

TEST(SimCli, BadOptionValueIsRefused) {
  try {
    SimProcess sim(SimProcess::Yaml(kTestInventory, {"--deploy-seconds", "soon"}));
    FAIL() << "maas-sim accepted --deploy-seconds soon";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--deploy-seconds"), std::string::npos) << e.what();
  }
}

TEST(SimCli, StopsCleanlyOnSigterm) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  ASSERT_EQ(Call(sim.port(), "GET", Api("zones/")).status, 200);
  sim.Stop();
  ASSERT_TRUE(sim.exit_code().has_value());
  EXPECT_EQ(*sim.exit_code(), 0);
}

TEST(SimCli, ExampleInventoryDescribesTheDemoEstate) {
  SimProcess::Options o;
  o.inventory_path = std::string(MAASPROV_SOURCE_DIR) + "/examples/maas-inventory.yaml";
  SimProcess sim(o);
  auto zones = Call(sim.port(), "GET", Api("zones/")).array();
  EXPECT_EQ(zones->size(), 4u);  // default plus zone-a, zone-b, zone-c
  auto hosts = Call(sim.port(), "GET", Api("vm-hosts/")).array();
  EXPECT_EQ(hosts->size(), 6u);
  auto ready = Call(sim.port(), "GET", Api("machines/"), {{"status", "ready"}}).array();
  EXPECT_GE(ready->size(), 10u);
  EXPECT_EQ(Call(sim.port(), "GET", Api("subnets/")).array()->size(), 2u);
}

TEST(SimCli, LogRequestsWritesOneLinePerRequestWithoutBlocking) {
  SimProcess sim(SimProcess::Yaml(kTestInventory, {"--log-requests"}));
  // Far more than a pipe buffer's worth of log lines: the launcher must keep draining.
  Poco::Net::HTTPClientSession session("127.0.0.1", sim.port());
  session.setKeepAlive(true);
  for (int i = 0; i < 1200; ++i) {
    Poco::Net::HTTPRequest req("GET", Api("zones/zone-a/"), Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", DefaultAuth());
    req.setKeepAlive(true);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    ASSERT_EQ(resp.getStatus(), 200);
  }
  std::string log = sim.Stop();
  EXPECT_NE(log.find("GET /MAAS/api/2.0/zones/zone-a/ -> 200"), std::string::npos);
  EXPECT_GE(std::count(log.begin(), log.end(), '\n'), 1200);
}

}  // namespace
}  // namespace maassim::testing
