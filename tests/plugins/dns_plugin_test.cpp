// The DNS / cluster endpoint plugin (dns.so) through the real loader against a real maas-sim:
// the DNS resources MAAS ends up with (/_sim/state), the requests it took (/_sim/counters), and
// the result document the controller applies (cluster status, endpoint, per-machine report).
#include <gtest/gtest.h>

#include <regex>

#include "common_plugin_harness.hpp"

namespace maasprov::plugins::test {
namespace {

constexpr const char* kDnsInventory = R"(
user: admin
domains:
  - {name: maas, default: true}
  - {name: example.com}
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
dns_resources:
  - {fqdn: unrelated.maas, ip_addresses: [10.0.0.200]}
)";

JsonObject clusterObject(const std::string& uid, const std::string& extraSpec = "",
                         const std::string& annotations = "{}") {
  return parseObject(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
    "kind": "MaasCluster", "metadata": {"name": "prod", "namespace": "team-a", "uid": ")" +
                     uid + R"(", "annotations": )" + annotations + R"(},
    "spec": {"dnsDomain": "maas")" +
                     extraSpec + R"(}, "status": {}})");
}

struct MachineState {
  std::vector<std::string> ips;
  bool controlPlane = true;
  bool powered = true;
  std::string state = "Deployed";
  bool deleting = false;
};

JsonObject machine(const std::string& name, const MachineState& s) {
  std::string addresses;
  for (const auto& ip : s.ips) {
    addresses += std::string(addresses.empty() ? "" : ",") +
                 R"({"type": "ExternalIP", "address": ")" + ip +
                 R"("}, {"type": "InternalIP", "address": ")" + ip + R"("})";
  }
  std::string labels = R"("cluster.x-k8s.io/cluster-name": "prod")";
  if (s.controlPlane) labels += R"(, "cluster.x-k8s.io/control-plane": "")";
  return parseObject(R"({"kind": "MaasMachine", "metadata": {"name": ")" + name +
                     R"(", "namespace": "team-a", "uid": "uid-)" + name + R"(", "labels": {)" +
                     labels + "}" +
                     (s.deleting ? R"(, "deletionTimestamp": "2026-01-01T00:00:00Z")" : "") +
                     R"(}, "spec": {"minCPU": 1, "minMemory": 1024, "image": "jammy"},
      "status": {"machineState": ")" +
                     s.state + R"(", "machinePowered": )" + (s.powered ? "true" : "false") +
                     R"(, "addresses": [)" + addresses + "]}}");
}

// The record's addresses in MAAS, in the order MAAS holds them; empty when there is no record.
std::vector<std::string> recordIps(SimMaas& sim, const std::string& fqdn) {
  auto list = sim.dnsResources();
  for (size_t i = 0; i < list->size(); ++i) {
    auto r = list->getObject(static_cast<unsigned>(i));
    if (r->getValue<std::string>("fqdn") != fqdn) continue;
    std::vector<std::string> ips;
    auto a = r->getArray("ip_addresses");
    for (size_t j = 0; j < a->size(); ++j) {
      ips.push_back(a->getObject(static_cast<unsigned>(j))->getValue<std::string>("ip"));
    }
    return ips;
  }
  return {};
}

bool recordExists(SimMaas& sim, const std::string& fqdn) {
  auto list = sim.dnsResources();
  for (size_t i = 0; i < list->size(); ++i) {
    if (list->getObject(static_cast<unsigned>(i))->getValue<std::string>("fqdn") == fqdn) {
      return true;
    }
  }
  return false;
}

// The status patch for machine `name` in the result's "machineStatus"; null when absent.
JsonObject report(const plugin::CallOutcome& out, const std::string& name) {
  auto patches = out.document->getObject("machineStatus");
  return patches ? patches->getObject(name) : nullptr;
}

bool attached(const plugin::CallOutcome& out, const std::string& name) {
  auto e = report(out, name);
  return e && e->getValue<bool>("dnsAttached");
}

std::string attachReason(const plugin::CallOutcome& out, const std::string& name) {
  auto e = report(out, name);
  auto c = e ? condition(e, "DNSAttached") : nullptr;
  return c ? c->getValue<std::string>("reason") : std::string();
}

class DnsTest : public ::testing::Test {
 protected:
  DnsTest() : sim_(kDnsInventory), plugin_("dns", sim_.client()) {}

  plugin::CallOutcome reconcile(const JsonObject& cluster, std::vector<JsonObject> machines) {
    LoadedPlugin::Call call;
    call.machines = std::move(machines);
    auto out = plugin_.reconcile(cluster, call);
    EXPECT_TRUE(out.ok()) << (out.error ? out.error->message : "");
    return out;
  }
  static std::string dnsName(const JsonObject& cluster) {
    return cluster->getObject("status")->getObject("network")->getValue<std::string>("dnsName");
  }

