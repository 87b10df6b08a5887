// End to end over real sockets: maas-sim and maasprovd as processes, the real plugins, the REST
// API through a plain Poco HTTP client. A cluster with an LXD control-plane VM and bare-metal
// workers reaches Ready, is deleted, and the simulator shows nothing left allocated or
// composed. A daemon killed mid-provisioning finishes after a restart without duplicates. The
// secrets of the run (MAAS key, API token, user data) appear nowhere a user or operator looks:
// the debug log, /metrics, and the CLI's describe and get -o yaml/json output.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "daemon_process.hpp"
#include "e2e_support.hpp"
#include "sim_client.hpp"
#include "sim_process.hpp"

namespace maasprov::e2e {
namespace {

using daemon::testing::DaemonProcess;
using daemon::testing::Workdir;
using daemon::testing::writeFile;
using maassim::testing::SimProcess;
using Json = Poco::JSON::Object::Ptr;

constexpr const char* kToken = "e2e-token-abcdef0123456789";
// A MAAS key of our own (not the simulator's default), so that each part can be searched for.
constexpr const char* kMaasConsumer = "e2econsumer7q";
constexpr const char* kMaasTokenPart = "e2etokenpart8r";
constexpr const char* kMaasSecretPart = "e2esecretpart9s";
std::string maasKey() {
  return std::string(kMaasConsumer) + ":" + kMaasTokenPart + ":" + kMaasSecretPart;
}
constexpr const char* kUserData = "I2Nsb3VkLWNvbmZpZwo=";  // base64 of "#cloud-config\n"
constexpr const char* kInfra = "/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/default/";

constexpr const char* kInventory = R"(
user: admin
zones:
  - {name: zone-a}
  - {name: zone-b}
  - {name: zone-c}
resource_pools:
  - {name: default}
domains:
  - {name: maas, default: true}
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
machines:
  - {hostname: metal-1, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: metal-2, cores: 4, memory: 8192, zone: zone-b}
  - {hostname: metal-3, cores: 4, memory: 8192, zone: zone-c}
vm_hosts:
  - name: lxd-a
    zone: zone-a
    tags: [lxd]
    cores: 16
    memory: 32768
    storage_pools: [{name: default, size_gb: 200, default: true}]
    bridges: [{name: br0, subnet: pxe}]
  - name: lxd-b
    zone: zone-b
    tags: [lxd]
    cores: 16
    memory: 32768
    storage_pools: [{name: default, size_gb: 200, default: true}]
    bridges: [{name: br0, subnet: pxe}]
)";

Reply api(int port, const std::string& method, const std::string& path,
          const std::string& body = "") {
  return apiCall(port, kToken, method, path, body);
}

std::string machineJson(const std::string& name, const std::string& mode, bool controlPlane) {
  std::string labels = R"("cluster.x-k8s.io/cluster-name":"c1")";
  if (controlPlane) labels += R"(,"cluster.x-k8s.io/control-plane":"")";
  std::string lxd =
      mode == "lxd" ? R"(,"lxdConfig":{"storage":{"size":"20G"},"network":{"bridge":"br0"}})" : "";
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
         R"("metadata":{"name":")" +
         name + R"(","labels":{)" + labels +
         R"(}},"spec":{"minCPU":2,"minMemory":2048,"image":"ubuntu/jammy",)"
         R"("provisioningMode":")" +
         mode + R"(","userData":")" + kUserData + R"(")" + lxd + "}}";
}

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<SimProcess>(
        SimProcess::Yaml(kInventory, {"--deploy-seconds", "1", "--commission-seconds", "0.3",
                                      "--release-seconds", "0.3", "--api-key", maasKey()}));
    writeFile(dir_.path("maas-api-key"), maasKey() + "\n");
    writeFile(dir_.path("api-token"), std::string(kToken) + "\n");
    writeFile(dir_.path("maasprovd.properties"),
              "maas.url = " + sim_->base_url() + "/MAAS\nmaas.api_key_file = maas-api-key\n" +
                  "plugins.directories = " + MAASPROV_PLUGIN_DIR + "\n" +
                  "plugins.allow_insecure_permissions = true\n" +
                  "store.path = state/maasprov.db\napi.listen = 127.0.0.1:0\n" +
                  "api.token_file = api-token\napi.port_file = api.port\n" +
                  "controller.poll_interval = 0.2\ncontroller.backoff_base = 100ms\n" +
                  "controller.backoff_max = 2s\nlog.level = debug\n",
              0600);  // maasprovd refuses a configuration others may read
  }

  void startDaemon() {
    std::filesystem::remove(dir_.path("api.port"));
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", dir_.path("maasprovd.properties")},
        dir_.path("maasprovd-" + std::to_string(++starts_) + ".log"));
    port_ = daemon::testing::waitForPortFile(dir_.path("api.port"), *daemon_);
    ASSERT_GT(port_, 0) << daemon_->stderrText();
  }

  void createCluster() {
    Reply r = api(port_, "POST", std::string(kInfra) + "maasclusters",
                  R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",)"
                  R"("metadata":{"name":"c1"},"spec":{"dnsDomain":"maas",)"
                  R"("failureDomains":["zone-a","zone-b","zone-c"]}})");
    ASSERT_EQ(r.status, 201) << r.body;
    for (const auto& [name, mode, cp] :
         {std::tuple{"cp-0", "lxd", true}, std::tuple{"w-0", "bare-metal", false},
          std::tuple{"w-1", "bare-metal", false}}) {
      r = api(port_, "POST", std::string(kInfra) + "maasmachines", machineJson(name, mode, cp));
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  bool ready(const std::string& resource, const std::string& name) {
    Reply r = api(port_, "GET", std::string(kInfra) + resource + "/" + name);
    if (r.status != 200) return false;
    auto status = r.object()->getObject("status");
    return status && status->optValue<bool>("ready", false);
  }

  bool allReady() {
    return ready("maasmachines", "cp-0") && ready("maasmachines", "w-0") &&
           ready("maasmachines", "w-1") && ready("maasclusters", "c1");
  }

  std::string diagnose() {
    std::ostringstream out;
    for (const char* name : {"cp-0", "w-0", "w-1"}) {
      out << name << ": " << api(port_, "GET", std::string(kInfra) + "maasmachines/" + name).body
          << "\n";
    }
    out << "c1: " << api(port_, "GET", std::string(kInfra) + "maasclusters/c1").body << "\n";
    return out.str();
  }

  Json simState() {
    return Poco::JSON::Parser()
        .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/state").body)
        .extract<Json>();
  }

  // Sum of the successful (2xx) calls of every counted endpoint whose label contains `part`.
  std::uint64_t successes(const std::string& part) {
    auto counters = Poco::JSON::Parser()
                        .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/counters").body)
                        .extract<Json>()
                        ->getObject("endpoints");
    std::uint64_t n = 0;
    for (const auto& [label, value] : *counters) {
      if (label.find(part) == std::string::npos) continue;
      auto byStatus = value.extract<Json>();
      for (const char* s : {"200", "201", "204"}) {
        if (byStatus->has(s)) n += byStatus->getValue<std::uint64_t>(s);
      }
    }
    return n;
  }

  void deleteEverythingAndCheckNothingIsLeft() {
    for (const char* name : {"cp-0", "w-0", "w-1"}) {
      Reply r = api(port_, "DELETE", std::string(kInfra) + "maasmachines/" + name);
      EXPECT_TRUE(r.status == 200 || r.status == 202) << r.body;
    }
    Reply r = api(port_, "DELETE", std::string(kInfra) + "maasclusters/c1");
    EXPECT_TRUE(r.status == 200 || r.status == 202) << r.body;
    ASSERT_TRUE(waitFor(
        [&] {
          return api(port_, "GET", std::string(kInfra) + "maasmachines")
                         .object()
                         ->getArray("items")
                         ->size() == 0 &&
                 api(port_, "GET", std::string(kInfra) + "maasclusters/c1").status == 404;
        },
        std::chrono::seconds(90)))
        << diagnose();
    // MAAS is back where it started: no machine owned, no VM composed.
    Json state = simState();
    auto machines = state->getArray("machines");
    for (std::size_t i = 0; i < machines->size(); ++i) {
      auto m = machines->getObject(static_cast<unsigned>(i));
      std::string host = m->getValue<std::string>("hostname");
      if (host.rfind("metal-", 0) == 0) {
        EXPECT_TRUE(m->isNull("owner")) << host << " is still allocated";
      }
      EXPECT_TRUE(m->isNull("pod")) << host << " is a VM still composed";
    }
    auto hosts = state->getArray("vm_hosts");
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      EXPECT_EQ(hosts->getObject(static_cast<unsigned>(i))->getValue<int>("vm_count"), 0);
    }
  }

  // The `maasprov` CLI's stdout and stderr (and exit code) for `args` against this daemon.
  std::string cli(const std::vector<std::string>& args) {
    std::string cmd = "exec '" + std::string(MAASPROV_CLI_BINARY) + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    const std::string out = dir_.path("cli.out");
    cmd += " >'" + out + "' 2>&1";
    Poco::Process::Env env = {{"HOME", dir_.path("")},
                              {"MAASPROV_SERVER", "http://127.0.0.1:" + std::to_string(port_)},
                              {"MAASPROV_TOKEN_FILE", dir_.path("api-token")}};
    int code =
        Poco::Process::launch("/bin/sh", {"-c", cmd}, dir_.path(""), nullptr, nullptr, nullptr, env)
            .wait();
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return "$ maasprov " +
           [&] {
             std::string joined;
             for (const auto& a : args) joined += a + " ";
             return joined;
           }() +
           "(exit " + std::to_string(code) + ")\n" + text.str();
  }

  // Where in `text` (named `what`) any secret of this run appears: empty when none does.
  static std::string secretsIn(const std::string& what, const std::string& text) {
    std::string found;
    for (const std::string& secret :
         {maasKey(), std::string(kMaasSecretPart), std::string(kMaasTokenPart), std::string(kToken),
          std::string(kUserData), std::string("#cloud-config")}) {
      if (text.find(secret) != std::string::npos) found += what + " shows '" + secret + "'\n";
    }
    return found;
  }

  Workdir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<DaemonProcess> daemon_;
  int port_ = 0;
  int starts_ = 0;
};

