// maasprov-plugin-check against the MAAS simulator: the MAAS scenarios really run (allocate,
// adopt after a lost status, release) and the example plugin passes all of them.
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

constexpr const char* kInventory = R"(
zones:
  - {name: zone-a}
resource_pools:
  - {name: default}
domains:
  - {name: maas, default: true}
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
machines:
  - {hostname: m01, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m02, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m03, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m04, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m05, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m06, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m07, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m08, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m09, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m10, cores: 4, memory: 8192, zone: zone-a}
)";

// The same, plus a VM host for plugins that compose.
const std::string kInventoryWithVmHost = std::string(kInventory) + R"(
vm_hosts:
  - {name: lxd-1, zone: zone-a, cores: 64, memory: 131072, storage_pools: [{name: default, size_gb: 2000}]}
)";

// maas-sim on an ephemeral loopback port, stopped when the test ends.
class Sim {
 public:
  explicit Sim(const test::TempDir& dir, const std::string& inventory = kInventory) {
    std::ofstream(dir.path() / "inventory.yaml") << inventory;
    auto portFile = dir.path() / "port";
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        MAASPROV_MAAS_SIM, {"--inventory", (dir.path() / "inventory.yaml").string(), "--listen",
                            "127.0.0.1:0", "--port-file", portFile.string(), "--api-key",
                            "kit:test:secret", "--release-seconds", "0"}));
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::ifstream(portFile) >> port_;
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Sim() {
    Poco::Process::requestTermination(handle_->id());
    handle_->wait();
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<Poco::ProcessHandle> handle_;
  int port_ = 0;
};

// Runs the kit on `plugin` against `sim`; returns {exit status, output}.
std::pair<int, std::string> checkAgainst(const Sim& sim, const std::string& plugin,
                                         const std::vector<std::string>& extra = {}) {
  Poco::Pipe out;
  std::vector<std::string> args = {plugin, "--maas-url",
                                   "http://127.0.0.1:" + std::to_string(sim.port()) + "/MAAS",
                                   "--maas-key", "kit:test:secret"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto handle = Poco::Process::launch(MAASPROV_PLUGIN_CHECK, args, nullptr, &out, &out);
  Poco::PipeInputStream in(out);
  std::string output;
  Poco::StreamCopier::copyToString(in, output);
  return {handle.wait(), output};
}

TEST(CheckKitAgainstSim, ExamplePluginPassesEveryScenario) {
  test::TempDir dir;
  Sim sim(dir);
  ASSERT_NE(sim.port(), 0) << "maas-sim did not start";
  auto [status, output] = checkAgainst(sim, test::fixture("fixture_example_tagged").string());
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("(reachable; scenarios create and release real objects there)"),
            std::string::npos)
      << output;
  for (auto line : {"PASS    reconcile-valid", "PASS    idempotence           1 allocate/compose",
                    "PASS    remove-after-partial", "PASS    checkpoint-failure",
                    "summary: 11 passed, 0 failed, 0 crashed, 0 timed out, 0 skipped"}) {
    EXPECT_NE(output.find(line), std::string::npos) << line << "\n" << output;
  }
}

TEST(CheckKitAgainstSim, FrozenV1PluginPassesEveryScenario) {
  test::TempDir dir;
  Sim sim(dir);
  ASSERT_NE(sim.port(), 0) << "maas-sim did not start";
  auto [status, output] = checkAgainst(sim, MAASPROV_ABI_V1_PLUGIN);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("PASS    checkpoint-failure"), std::string::npos) << output;
  EXPECT_NE(output.find("summary: 11 passed, 0 failed"), std::string::npos) << output;
}

// The idempotence scenario counts machines, not requests, and still catches real duplicates.
TEST(CheckKitAgainstSim, IdempotenceFailsAPluginThatAllocatesOnEveryReconcile) {
  test::TempDir dir;
  Sim sim(dir);
  ASSERT_NE(sim.port(), 0) << "maas-sim did not start";
  // fixture_good allocates a machine each time it is called, whatever its status says.
  auto [status, output] =
      checkAgainst(sim, test::fixture("fixture_good").string(), {"--only", "idempotence"});
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("FAIL    idempotence           one object acquired 4 MAAS machines"),
            std::string::npos)
      << output;
}

TEST(CheckKitAgainstSim, IdempotenceFailsAPluginThatComposesOnEveryReconcile) {
  test::TempDir dir;
  Sim sim(dir, kInventoryWithVmHost);
  ASSERT_NE(sim.port(), 0) << "maas-sim did not start";
  // Each round composes a new VM and allocates it by system_id: 4 machines (not 8 requests'
  // worth), and the failure lists them.
  auto [status, output] = checkAgainst(sim, test::fixture("fixture_composes_always").string(),
                                       {"--only", "idempotence"});
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("FAIL    idempotence           one object acquired 4 MAAS machines"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find(": compose "), std::string::npos) << output;
}

TEST(CheckKitAgainstSim, WrongKeyIsReportedAsAnUnusableMaas) {
  test::TempDir dir;
  Sim sim(dir);
  ASSERT_NE(sim.port(), 0) << "maas-sim did not start";
  Poco::Pipe out;
  auto handle = Poco::Process::launch(
      MAASPROV_PLUGIN_CHECK,
      {test::fixture("fixture_example_tagged").string(), "--only", "reconcile-valid", "--maas-url",
       "http://127.0.0.1:" + std::to_string(sim.port()) + "/MAAS", "--maas-key", "wrong:key:here"},
      nullptr, &out, &out);
  Poco::PipeInputStream in(out);
  std::string output;
  Poco::StreamCopier::copyToString(in, output);
  EXPECT_EQ(handle.wait(), 1) << output;
  EXPECT_NE(output.find("MAAS refused the API key (HTTP 401)"), std::string::npos) << output;
  EXPECT_NE(output.find("FAIL    reconcile-valid       needs a MAAS: the one given is not usable"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace maasprov::plugin