  SimMaas sim_;
  LoadedPlugin plugin_;
};

TEST_F(DnsTest, CreatesAStableNameHoldingTheRunningControlPlanesSorted) {
  auto cluster = clusterObject("uid-prod");
  auto out = reconcile(cluster, {machine("cp-0", {{"10.0.0.12"}}), machine("cp-1", {{"10.0.0.5"}}),
                                 machine("worker", {{"10.0.0.7"}, false}),
                                 machine("cp-off", {{"10.0.0.9"}, true, false})});
  const std::string name = dnsName(cluster);
  EXPECT_TRUE(std::regex_match(name, std::regex("prod-[a-z0-9]{5}\\.maas"))) << name;
  // Numeric order (a text sort would put .12 first), workers and powered-off machines left out.
  EXPECT_EQ(recordIps(sim_, name), (std::vector<std::string>{"10.0.0.5", "10.0.0.12"}));
  EXPECT_TRUE(cluster->getObject("status")->getValue<bool>("ready"));
  auto endpoint = out.document->getObject("endpoint");
  EXPECT_EQ(endpoint->getValue<std::string>("host"), name);
  EXPECT_EQ(endpoint->getValue<int>("port"), 6443);
  EXPECT_TRUE(attached(out, "cp-0"));
  EXPECT_TRUE(attached(out, "cp-1"));
  EXPECT_FALSE(attached(out, "cp-off"));
  EXPECT_EQ(attachReason(out, "cp-off"), "MachinePoweredOff");
  EXPECT_EQ(report(out, "worker"), nullptr);
  // Only DNSAttached is reported; the controller merges it by type into the machine's status.
  EXPECT_EQ(report(out, "cp-0")->getArray("conditions")->size(), 1u);
  // The same cluster (same uid) gets the same name even without its stored status; another
  // cluster of the same name (another uid) gets another.
  auto again = clusterObject("uid-prod");
  reconcile(again, {machine("cp-0", {{"10.0.0.12"}})});
  EXPECT_EQ(dnsName(again), name);
  auto other = clusterObject("uid-other");
  reconcile(other, {});
  EXPECT_NE(dnsName(other), name);
}

TEST_F(DnsTest, AddsAndRemovesControlPlaneAddresses) {
  auto cluster = clusterObject("uid-prod");
  reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}})});
  const std::string name = dnsName(cluster);
  EXPECT_EQ(recordIps(sim_, name), (std::vector<std::string>{"10.0.0.5"}));
  auto out = reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}}), machine("cp-1", {{"10.0.0.6"}}),
                                 machine("cp-dup", {{"10.0.0.6"}})});
  EXPECT_EQ(recordIps(sim_, name), (std::vector<std::string>{"10.0.0.5", "10.0.0.6"}));
  EXPECT_TRUE(attached(out, "cp-1"));
  MachineState deleting{{"10.0.0.5"}};
  deleting.deleting = true;
  out = reconcile(cluster, {machine("cp-0", deleting), machine("cp-1", {{"10.0.0.6"}})});
  EXPECT_EQ(recordIps(sim_, name), (std::vector<std::string>{"10.0.0.6"}));
  EXPECT_FALSE(attached(out, "cp-0"));
  EXPECT_EQ(attachReason(out, "cp-0"), "MachineDeleting");
  EXPECT_EQ(sim_.count("POST dnsresources"), 1);
  EXPECT_EQ(sim_.count("PUT dnsresources/{id}"), 2);
}

TEST_F(DnsTest, PrefersAddressesInThePreferredSubnets) {
  auto cluster = clusterObject("uid-prod", R"(, "preferredSubnets": ["192.168.10.0/24"])");
  auto out = reconcile(
      cluster, {machine("cp-0", {{"10.0.0.5", "192.168.10.5"}}), machine("cp-1", {{"10.0.0.6"}})});
  EXPECT_EQ(recordIps(sim_, dnsName(cluster)), (std::vector<std::string>{"192.168.10.5"}));
  EXPECT_TRUE(attached(out, "cp-0"));
  EXPECT_FALSE(attached(out, "cp-1"));
  EXPECT_EQ(attachReason(out, "cp-1"), "NoAddressInPreferredSubnets");
}

TEST_F(DnsTest, NothingChangedMeansOneReadAndNoWrite) {
  auto cluster = clusterObject("uid-prod");
  std::vector<JsonObject> machines = {machine("cp-0", {{"10.0.0.5"}}),
                                      machine("cp-1", {{"10.0.0.6"}})};
  reconcile(cluster, machines);
  sim_.resetCounters();
  reconcile(cluster, machines);
  auto out = reconcile(cluster, machines);
  EXPECT_EQ(sim_.count("GET dnsresources"), 2);
  EXPECT_EQ(sim_.total(), 2);  // no POST, PUT or DELETE, and no read per machine
  EXPECT_TRUE(attached(out, "cp-0"));
  EXPECT_FALSE(out.requeueAfter.has_value());
}

