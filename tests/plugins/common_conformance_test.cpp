// Every in-tree plugin passes maasprov-plugin-check (the SDK's conformance kit) against a real
// maas-sim: the same bar a third-party plugin must clear. Add a row to kPlugins for a new one.
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>

#include "sim/sim_process.hpp"

namespace maasprov::plugins::test {
namespace {

// Enough Ready machines for the kit's concurrent scenarios, the kit's sample cluster domain
// (maas.test), and a VM host for provisioners that compose.
constexpr const char* kCheckInventory = R"(
user: admin
zones:
  - {name: zone-a}
domains:
  - {name: maas, default: true}
  - {name: maas.test}
subnets:
  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}
machines:
  - {hostname: m1, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m2, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m3, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m4, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m5, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m6, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m7, cores: 4, memory: 8192, zone: zone-a}
  - {hostname: m8, cores: 4, memory: 8192, zone: zone-a}
vm_hosts:
  - name: lxd-1
    zone: zone-a
    cores: 64
    memory: 131072
    storage_pools: [{name: default, size_gb: 2000}]
)";

struct CheckedPlugin {
  const char* name;          // <name>.so in the build's plugin directory
  const char* config;        // --config: quick timings so the kit's rounds stay short
  const char* rounds = "8";  // --rounds: LXD composes, commissions, then deploys
};

const CheckedPlugin kPlugins[] = {
    {"baremetal", R"({"pollSeconds": 1, "retryBaseSeconds": 1, "noMatchRetrySeconds": 1})"},
    {"dns", R"({"pollSeconds": 1})"},
    {"lxd",
     R"({"pollSeconds": 1, "retryBaseSeconds": 1, "bootstrapWaitSeconds": 1,
         "backoffInitialSeconds": 1})",
     "40"},
};

// Names the parameter in test output ("dns", not a byte dump).
void PrintTo(const CheckedPlugin& p, std::ostream* os) {
  *os << p.name;
}

class Conformance : public ::testing::TestWithParam<CheckedPlugin> {};

TEST_P(Conformance, PassesMaasprovPluginCheckAgainstMaasSim) {
  const std::string so = std::string(MAASPROV_PLUGIN_DIR) + "/" + GetParam().name + ".so";
  if (!std::filesystem::exists(so)) GTEST_SKIP() << so << " is not built";
  maassim::testing::SimProcess sim(maassim::testing::SimProcess::Yaml(
      kCheckInventory,
      {"--deploy-seconds", "0.2", "--release-seconds", "0.2", "--commission-seconds", "0.1"}));
  Poco::Pipe out;
  Poco::ProcessHandle check =
      Poco::Process::launch(MAASPROV_PLUGIN_CHECK,
                            {so, "--maas-url", sim.base_url() + "/MAAS", "--maas-key",
                             maassim::testing::SimProcess::default_api_key(), "--config",
                             GetParam().config, "--timeout", "60", "--rounds", GetParam().rounds},
                            nullptr, &out, &out);
  Poco::PipeInputStream stream(out);
  std::string report;
  Poco::StreamCopier::copyToString(stream, report);
  int rc = check.wait();
  EXPECT_EQ(rc, 0) << report;
  EXPECT_NE(report.find(" 0 failed, 0 crashed, 0 timed out"), std::string::npos) << report;
  EXPECT_EQ(report.find("FAIL"), std::string::npos) << report;
}

INSTANTIATE_TEST_SUITE_P(InTree, Conformance, ::testing::ValuesIn(kPlugins),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace maasprov::plugins::test
