// maasprov against the real system: maas-sim with the demo inventory (examples/) and maasprovd
// with the three plugins, as processes on ephemeral loopback ports. The example cluster is
// applied, waited for (plain progress, and in-place progress on a pseudo-terminal), shown with
// get/hosts/plugins and deleted with --wait until MAAS has nothing allocated.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/RegularExpression.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <sstream>

#include "cli_runner.hpp"
#include "daemon_process.hpp"
#include "sim_process.hpp"

extern char** environ;

namespace maasprov::cli::testing {
namespace {

using daemon::testing::DaemonProcess;
using maassim::testing::SimProcess;

const std::string kSource = MAASPROV_SOURCE_DIR;
const std::string kExamples = kSource + "/examples/cluster.yaml";
constexpr const char* kToken = "cli-daemon-test-token";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
bool search(const std::string& text, const std::string& pattern) {
  Poco::RegularExpression::Match m;
  return Poco::RegularExpression(pattern).match(text, 0, m) > 0;
}

class CliDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    SimProcess::Options o;
    o.inventory_path = kSource + "/examples/maas-inventory.yaml";
    o.extra_args = {"--deploy-seconds",  "0.5", "--commission-seconds", "0.3",
                    "--release-seconds", "0.3"};
    sim_ = std::make_unique<SimProcess>(o);
    const auto dir = cli_.home();
    // A file the daemon must refuse (not a shared object), to be listed with its reason.
    writeFile(dir / "more-plugins/broken.so", "not an ELF file\n", 0644);
    writeFile(dir / "maas-api-key", SimProcess::default_api_key() + "\n");
    writeFile(dir / "api-token", std::string(kToken) + "\n");
    writeFile(dir / "maasprovd.properties",
              "maas.url = " + sim_->base_url() + "/MAAS\nmaas.api_key_file = maas-api-key\n" +
                  "plugins.directories = " + MAASPROV_PLUGIN_DIR + "," +
                  (dir / "more-plugins").string() + "\n" +
                  "plugins.allow_insecure_permissions = true\n" +
                  "store.path = state/maasprov.db\napi.listen = 127.0.0.1:0\n" +
                  "api.token_file = api-token\napi.port_file = api.port\n" +
                  "controller.poll_interval = 0.2\ncontroller.backoff_base = 100ms\n" +
                  "controller.backoff_max = 1s\n",
              0600);  // maasprovd refuses a configuration others may read
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", (dir / "maasprovd.properties").string()},
        (dir / "maasprovd.log").string());
    int port = daemon::testing::waitForPortFile((dir / "api.port").string(), *daemon_);
    ASSERT_GT(port, 0) << daemon_->stderrText();
    cli_.setEnv("MAASPROV_SERVER", "127.0.0.1:" + std::to_string(port));
    cli_.setEnv("MAASPROV_TOKEN_FILE", (dir / "api-token").string());
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "maasprovd log:\n" << daemon_->stderrText();
  }

  CliResult run(const std::vector<std::string>& args, const std::string& in = {}) {
    return cli_.run(args, in);
  }

  // Runs maasprov with stderr on a pseudo-terminal, as a user at a terminal would.
  CliResult runOnTerminal(const std::vector<std::string>& args) {
    int master = -1, slave = -1;
    EXPECT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    int outPipe[2];
    EXPECT_EQ(::pipe(outPipe), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, slave, STDERR_FILENO);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, master);
    posix_spawn_file_actions_addclose(&actions, outPipe[0]);
    std::vector<std::string> env = {"HOME=" + cli_.home().string()};
    for (const char* name : {"MAASPROV_SERVER", "MAASPROV_TOKEN_FILE"}) {
      env.push_back(std::string(name) + "=" + env_.at(name));
    }
    std::vector<char*> envp, argv;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string binary = MAASPROV_BINARY;
    std::vector<std::string> all = {binary};
    all.insert(all.end(), args.begin(), args.end());
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    EXPECT_EQ(::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(slave);
    ::close(outPipe[1]);
    CliResult r;
    char buf[4096];
    for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;)
      r.err.append(buf, n);  // EIO at exit
    for (ssize_t n; (n = ::read(outPipe[0], buf, sizeof buf)) > 0;) r.out.append(buf, n);
    ::close(master);
    ::close(outPipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  void setEnv(const std::string& name, const std::string& value) {
    env_[name] = value;
    cli_.setEnv(name, value);
  }

  CliRunner cli_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(CliDaemon, TheExampleClusterComesUpIsShownAndGoesAway) {
  auto r = run({"apply", "-f", kExamples});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(lines(r.out).size(), 8u);

  r = run({"wait", "maasmachines", "-l", "cluster.x-k8s.io/cluster-name=demo",
           "--for=condition=Ready", "--timeout=60s"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(lines(r.out).size(), 5u) << r.out;
  EXPECT_TRUE(contains(r.out, "maasmachine/demo-control-plane-b condition met\n"));
  EXPECT_TRUE(contains(r.err, "waiting for 5 maasmachines (condition=Ready)")) << r.err;
  EXPECT_TRUE(contains(r.err, "maasmachine/demo-worker-1: Ready\n")) << r.err;
  r = run({"wait", "mc", "demo", "--for=condition=Ready", "--timeout=30s"});
  ASSERT_EQ(r.exitCode, 0) << r.all();

  r = run({"get", "mm", "-o", "wide"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 6u) << r.out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(search(rows[i], " Ready +\\S+ +\\S+ +[0-9]+s +\\S+ +Deployed +[0-9.]+ "))
        << rows[i];
  }
  EXPECT_TRUE(search(r.out, "demo-control-plane-a +demo +lxd +Ready +\\S+ +zone-a ")) << r.out;
  EXPECT_TRUE(search(r.out, "demo-control-plane-c +demo +lxd +Ready +\\S+ +zone-c .* lxd-c"))
      << r.out;

  // The three control planes took cores from VM hosts of their zones.
  r = run({"hosts"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, "NAME +ZONE +POOL +PROJECT +CORES +MEMORY +STORAGE")) << r.out;
  // The project comes from the host's MAAS parameters (the inventory puts them in "maasprov").
  EXPECT_TRUE(search(r.out, "lxd-a1 +zone-a +default +maasprov +[0-9]+/[0-9]+ +[0-9.]+/[0-9.]+GiB"))
      << r.out;
  int usedCores = 0;
  for (const auto& line : lines(r.out)) {
    if (line.rfind("lxd-", 0) != 0) continue;
    std::istringstream columns(line);
    std::string name, zone, pool, project, coresUsedOfTotal;
    columns >> name >> zone >> pool >> project >> coresUsedOfTotal;
    usedCores += std::stoi(coresUsedOfTotal.substr(0, coresUsedOfTotal.find('/')));
  }
  EXPECT_EQ(usedCores, 6) << r.out;  // 3 control planes x 2 cores

  r = run({"plugins"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, "NAME +VERSION +KIND +MODES +ABI")) << r.out;
  EXPECT_TRUE(search(r.out, "\\S+ +[0-9][^ ]* +\\S+ +bare-metal +[0-9]")) << r.out;
  EXPECT_TRUE(search(r.out, "\\S+ +[0-9][^ ]* +\\S+ +lxd +[0-9]")) << r.out;

  r = run({"plugins", "-o", "wide"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, "lxd +[0-9][^ ]* +\\S+ +lxd +[0-9]+ +\\S+/lxd\\.so")) << r.out;
  EXPECT_TRUE(search(r.out, "\nRefused:\nFILE +REASON\n\\S+/more-plugins/broken\\.so +\\S"))
      << r.out;
  r = run({"plugins", "-o", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto plugins = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(plugins->getArray("items")->size(), 3u);
  EXPECT_EQ(plugins->getArray("refused")->size(), 1u);
  r = run({"hosts", "-o", "wide"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, "lxd-b1 .* lxd +\\S+ +cpu [0-9.]+, mem [0-9.]+ +\\S+=[0-9]+/[0-9]+GB"))
      << r.out;
  r = run({"hosts", "-o", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto hosts = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(hosts->getArray("items")->size(), 6u);
  r = run({"hosts", "-o", "yaml"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err, "error: hosts: -o yaml is not supported; use json\n");

  r = run({"describe", "mm", "demo-control-plane-a"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, "Ready +True ")) << r.out;
  EXPECT_TRUE(search(r.out, "MAAS state: +Deployed")) << r.out;

  r = run({"delete", "-f", kExamples, "--wait", "--timeout=60s"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  for (const char* name : {"maasmachine/demo-worker-2 deleted", "maascluster/demo deleted",
                           "secret/demo-worker-bootstrap deleted"}) {
    EXPECT_TRUE(contains(r.out, name)) << r.out;
  }
  r = run({"get", "mm"});
  EXPECT_EQ(r.err, "No maasmachines found in namespace default.\n");
  r = run({"hosts"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_FALSE(search(r.out, "lxd-\\S+ +\\S+ +\\S+ +\\S+ +[1-9][0-9]*/")) << r.out;  // all freed
}

TEST_F(CliDaemon, ProgressIsRedrawnInPlaceOnATerminalAndTimeoutsNameWhatIsPending) {
  setEnv("MAASPROV_SERVER", "127.0.0.1:" + readFile(cli_.home() / "api.port"));
  setEnv("MAASPROV_TOKEN_FILE", (cli_.home() / "api-token").string());
  auto r = run({"apply", "-f", kExamples});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  // A machine MAAS can never satisfy.
  r = run({"apply", "-f", "-"},
          "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\n"
          "metadata: {name: huge, labels: {cluster.x-k8s.io/cluster-name: demo}}\n"
          "spec: {minCPU: 512, minMemory: 4096, image: ubuntu/jammy, "
          "bootstrapDataSecretName: demo-worker-bootstrap}\n");
  ASSERT_EQ(r.exitCode, 0) << r.all();

  r = run({"wait", "mm", "demo-control-plane-a", "demo-control-plane-b", "demo-control-plane-c",
           "demo-worker-1", "demo-worker-2", "--for=condition=Ready", "--timeout=60s"});
  ASSERT_EQ(r.exitCode, 0) << r.all();

  r = runOnTerminal({"wait", "mm", "--for=condition=Ready", "--timeout=3s"});
  EXPECT_EQ(r.exitCode, 5) << r.all();
  EXPECT_TRUE(contains(r.err, "\r\033[Kwaiting for 6 maasmachines (condition=Ready): ")) << r.err;
  EXPECT_TRUE(search(r.err, "5 Ready, 1 (Pending|Failed|Provisioning)")) << r.err;
  EXPECT_TRUE(search(r.err,
                     "error: timed out after 3s waiting for condition=Ready: 1 of 6 "
                     "maasmachines still pending: maasmachine/huge is \\S+"))
      << r.err;
  EXPECT_EQ(lines(r.out).size(), 0u) << r.out;
}

}  // namespace
}  // namespace maasprov::cli::testing