TEST_F(DnsTest, KeepsTheRecordWhenEveryControlPlaneIsMomentarilyOff) {
  auto cluster = clusterObject("uid-prod");
  reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}}), machine("cp-1", {{"10.0.0.6"}})});
  sim_.resetCounters();
  auto out = reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}, true, false}),
                                 machine("cp-1", {{"10.0.0.6"}, true, false})});
  EXPECT_EQ(recordIps(sim_, dnsName(cluster)), (std::vector<std::string>{"10.0.0.5", "10.0.0.6"}));
  EXPECT_EQ(sim_.count("PUT dnsresources/{id}"), 0);
  EXPECT_TRUE(out.requeueAfter.has_value());  // looks again while the control plane is down
}

TEST_F(DnsTest, CustomEndpointIsUsedAsGivenWithoutTouchingMaas) {
  auto cluster = clusterObject(
      "uid-prod", R"(, "controlPlaneEndpoint": {"host": "api.example.net", "port": 443})",
      R"({"spectrocloud.com/custom-dns-provided": "true"})");
  auto out = reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}})});
  EXPECT_EQ(dnsName(cluster), "api.example.net");
  EXPECT_EQ(out.document->getObject("endpoint")->getValue<int>("port"), 443);
  EXPECT_TRUE(attached(out, "cp-0"));
  EXPECT_EQ(attachReason(out, "cp-0"), "CustomEndpoint");
  auto removed = plugin_.remove(cluster, {});
  EXPECT_TRUE(removed.ok() && removed.done);
  EXPECT_EQ(sim_.total(), 0);
}

TEST_F(DnsTest, AHostGivenWithoutTheAnnotationIsTheRecordKept) {
  auto cluster =
      clusterObject("uid-prod", R"(, "controlPlaneEndpoint": {"host": "k8s.example.com"})");
  reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}})});
  EXPECT_EQ(dnsName(cluster), "k8s.example.com");
  EXPECT_EQ(recordIps(sim_, "k8s.example.com"), (std::vector<std::string>{"10.0.0.5"}));
}

TEST(DnsConfig, CreatedRecordsCarryTheConfiguredTtl) {
  SimMaas sim(kDnsInventory);
  LoadedPlugin plugin("dns", sim.client(), R"({"addressTTL": 15})");
  auto cluster = clusterObject("uid-prod");
  LoadedPlugin::Call call;
  call.machines = {machine("cp-0", {{"10.0.0.5"}})};
  ASSERT_TRUE(plugin.reconcile(cluster, call).ok());
  auto list = sim.dnsResources();
  bool found = false;
  for (size_t i = 0; i < list->size(); ++i) {
    auto r = list->getObject(static_cast<unsigned>(i));
    if (r->getValue<std::string>("fqdn") != "unrelated.maas") {
      EXPECT_EQ(r->getValue<int>("address_ttl"), 15);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(DnsTest, DeletingTheClusterDeletesItsRecordOnly) {
  auto cluster = clusterObject("uid-prod");
  reconcile(cluster, {machine("cp-0", {{"10.0.0.5"}})});
  const std::string name = dnsName(cluster);
  ASSERT_TRUE(recordExists(sim_, name));
  auto out = plugin_.remove(cluster, {});
  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_TRUE(out.done);
  EXPECT_FALSE(recordExists(sim_, name));
  EXPECT_TRUE(recordExists(sim_, "unrelated.maas"));
  auto again = plugin_.remove(cluster, {});
  EXPECT_TRUE(again.ok() && again.done);
  EXPECT_EQ(sim_.count("DELETE dnsresources/{id}"), 1);
}

TEST_F(DnsTest, ADomainMaasDoesNotKnowNamesTheField) {
  auto cluster = parseObject(R"({"kind": "MaasCluster",
    "metadata": {"name": "prod", "namespace": "team-a", "uid": "u"},
    "spec": {"dnsDomain": "nowhere.test"}, "status": {}})");
  LoadedPlugin::Call call;
  auto out = plugin_.reconcile(cluster, call);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, plugin::ErrorType::InvalidSpec);
  EXPECT_TRUE(out.error->retryable);  // an operator may still create the domain in MAAS
  EXPECT_NE(out.error->message.find("spec.dnsDomain"), std::string::npos) << out.error->message;
}

}  // namespace
}  // namespace maasprov::plugins::test
