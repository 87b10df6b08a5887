// Every real MAAS payload in MAASPROV_FIXTURES_DIR parses with the client's payload parsers.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "framework/maas/dns_resources.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/interfaces.hpp"
#include "framework/maas/inventory.hpp"
#include "framework/maas/json_fields.hpp"
#include "framework/maas/machine_status.hpp"
#include "framework/maas/machines.hpp"
#include "framework/maas/vm_hosts.hpp"

namespace maas = maasprov::maas;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = MAASPROV_FIXTURES_DIR;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Parses a file holding one object or a list of objects, calling `parse` on each.
std::size_t parseEach(const fs::path& path,
                      const std::function<void(const Poco::JSON::Object::Ptr&)>& parse) {
  const std::string body = slurp(path);
  const std::string what = path.filename().string();
  Poco::JSON::Parser parser;
  const auto value = parser.parse(body);
  if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto objects = maas::json::objects(value.extract<Poco::JSON::Array::Ptr>(), what);
    for (const auto& o : objects) parse(o);
    return objects.size();
  }
  parse(value.extract<Poco::JSON::Object::Ptr>());
  return 1;
}

maas::Machine machineFrom(const std::string& file, std::size_t index = 0) {
  std::vector<maas::Machine> out;
  parseEach(kFixtures / file, [&](const auto& o) { out.push_back(maas::parseMachine(o)); });
  return out.at(index);
}

}  // namespace

TEST(Fixtures, EveryJsonFileParsesWithItsParser) {
  // File stem -> parser. A new fixture file without a parser here fails the test on purpose.
  const std::map<std::string, std::function<void(const Poco::JSON::Object::Ptr&)>> parsers = {
      {"machine", [](const auto& o) { maas::parseMachine(o); }},
      {"machines", [](const auto& o) { maas::parseMachine(o); }},
      {"vm_host", [](const auto& o) { maas::parseVmHost(o); }},
      {"vm_hosts", [](const auto& o) { maas::parseVmHost(o); }},
      {"zone", [](const auto& o) { maas::parseZone(o); }},
      {"zones", [](const auto& o) { maas::parseZone(o); }},
      {"resource_pool", [](const auto& o) { maas::parseResourcePool(o); }},
      {"resource_pools", [](const auto& o) { maas::parseResourcePool(o); }},
      {"subnet", [](const auto& o) { maas::parseSubnet(o); }},
      {"subnets", [](const auto& o) { maas::parseSubnet(o); }},
      {"domain", [](const auto& o) { maas::parseDomain(o); }},
      {"domains", [](const auto& o) { maas::parseDomain(o); }},
      {"interface", [](const auto& o) { maas::parseInterface(o); }},
      {"interfaces", [](const auto& o) { maas::parseInterface(o); }},
      {"dns_resource", [](const auto& o) { maas::parseDnsResource(o); }},
      {"dns_resources", [](const auto& o) { maas::parseDnsResource(o); }},
  };
  ASSERT_TRUE(fs::is_directory(kFixtures)) << kFixtures;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".json") continue;
    const std::string stem = entry.path().stem().string();
    SCOPED_TRACE(entry.path().string());
    const auto parser = parsers.find(stem);
    ASSERT_NE(parser, parsers.end()) << "no parser mapped for fixture " << stem;
    std::size_t count = 0;
    EXPECT_NO_THROW(count = parseEach(entry.path(), parser->second));
    EXPECT_GT(count, 0u);
    ++files;
  }
  EXPECT_GE(files, 12);  // the 12 payload files the project ships with
}

TEST(Fixtures, MachineFieldsAreRead) {
  const auto m = machineFrom("machine.json");
  EXPECT_EQ(m.systemId, "g8xyqs");
  EXPECT_EQ(m.hostname, "causal-quagga");
  EXPECT_EQ(m.fqdn, "causal-quagga.maas");
  EXPECT_EQ(m.status, maas::status::kFailedExitingRescueMode);
  EXPECT_TRUE(maas::status::isFailed(m.status));
  EXPECT_EQ(m.statusName, "Failed to exit rescue mode");
  EXPECT_EQ(m.powerState, "error");
  EXPECT_EQ(m.powerType, "virsh");
  EXPECT_EQ(m.zone.name, "zone-north");
  EXPECT_EQ(m.zone.id, 2);
  EXPECT_EQ(m.pool.name, "default");
  EXPECT_EQ(m.domain, "maas");
  ASSERT_TRUE(m.pod.has_value());
  EXPECT_EQ(m.pod->id, 5);
  EXPECT_EQ(m.pod->name, "sacred-hen");
  EXPECT_EQ(m.cpuCount, 7);
  EXPECT_EQ(m.memory, 8192);
  EXPECT_DOUBLE_EQ(m.storage, 3693.436416);
  EXPECT_EQ(m.owner, "user2");
  EXPECT_EQ(m.hweKernel, "");  // null in the payload
  EXPECT_TRUE(m.workloadAnnotations.empty());
  ASSERT_EQ(m.interfaces.size(), 4u);
  EXPECT_EQ(m.interfaces[3].type, "bond");
  EXPECT_EQ(m.interfaces[3].parents.size(), 3u);
}