TEST_F(EndToEnd, ClusterWithLxdControlPlaneAndBareMetalWorkersComesAndGoes) {
  startDaemon();
  createCluster();
  ASSERT_TRUE(waitFor([&] { return allReady(); }, std::chrono::seconds(120))) << diagnose();

  // One VM composed on an LXD host, two bare-metal machines allocated, all deployed.
  Json state = simState();
  int composed = 0, owned = 0;
  auto machines = state->getArray("machines");
  for (std::size_t i = 0; i < machines->size(); ++i) {
    auto m = machines->getObject(static_cast<unsigned>(i));
    if (!m->isNull("pod")) ++composed;
    if (!m->isNull("owner") && m->getValue<std::string>("hostname").rfind("metal-", 0) == 0) {
      ++owned;
    }
  }
  EXPECT_EQ(composed, 1);
  EXPECT_EQ(owned, 2);
  // The figure the benchmarks track: MAAS requests per machine, polling included.
  auto total = Poco::JSON::Parser()
                   .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/counters").body)
                   .extract<Json>()
                   ->getValue<std::uint64_t>("total");
  RecordProperty("maas_requests_per_machine", std::to_string(total / 3.0));
  std::cout << "MAAS requests to provision 3 machines and their cluster: " << total << "\n";
  Reply metrics = api(port_, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("maasprov_machines{phase=\"Ready\"} 3"), std::string::npos)
      << metrics.body;
  EXPECT_NE(
      metrics.body.find("maasprov_plugins_loaded{name=\"lxd\",kind=\"machine-provisioner\"} 1"),
      std::string::npos);
  EXPECT_NE(
      metrics.body.find("maasprov_maas_requests_total{endpoint=\"POST machines/?op=allocate\""),
      std::string::npos);
  EXPECT_EQ(secretsIn("/metrics", metrics.body), "");
  // The store's writes: at least each object's create and each machine's Ready status, carried
  // by at most as many fsynced commits.
  auto sample = [&](const std::string& name) {
    const auto at = metrics.body.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics.body.substr(at + name.size() + 2));
  };
  const double writes = sample("maasprov_store_writes_total");
  const double commits = sample("maasprov_store_commits_total");
  EXPECT_GE(writes, 3 + 1 + 3) << metrics.body;
  EXPECT_GE(commits, 1);
  EXPECT_LE(commits, writes);
  // What the CLI shows of machines and clusters, and of an error. The API redacts user data
  // ("<redacted>"); describe says where it comes from, never what it is.
  std::string shown;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"describe", "mm", "cp-0"},
                                               {"describe", "mm", "w-0"},
                                               {"describe", "mc", "c1"},
                                               {"get", "mm", "-o", "yaml"},
                                               {"get", "mm", "-o", "json"},
                                               {"get", "mm", "w-1", "-o", "yaml"},
                                               {"get", "mc", "-o", "yaml"},
                                               {"get", "mc", "-o", "json"},
                                               {"get", "mm", "-o", "wide"},
                                               {"get", "mm", "no-such-machine", "-o", "yaml"}}) {
    shown += cli(args);
  }
  EXPECT_NE(shown.find("User data:"), std::string::npos) << shown;  // describe ran
  EXPECT_NE(shown.find("inline (redacted)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("userData: <redacted>"), std::string::npos) << shown;          // -o yaml ran
  EXPECT_NE(shown.find("\"userData\": \"<redacted>\""), std::string::npos) << shown;  // -o json
  EXPECT_NE(shown.find("kind: MaasCluster"), std::string::npos) << shown;
  EXPECT_EQ(secretsIn("the CLI", shown), "") << shown;
  Reply plugins = api(port_, "GET", "/apis/maasprov.io/v1/plugins");
  EXPECT_EQ(plugins.status, 200);
  EXPECT_EQ(plugins.object()->getArray("items")->size(), 3u) << plugins.body;

  deleteEverythingAndCheckNothingIsLeft();
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->waitExit(std::chrono::seconds(20)), 0);
  // A whole run at debug level: no secret in the log.
  std::string log = daemon_->stderrText();
  EXPECT_NE(log.find("maasprovd stopped in"), std::string::npos);
  EXPECT_NE(log.find("debug"), std::string::npos) << "the log is at debug level";
  EXPECT_EQ(secretsIn("the log", log), "");
}

TEST_F(EndToEnd, DaemonKilledMidProvisioningFinishesWithoutDuplicates) {
  startDaemon();
  createCluster();
  // Wait until MAAS holds something for us, then kill the daemon without warning.
  ASSERT_TRUE(waitFor([&] { return successes("op=allocate") + successes("op=compose") >= 1; },
                      std::chrono::seconds(60)))
      << diagnose();
  EXPECT_FALSE(allReady()) << "the kill must come mid-provisioning";
  daemon_->signal(SIGKILL);
  daemon_->waitExit(std::chrono::seconds(10));

  startDaemon();
  ASSERT_TRUE(waitFor([&] { return allReady(); }, std::chrono::seconds(120))) << diagnose();
  // Exactly one VM composed and three allocations (two bare metal, the VM itself): the restarted
  // daemon found what its predecessor held instead of taking more.
  EXPECT_EQ(successes("op=compose"), 1u);
  EXPECT_EQ(successes("op=allocate"), 3u);
  deleteEverythingAndCheckNothingIsLeft();
}

}  // namespace
}  // namespace maasprov::e2e
