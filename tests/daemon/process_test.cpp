// The real maasprovd process: --version, one-line start-up errors, permission refusals,
// SIGTERM shutdown time, SIGHUP, readiness over the real socket.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon_process.hpp"
#include "sim_process.hpp"

namespace maasprov::daemon {
namespace {

using maassim::testing::SimProcess;
using testing::DaemonProcess;
using testing::Workdir;
using testing::writeFile;

constexpr const char* kInventory = R"(
user: admin
zones:
  - {name: zone-a}
machines:
  - {hostname: node-1, cores: 4, memory: 8192, zone: zone-a}
)";

// A complete, valid configuration for a daemon talking to `maasUrl`.
std::string writeConfig(const Workdir& dir, const std::string& maasUrl,
                        const std::string& extra = "") {
  writeFile(dir.path("maas-api-key"), SimProcess::default_api_key() + "\n");
  writeFile(dir.path("api-token"), "test-token-0123456789\n");
  std::filesystem::create_directories(dir.path("plugins"));
  writeFile(dir.path("maasprovd.properties"),
            "maas.url = " + maasUrl + "\nmaas.api_key_file = maas-api-key\n" +
                "plugins.directories = plugins\nstore.path = state/maasprov.db\n" +
                "api.listen = 127.0.0.1:0\napi.token_file = api-token\n" +
                "api.port_file = api.port\ncontroller.poll_interval = 0.2\n" + extra,
            0644);
  return dir.path("maasprovd.properties");
}

int countLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

int httpGet(int port, const std::string& path, std::string* body = nullptr) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer test-token-0123456789");
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  if (body) *body = text;
  return response.getStatus();
}

TEST(DaemonProcess, PrintsItsVersion) {
  Workdir dir;
  DaemonProcess p({"--version"}, dir.path("stderr"));
  ASSERT_EQ(p.waitExit(std::chrono::seconds(10)), 0);
}

TEST(DaemonProcess, ABadSettingStopsStartUpWithOneLineNamingTheKey) {
  Workdir dir;
  std::string config = writeConfig(dir, "http://127.0.0.1:1/MAAS", "controller.workers = many\n");
  DaemonProcess p({"--config", config}, dir.path("stderr"));
  EXPECT_EQ(p.waitExit(std::chrono::seconds(10)), 78);  // EX_CONFIG
  std::string err = p.stderrText();
  EXPECT_EQ(countLines(err), 1) << err;
  EXPECT_NE(err.find("controller.workers: expected an integer from 1 to 256, got 'many'"),
            std::string::npos)
      << err;
}

TEST(DaemonProcess, RefusesAKeyFileOthersCanRead) {
  Workdir dir;
  std::string config = writeConfig(dir, "http://127.0.0.1:1/MAAS");
  ::chmod(dir.path("maas-api-key").c_str(), 0644);
  DaemonProcess p({"--config", config}, dir.path("stderr"));
  EXPECT_EQ(p.waitExit(std::chrono::seconds(10)), 78);
  std::string err = p.stderrText();
  EXPECT_EQ(countLines(err), 1) << err;
  EXPECT_NE(err.find("maas.api_key_file"), std::string::npos) << err;
  EXPECT_NE(err.find("group or others"), std::string::npos) << err;
  EXPECT_EQ(err.find("secret"), std::string::npos) << "the key's value leaked: " << err;
}

TEST(DaemonProcess, ServesThenStopsOnSigtermWithinSeconds) {
  SimProcess sim(SimProcess::Yaml(kInventory));
  Workdir dir;
  std::string config =
      writeConfig(dir, sim.base_url() + "/MAAS", "log.format = json\nlog.level = info\n");
  DaemonProcess p({"--config", config}, dir.path("stderr"));
  int port = testing::waitForPortFile(dir.path("api.port"), p);
  ASSERT_GT(port, 0) << p.stderrText();
  EXPECT_EQ(httpGet(port, "/readyz"), 200);
  std::string metrics;
  EXPECT_EQ(httpGet(port, "/metrics", &metrics), 200);
  EXPECT_NE(metrics.find("maasprov_workqueue_depth"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("maasprov_machines{phase=\"Ready\"} 0"), std::string::npos);

  // SIGHUP: the log level is reloaded and the log says what is not.
  p.signal(SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (p.stderrText().find("NOT reloaded") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(p.stderrText().find("NOT reloaded"), std::string::npos);
  EXPECT_TRUE(p.running());

  const auto started = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  EXPECT_EQ(p.waitExit(std::chrono::seconds(20)), 0);
  const auto took = std::chrono::steady_clock::now() - started;
  // "Within a few seconds": generous for a loaded 2-core machine, far below a plugin timeout.
  EXPECT_LT(took, std::chrono::seconds(10));
  std::string log = p.stderrText();
  EXPECT_NE(log.find("\"msg\":\"maasprovd stopped in"), std::string::npos) << log;
  // Every line is a JSON object; no secret appears in the log.
  EXPECT_EQ(log.find("test-token-0123456789"), std::string::npos);
  EXPECT_EQ(log.find(SimProcess::default_api_key()), std::string::npos);
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.rfind("{\"time\":", 0), 0u) << line;
  }
}

}  // namespace
}  // namespace maasprov::daemon
