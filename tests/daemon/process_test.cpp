// The real maasprovd process: --version, one-line start-up errors, permission refusals (secret
// files and the configuration file), hostile configuration files, SIGTERM shutdown time, SIGHUP,
// readiness over the real socket.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "daemon_process.hpp"
#include "sim_process.hpp"

namespace maasprov::daemon {
namespace {

using maassim::testing::SimProcess;
using testing::DaemonProcess;
using testing::readFile;
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
            0600);
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

// Starts maasprovd on `config` and expects the start-up to fail within seconds with exit 78 and
// exactly one stderr line holding each of `words`. Returns that line.
std::string expectConfigError(const Workdir& dir, const std::string& config,
                              const std::vector<std::string>& words) {
  DaemonProcess p({"--config", config}, dir.path("stderr"));
  auto code = p.waitExit(std::chrono::seconds(15));
  std::string err = p.stderrText();
  EXPECT_EQ(code, 78) << (code ? "" : "still running (hang?) ") << err;
  EXPECT_EQ(countLines(err), 1) << err;
  for (const auto& w : words) EXPECT_NE(err.find(w), std::string::npos) << w << " in: " << err;
  return err;
}

TEST(DaemonProcess, RefusesAConfigurationOthersCanReadAndStartsWithAPrivateOne) {
  SimProcess sim(SimProcess::Yaml(kInventory));
  Workdir dir;
  std::string config = writeConfig(dir, sim.base_url() + "/MAAS");
  for (mode_t mode : {0644, 0604, 0620, 0660}) {
    ::chmod(config.c_str(), mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "0%o", static_cast<unsigned>(mode));
    expectConfigError(dir, config,
                      {config + ": --config: '" + config + "'", "accessible by group or others",
                       std::string("(mode ") + octal + ")", "expected mode 0600"});
  }
  // Owner-only starts; so does group-readable when the group is the daemon's own (the package's
  // root:maasprov 0640), which it is here: the file's group is this process's group.
  for (mode_t mode : {0600, 0640}) {
    ::chmod(config.c_str(), mode);
    std::filesystem::remove(dir.path("api.port"));
    DaemonProcess p({"--config", config}, dir.path("stderr"));
    ASSERT_GT(testing::waitForPortFile(dir.path("api.port"), p), 0)
        << "mode 0" << std::oct << mode << ": " << p.stderrText();
    p.signal(SIGTERM);
    EXPECT_EQ(p.waitExit(std::chrono::seconds(20)), 0);
  }
}

TEST(DaemonProcess, RefusesAConfigurationOfAnotherGroupOrUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user or group";
  Workdir dir;
  std::string config = writeConfig(dir, "http://127.0.0.1:1/MAAS");
  const gid_t otherGroup = ::getegid() + 4242;
  const uid_t otherUser = ::geteuid() + 4242;
  ASSERT_EQ(::chown(config.c_str(), static_cast<uid_t>(-1), otherGroup), 0);
  ::chmod(config.c_str(), 0640);
  expectConfigError(dir, config, {"is readable by group", "not the daemon's group"});
  ASSERT_EQ(::chown(config.c_str(), otherUser, ::getegid()), 0);
  ::chmod(config.c_str(), 0600);
  // Its owner could point plugins.directories at code of their own.
  expectConfigError(dir, config,
                    {"is owned by uid " + std::to_string(otherUser),
                     "expected a file owned by root or by the daemon's user"});
}

TEST(DaemonProcess, HostileConfigurationFilesGetOneLineAndExit78) {
  Workdir dir;
  const std::string valid = readFile(writeConfig(dir, "http://127.0.0.1:1/MAAS"));
  struct Case {
    std::string name;
    std::string text;  // the whole file
    std::vector<std::string> words;
  };
  const std::string bigComment = "# " + std::string(1023, 'x') + "\n";
  std::string huge;
  for (int i = 0; i < 2048; ++i) huge += bigComment;  // 2 MiB
  std::string deepKey;
  for (int i = 0; i < 200000; ++i) deepKey += "a.";  // one key nested 200,000 levels deep
  const std::vector<Case> cases = {
      {"huge", valid + huge, {"is 2" /* bytes */, "expected at most 1048576"}},
      {"binary",
       std::string("\x7f"
                   "ELF\x02\x01\x01\0\0\0",
                   10) +
           valid,
       {"line 1: byte 0x7F is a control character; expected a UTF-8 text file"}},
      {"nul",
       valid + std::string("log.level = info\0\n", 18),
       {"byte 0x00 is a control character"}},
      {"invalid-utf8", valid + "store.path = caf\xe9.db\n", {"byte 0xE9 is not UTF-8"}},
      {"overlong-utf8", "maas.url = \xc0\xaf\n" + valid, {"line 1: byte 0xC0 is not UTF-8"}},
      {"empty", "", {"holds no settings; expected at least maas.url"}},
      {"comments-only", "# nothing here\n\n! nor here\n", {"holds no settings"}},
      {"unknown-key", valid + "maas.ulr = http://x\n", {"maas.ulr: unknown key"}},
      {"deep-key", valid + deepKey + "b = 1\n", {"a.a.a.a.... (400001 bytes): unknown key"}},
      {"duplicate-key",
       valid + "controller.workers = 4\ncontroller.workers = 8\n",
       {"controller.workers: set more than once"}},
      {"duplicate-required-key",
       valid + "maas.url = http://other/MAAS\n",
       {"maas.url: set more than once"}},
      {"workers-huge",
       valid + "controller.workers = 99999999999999999999\n",
       {"controller.workers: expected an integer from 1 to 256, got '99999999999999999999'"}},
      {"workers-negative",
       valid + "controller.workers = -1\n",
       {"controller.workers: expected an integer from 1 to 256, got '-1'"}},
      {"workers-float", valid + "controller.workers = 4.5\n", {"controller.workers: expected"}},
      {"body-limit-exponent",
       valid + "api.max_body_bytes = 1e9\n",
       {"api.max_body_bytes: expected an integer from 1024 to 1073741824, got '1e9'"}},
      {"duration-huge",
       valid + "controller.requeue_interval = 99999999999999999999h\n",
       {"controller.requeue_interval: expected a duration"}},
      {"duration-negative",
       valid + "controller.resync_interval = -5s\n",
       {"controller.resync_interval: expected a duration"}},
      {"bool-number", valid + "maas.verify_tls = 2\n", {"maas.verify_tls: expected true or false"}},
      {"port-huge",
       std::regex_replace(valid, std::regex("api.listen = .*"), "api.listen = 127.0.0.1:99999"),
       {"api.listen: expected HOST:PORT such as 127.0.0.1:5241, got '127.0.0.1:99999'"}},
      {"json-unterminated",
       valid + "plugin.lxd.config = {\"a\": [1,\n",
       {"plugin.lxd.config: expected a JSON object"}},
      // Poco turns "\n" in a value into a newline; the message must stay one line.
      {"escaped-newline",
       valid + "log.level = loud\\nsecond line\n",
       {"log.level: expected trace", "got 'loud\\x0Asecond line'"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string config = dir.path(c.name + ".properties");
    writeFile(config, c.text);
    expectConfigError(dir, config, c.words);
  }

  SCOPED_TRACE("special files");
  std::filesystem::create_directories(dir.path("dir.properties"));
  expectConfigError(dir, dir.path("dir.properties"), {"is a directory, not a file"});
  expectConfigError(dir, dir.path("missing.properties"), {"missing.properties' does not exist"});
  // A FIFO would block a plain open() until someone writes: it must be refused, not waited on.
  ASSERT_EQ(::mkfifo(dir.path("fifo.properties").c_str(), 0600), 0);
  expectConfigError(dir, dir.path("fifo.properties"), {"is not a regular file"});
  std::filesystem::create_symlink("/dev/zero", dir.path("zero.properties"));
  expectConfigError(dir, dir.path("zero.properties"), {"is not a regular file"});
  writeFile(dir.path("settings.yaml"), valid);
  expectConfigError(dir, dir.path("settings.yaml"), {"expected a .properties or .ini file"});

  SCOPED_TRACE(".ini");
  writeFile(dir.path("dup.ini"),
            "[maas]\nurl = http://127.0.0.1:1/MAAS\n[controller]\nworkers = 2\n"
            "[maas]\nurl = http://127.0.0.1:2/MAAS\n");
  expectConfigError(dir, dir.path("dup.ini"), {"maas.url: set more than once"});
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