TEST(Fixtures, ControllerInMachineListParsesWithoutStatusOrPool) {
  // The list fixture holds a region controller: no status, pool, owner or pod at all.
  const auto m = machineFrom("machines.json");
  EXPECT_EQ(m.systemId, "6gsym8");
  EXPECT_EQ(m.status, -1);
  EXPECT_EQ(m.pool.name, "");
  EXPECT_FALSE(m.pod.has_value());
  EXPECT_EQ(m.ipAddresses, (std::vector<std::string>{"10.55.32.135", "192.168.122.1"}));
  EXPECT_EQ(m.tagNames, (std::vector<std::string>{"virtual"}));
  ASSERT_FALSE(m.interfaces.empty());
  EXPECT_EQ(m.interfaces[0].links.at(0).ipAddress, "10.55.32.135");
}

TEST(Fixtures, VmHostCapacityAndStoragePools) {
  std::vector<maas::VmHost> hosts;
  parseEach(kFixtures / "vm_hosts.json",
            [&](const auto& o) { hosts.push_back(maas::parseVmHost(o)); });
  ASSERT_EQ(hosts.size(), 1u);
  const auto& h = hosts[0];
  EXPECT_EQ(h.id, 3);
  EXPECT_EQ(h.name, "proud-cat");
  EXPECT_EQ(h.type, "virsh");
  EXPECT_EQ(h.total.cores, 17);
  EXPECT_EQ(h.used.memory, 13312);
  EXPECT_EQ(h.available.localStorage, 89994823853);
  EXPECT_DOUBLE_EQ(h.cpuOverCommitRatio, 1.0);
  ASSERT_EQ(h.storagePools.size(), 3u);
  EXPECT_TRUE(h.storagePools[0].isDefault);
  EXPECT_EQ(h.storagePools[1].name, "name-MBAlmH");
  EXPECT_EQ(h.storagePools[1].used, 7636928512);
  EXPECT_EQ(h.hostSystemId, "");  // {"system_id": null, "__incomplete__": true}

  std::vector<maas::VmHost> one;
  parseEach(kFixtures / "vm_host.json",
            [&](const auto& o) { one.push_back(maas::parseVmHost(o)); });
  EXPECT_EQ(one.at(0).tags, (std::vector<std::string>{"virtual"}));
  EXPECT_EQ(one.at(0).capabilities.size(), 4u);
}

TEST(Fixtures, InventoryObjects) {
  std::vector<maas::Subnet> subnets;
  parseEach(kFixtures / "subnet.json",
            [&](const auto& o) { subnets.push_back(maas::parseSubnet(o)); });
  EXPECT_EQ(subnets.at(0).cidr, "172.16.5.0/24");
  EXPECT_EQ(subnets.at(0).gatewayIp, "");
  EXPECT_EQ(subnets.at(0).vlanId, 5001);
  EXPECT_EQ(subnets.at(0).space, "management");

  std::vector<maas::Domain> domains;
  parseEach(kFixtures / "domains.json",
            [&](const auto& o) { domains.push_back(maas::parseDomain(o)); });
  ASSERT_EQ(domains.size(), 3u);
  EXPECT_TRUE(domains[0].isDefault);
  EXPECT_EQ(domains[2].name, "ubnt");

  std::vector<maas::ResourcePool> pools;
  parseEach(kFixtures / "resource_pools.json",
            [&](const auto& o) { pools.push_back(maas::parseResourcePool(o)); });
  EXPECT_EQ(pools.at(0).description, "Default pool");
}

TEST(Payloads, MissingRequiredFieldIsNamed) {
  const auto o = maas::json::parseObject(R"({"hostname": "x", "status": 4})", "test machine");
  try {
    maas::parseMachine(o);
    FAIL() << "expected ProtocolError";
  } catch (const maas::ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("system_id"), std::string::npos) << e.what();
  }
}

TEST(Payloads, WrongTypeIsNamedAndUnknownFieldsIgnored) {
  const auto ok = maas::json::parseObject(
      R"({"system_id": "abc", "brand_new_field": {"x": [1, 2]}, "owner": null, "pod": null,
          "workload_annotations": {"cluster": "c1"}})",
      "m");
  const auto m = maas::parseMachine(ok);
  EXPECT_EQ(m.workloadAnnotations.at("cluster"), "c1");
  EXPECT_FALSE(m.pod.has_value());

  const auto bad = maas::json::parseObject(R"({"system_id": "abc", "cpu_count": "many"})", "m");
  try {
    maas::parseMachine(bad);
    FAIL() << "expected ProtocolError";
  } catch (const maas::ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("cpu_count"), std::string::npos) << e.what();
  }
  EXPECT_THROW(maas::json::parseArray("<html>502 Bad Gateway</html>", "GET machines/"),
               maas::ProtocolError);
}

TEST(Payloads, DnsResourceAddressesAsObjects) {
  const auto o = maas::json::parseObject(
      R"({"id": 7, "fqdn": "api.c1.maas", "address_ttl": null,
          "ip_addresses": [{"id": 1, "ip": "10.0.0.5"}, {"id": 2, "ip": "10.0.0.6"}],
          "resource_records": [], "resource_uri": "/MAAS/api/2.0/dnsresources/7/"})",
      "dns");
  const auto r = maas::parseDnsResource(o);
  EXPECT_EQ(r.id, 7);
  EXPECT_EQ(r.fqdn, "api.c1.maas");
  EXPECT_FALSE(r.addressTtl.has_value());
  EXPECT_EQ(r.ipAddresses, (std::vector<std::string>{"10.0.0.5", "10.0.0.6"}));
}
