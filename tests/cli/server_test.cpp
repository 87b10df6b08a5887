// The maasprov binary against a real ApiServer over a real SqliteStore (in process, ephemeral
// loopback port): apply/get/describe/delete/wait, every output format, exit codes, the error
// cases and where the server and token come from. Status is written through the store as the
// controller would, so tables and waits see real state changes.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/RegularExpression.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "api_test_support.hpp"
#include "cli_runner.hpp"
#include "framework/store/errors.hpp"

namespace maasprov::cli::testing {
namespace {

using api::testing::ApiFixture;
using api::testing::kToken;

const std::string kExamples = std::string(MAASPROV_SOURCE_DIR) + "/examples/cluster.yaml";

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Poco's PCRE rather than std::regex (GCC 12 -Werror false positives under sanitizers).
bool fullMatch(const std::string& text, const std::string& pattern) {
  return Poco::RegularExpression(pattern).match(text);
}
bool search(const std::string& text, const std::string& pattern) {
  Poco::RegularExpression::Match m;
  return Poco::RegularExpression(pattern).match(text, 0, m) > 0;
}

// A loopback port nothing listens on.
int closedPort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  int port = socket.address().port();
  socket.close();
  return port;
}

class CliServer : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    writeFile(cli_.home() / "token", std::string(kToken) + "\n");
    cli_.setEnv("MAASPROV_SERVER", server());
    cli_.setEnv("MAASPROV_TOKEN_FILE", (cli_.home() / "token").string());
  }

  std::string server() const { return "http://127.0.0.1:" + std::to_string(port()); }
  CliResult run(const std::vector<std::string>& args, const std::string& in = {}) {
    return cli_.run(args, in);
  }

  store::ObjectKey machine(const std::string& name) { return {"MaasMachine", "default", name}; }

  // Writes a machine's status as the controller would.
  void setStatus(const std::string& name, const std::string& statusJson) {
    auto doc = store().get(machine(name));
    doc->set("status", parseObject(statusJson));
    store().updateStatus(doc);
  }

  void addFinalizer(const std::string& name) {
    auto doc = store().get(machine(name));
    Poco::JSON::Array::Ptr finalizers = new Poco::JSON::Array;
    finalizers->add("maasmachine.infrastructure.cluster.x-k8s.io");
    doc->getObject("metadata")->set("finalizers", finalizers);
    store().update(doc);
  }

  void removeFinalizers(const std::string& name) {
    auto doc = store().get(machine(name));
    doc->getObject("metadata")->remove("finalizers");
    store().update(doc);
  }

  void applyExamples() {
    auto r = run({"apply", "-f", kExamples});
    ASSERT_EQ(r.exitCode, 0) << r.all();
  }

  CliRunner cli_;
};

const char* kReadyStatus = R"({"ready":true,"machineState":"Deployed","machinePowered":true,
  "hostname":"cp-a-vm","systemID":"abc123","failureDomain":"zone-a","lxdHost":"lxd-a",
  "addresses":[{"type":"InternalIP","address":"10.0.0.11"}],
  "conditions":[{"type":"Ready","status":"True","reason":"Deployed","message":"deployed",
                 "lastTransitionTime":"2024-05-01T12:00:00Z"}]})";

TEST_F(CliServer, ApplyCreatesThenReportsUnchangedThenConfigured) {
  auto r = run({"apply", "-f", kExamples});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{
                              "maascluster/demo created",
                              "secret/demo-control-plane-bootstrap created",
                              "secret/demo-worker-bootstrap created",
                              "maasmachine/demo-control-plane-a created",
                              "maasmachine/demo-control-plane-b created",
                              "maasmachine/demo-control-plane-c created",
                              "maasmachine/demo-worker-1 created",
                              "maasmachine/demo-worker-2 created",
                          }));
  r = run({"apply", "-f", kExamples});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(lines(r.out).size(), 8u);
  for (const auto& line : lines(r.out)) EXPECT_TRUE(contains(line, " unchanged")) << line;

  // A changed label, from standard input as JSON.
  r = run({"apply", "-f", "-"},
          R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",
              "metadata":{"name":"demo","labels":{"team":"a"}},
              "spec":{"dnsDomain":"maas","failureDomains":["zone-a","zone-b","zone-c"]}})");
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, "maascluster/demo configured\n");
}

TEST_F(CliServer, ApplyOfADirectoryTakesItsManifestsInNameOrder) {
  writeFile(cli_.home() / "manifests/b.yaml", api::testing::machineYaml("m-b"), 0644);
  writeFile(cli_.home() / "manifests/a.json", api::testing::machineJson("m-a"), 0644);
  writeFile(cli_.home() / "manifests/notes.txt", "not a manifest", 0644);
  auto r = run({"apply", "-f", (cli_.home() / "manifests").string()});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, "maasmachine/m-a created\nmaasmachine/m-b created\n");
}

TEST_F(CliServer, InvalidManifestIsRefusedWithItsFieldPathAndNothingIsApplied) {
  const std::string file = (cli_.home() / "bad.yaml").string();
  writeFile(file,
            api::testing::machineYaml("good") + "---\n" +
                api::testing::machineYaml("bad", "default", "", "  tags: [a, a]\n"),
            0644);
  auto r = run({"apply", "-f", file});
  EXPECT_EQ(r.exitCode, 1) << r.all();
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, file + ": maasmachine/bad: spec.tags[1]:")) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(run({"get", "mm", "good"}).exitCode, 1);  // nothing was applied

  writeFile(file,
            "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\n"
            "metadata: {name: x}\nspec: {minCPU: two}\n",
            0644);
  r = run({"apply", "-f", file});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "error: " + file + ": document 1: spec.minCPU: expected integer, got string\n");
}

TEST_F(CliServer, ServerSideRefusalNamesTheObjectAndTheField) {
  std::string yaml = api::testing::machineYaml("m1");
  ASSERT_EQ(run({"apply", "-f", "-"}, yaml).exitCode, 0);
  yaml.replace(yaml.find("ubuntu/jammy"), 12, "ubuntu/noble");
  auto r = run({"apply", "-f", "-"}, yaml);
  EXPECT_EQ(r.exitCode, 1) << r.all();
  EXPECT_EQ(r.err, "error: maasmachine/m1: spec.image: field is immutable once set\n");
}

TEST_F(CliServer, GetPrintsTheTableAUserWants) {
  applyExamples();
  setStatus("demo-control-plane-a", kReadyStatus);
  setStatus("demo-worker-1", R"({"systemID":"xyz789","machineState":"Deploying",
    "conditions":[{"type":"Ready","status":"False","reason":"Provisioning"}]})");
  auto r = run({"get", "maasmachines"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 6u) << r.out;
  EXPECT_TRUE(fullMatch(rows[0], ("NAME +CLUSTER +MODE +PHASE +HOST +ZONE +AGE"))) << rows[0];
  EXPECT_TRUE(
      fullMatch(rows[1], ("demo-control-plane-a +demo +lxd +Ready +cp-a-vm +zone-a +[0-9]+s")))
      << rows[1];
  EXPECT_TRUE(fullMatch(rows[2], ("demo-control-plane-b +demo +lxd +Pending +- +zone-b +[0-9]+s")))
      << rows[2];
  EXPECT_TRUE(
      fullMatch(rows[4], ("demo-worker-1 +demo +bare-metal +Provisioning +xyz789 +- +[0-9]+s")))
      << rows[4];

  r = run({"get", "mm", "-o", "wide"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  rows = lines(r.out);
  EXPECT_TRUE(contains(rows[0], "SYSTEM-ID") && contains(rows[0], "VM-HOST")) << rows[0];
  EXPECT_TRUE(search(rows[1], ("abc123 +Deployed +10\\.0\\.0\\.11 +lxd-a +2 +4096M"))) << rows[1];

  r = run({"get", "mm", "-l", "cluster.x-k8s.io/control-plane", "-A"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  rows = lines(r.out);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  EXPECT_EQ(rows[0].rfind("NAMESPACE", 0), 0u);
  EXPECT_EQ(rows[1].rfind("default", 0), 0u);

  r = run({"get", "mc"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, ("demo +false +- +maas +zone-a,zone-b,zone-c"))) << r.out;

  r = run({"get", "mm", "-n", "other"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No maasmachines found in namespace other.\n");
}

TEST_F(CliServer, JsonAndYamlOutputRoundTripThroughApply) {
  applyExamples();
  auto r = run({"get", "mm", "-o", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto list = parseObject(r.out);
  EXPECT_EQ(list->getValue<std::string>("kind"), "List");
  EXPECT_EQ(list->getArray("items")->size(), 5u);

  r = run({"get", "mm", "demo-worker-2", "-o", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto one = parseObject(r.out);
  EXPECT_EQ(one->getValue<std::string>("kind"), "MaasMachine");
  EXPECT_EQ(one->getObject("spec")->getValue<int>("minCPU"), 4);

  r = run({"get", "mc", "demo", "-o", "yaml"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "kind: MaasCluster\n")) << r.out;
  auto again = run({"apply", "-f", "-"}, r.out);
  EXPECT_EQ(again.exitCode, 0) << again.all();
  EXPECT_EQ(again.out, "maascluster/demo unchanged\n");

  r = run({"get", "mm", "-o", "yaml"});
  again = run({"apply", "-f", "-"}, r.out);
  EXPECT_EQ(again.exitCode, 0) << again.all();
  EXPECT_EQ(lines(again.out).size(), 5u);
  for (const auto& line : lines(again.out)) EXPECT_TRUE(contains(line, " unchanged")) << line;
}

TEST_F(CliServer, SecretsAreListedButTheirValuesNeverPrinted) {
  applyExamples();
  const std::string value = "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6CiAgLSBlY2hvICdjb250cm9s";
  for (const auto& format : {"table", "wide", "json", "yaml"}) {
    auto r = run({"get", "secrets", "-o", format});
    ASSERT_EQ(r.exitCode, 0) << r.all();
    EXPECT_TRUE(contains(r.out, "demo-worker-bootstrap")) << r.out;
    EXPECT_FALSE(contains(r.out, value)) << format;
  }
  auto r = run({"get", "secret", "demo-worker-bootstrap"});
  EXPECT_TRUE(search(r.out, ("demo-worker-bootstrap +cluster.x-k8s.io/secret +1"))) << r.out;
  r = run({"describe", "secret", "demo-worker-bootstrap"});
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_FALSE(contains(r.out, value));
  EXPECT_TRUE(contains(r.out, "  value\n")) << r.out;
}

TEST_F(CliServer, DescribeShowsSpecStatusAndConditionsWithReasons) {
  applyExamples();
  setStatus("demo-control-plane-a", kReadyStatus);
  setStatus("demo-worker-1", R"({"conditions":[{"type":"Ready","status":"False",
    "severity":"Info","reason":"WaitingForBootstrapData","message":"Secret not found",
    "lastTransitionTime":"2024-05-01T12:00:00Z"}]})");
  auto r = run({"describe", "mm", "demo-control-plane-a"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, ("Mode: +lxd"))) << r.out;
  EXPECT_TRUE(search(r.out, ("LXD storage: +20G"))) << r.out;
  EXPECT_TRUE(search(r.out, ("User data: +from Secret demo-control-plane-bootstrap")));
  EXPECT_TRUE(search(r.out, ("Phase: +Ready"))) << r.out;
  EXPECT_TRUE(search(r.out, ("Addresses: +10\\.0\\.0\\.11 \\(InternalIP\\)")));
  EXPECT_TRUE(search(r.out, ("VM host: +lxd-a")));

  r = run({"describe", "maasmachine", "demo-worker-1"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(
      r.out, ("Ready +False +Info +WaitingForBootstrapData +[0-9]+[smhdy] +Secret not found")))
      << r.out;

  r = run({"describe", "mc", "demo"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_TRUE(search(r.out, ("DNS domain: +maas")));
  EXPECT_TRUE(search(r.out, ("Failure domains: +zone-a, zone-b, zone-c")));
}

TEST_F(CliServer, NotFoundIsOneLineAndExitOne) {
  for (const auto& cmd : {"get", "describe"}) {
    auto r = run({cmd, "mm", "nope"});
    EXPECT_EQ(r.exitCode, 1) << r.all();
    EXPECT_EQ(r.err, "error: MaasMachine default/nope not found\n");
    EXPECT_EQ(r.out, "");
  }
  auto r = run({"delete", "mm", "nope"});
  EXPECT_EQ(r.exitCode, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "MaasMachine default/nope not found")) << r.err;
  r = run({"delete", "mm", "nope", "--ignore-not-found"});
  EXPECT_EQ(r.exitCode, 0) << r.all();
  r = run({"wait", "mm", "nope", "--for=condition=Ready", "--timeout=2s"});
  EXPECT_EQ(r.exitCode, 1) << r.all();
  EXPECT_EQ(r.err, "error: MaasMachine default/nope not found\n");
}

TEST_F(CliServer, DeleteRemovesAtOnceOrMarksAndWaitsForTheFinalizers) {
  applyExamples();
  auto r = run({"delete", "mm", "demo-worker-2"});
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, "maasmachine/demo-worker-2 deleted\n");
  EXPECT_EQ(run({"get", "mm", "demo-worker-2"}).exitCode, 1);

  addFinalizer("demo-worker-1");
  r = run({"delete", "mm", "demo-worker-1"});
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, "maasmachine/demo-worker-1 marked for deletion\n");
  r = run({"get", "mm", "demo-worker-1"});
  EXPECT_TRUE(search(r.out, ("demo-worker-1 +demo +bare-metal +Deleting"))) << r.out;

  // The "controller" releases it a little later; delete --wait sees it go.
  addFinalizer("demo-control-plane-a");
  std::thread controller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    removeFinalizers("demo-control-plane-a");
  });
  r = run({"delete", "mm", "demo-control-plane-a", "--wait", "--timeout=20s"});
  controller.join();
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, "maasmachine/demo-control-plane-a deleted\n");
  EXPECT_TRUE(contains(r.err, "maasmachine/demo-control-plane-a: Deleting")) << r.err;

  // Still held by its finalizer: --wait runs out of time, naming it.
  r = run({"delete", "mm", "demo-worker-1", "--wait", "--timeout=1s"});
  EXPECT_EQ(r.exitCode, 5) << r.all();
  EXPECT_TRUE(contains(r.err,
                       "timed out after 1s waiting for deletion: 1 of 1 maasmachines still "
                       "pending: maasmachine/demo-worker-1 is Deleting"))
      << r.err;

  r = run({"delete", "-f", kExamples});
  EXPECT_EQ(r.exitCode, 1) << r.all();  // two machines are already gone
  EXPECT_TRUE(contains(r.out, "maascluster/demo deleted")) << r.out;
  EXPECT_TRUE(contains(r.out, "secret/demo-worker-bootstrap deleted")) << r.out;
  EXPECT_TRUE(contains(r.err, "2 of 8 objects not found")) << r.err;
}

TEST_F(CliServer, WaitReturnsOnceEveryMachineIsReadyAndNamesThePendingOnTimeout) {
  applyExamples();
  setStatus("demo-worker-1", R"({"systemID":"w1","machineState":"Deploying"})");
  auto r = run({"wait", "mm", "-l", "!cluster.x-k8s.io/control-plane", "--for=condition=Ready",
                "--timeout=1500ms"});
  EXPECT_EQ(r.exitCode, 5) << r.all();
  EXPECT_TRUE(contains(r.err,
                       "2 of 2 maasmachines still pending: maasmachine/demo-worker-1 is "
                       "Provisioning (MAAS: Deploying); maasmachine/demo-worker-2 is "
                       "Pending"))
      << r.err;

  std::thread controller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    setStatus("demo-worker-1", kReadyStatus);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    setStatus("demo-worker-2", kReadyStatus);
  });
  r = run(
      {"wait", "mm", "demo-worker-1", "demo-worker-2", "--for=condition=Ready", "--timeout=20s"});
  controller.join();
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out,
            "maasmachine/demo-worker-1 condition met\nmaasmachine/demo-worker-2 condition met\n");
  // Not a terminal: plain progress lines, one per change.
  EXPECT_TRUE(contains(r.err, "waiting for 2 maasmachines (condition=Ready)\n")) << r.err;
  EXPECT_TRUE(search(r.err, ("\\] maasmachine/demo-worker-1: Ready\n"))) << r.err;
  EXPECT_FALSE(contains(r.err, "\r"));

  r = run({"wait", "mm", "-l", "team=none", "--for=condition=Ready"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "error: no maasmachines found in namespace default matching team=none\n");
}

TEST_F(CliServer, WaitForDeleteDeleteBySelectorAndNamespaceRules) {
  applyExamples();
  addFinalizer("demo-worker-1");
  ASSERT_EQ(run({"delete", "mm", "demo-worker-1"}).exitCode, 0);
  std::thread controller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    removeFinalizers("demo-worker-1");
  });
  auto r = run({"wait", "mm", "demo-worker-1", "--for=delete", "--timeout=20s"});
  controller.join();
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, "maasmachine/demo-worker-1 deleted\n");

  r = run({"delete", "mm", "-l", "cluster.x-k8s.io/control-plane"});
  EXPECT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(lines(r.out).size(), 3u) << r.out;
  r = run({"get", "mm", "-o", "json"});
  EXPECT_EQ(parseObject(r.out)->getArray("items")->size(), 1u) << r.out;  // demo-worker-2

  // Objects without a namespace go to -n; one naming another namespace than -n is refused.
  r = run({"apply", "-n", "team-a", "-f", "-"}, api::testing::machineJson("m1", "team-a"));
  EXPECT_EQ(r.exitCode, 0) << r.all();
  r = run({"get", "mm", "m1", "-n", "team-a", "-o", "json"});
  EXPECT_EQ(parseObject(r.out)->getObject("metadata")->getValue<std::string>("namespace"),
            "team-a");
  r = run({"apply", "-n", "team-b", "-f", "-"}, api::testing::machineJson("m1", "team-a"));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err,
            "error: -: maasmachine/m1 is in namespace 'team-a', not in 'team-b' given with -n\n");
  r = run({"get", "mm", "-A"});
  EXPECT_TRUE(search(r.out, "team-a +m1 +")) << r.out;
}

// Bash completion offers object names read from the server.
TEST_F(CliServer, BashCompletionOffersObjectNamesFromTheServer) {
  applyExamples();
  auto script = run({"completion", "bash"});
  ASSERT_EQ(script.exitCode, 0);
  writeFile(cli_.home() / "completion.bash", script.out, 0644);
  writeFile(cli_.home() / "complete.sh",
            "source '" + (cli_.home() / "completion.bash").string() +
                "'\nCOMP_WORDS=(maasprov describe mm demo-w); COMP_CWORD=3; _maasprov; "
                "echo \"${COMPREPLY[*]}\"\n",
            0644);
  const std::string binDir = std::filesystem::path(MAASPROV_BINARY).parent_path().string();
  const std::string command = "HOME='" + cli_.home().string() + "' PATH='" + binDir +
                              ":/usr/bin:/bin' MAASPROV_SERVER='" + server() +
                              "' MAASPROV_TOKEN_FILE='" + (cli_.home() / "token").string() +
                              "' bash '" + (cli_.home() / "complete.sh").string() + "' 2>&1";
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  EXPECT_EQ(::pclose(p), 0) << out;
  EXPECT_EQ(out, "demo-worker-1 demo-worker-2\n");
}

TEST_F(CliServer, AuthenticationFailuresExitFour) {
  cli_.setEnv("MAASPROV_TOKEN_FILE", "");
  auto r = run({"get", "mm"});
  EXPECT_EQ(r.exitCode, 4) << r.all();
  EXPECT_EQ(lines(r.err).size(), 1u);
  EXPECT_TRUE(contains(r.err, "error: authentication failed: no API token configured")) << r.err;

  r = run({"get", "mm", "--token", "wrong-token"});
  EXPECT_EQ(r.exitCode, 4) << r.all();
  EXPECT_EQ(r.err, "error: authentication failed: maasprovd at " + server() +
                       " does not accept the token from --token\n");
  EXPECT_FALSE(contains(r.err, "wrong-token"));
}

TEST_F(CliServer, UnreachableServerExitsThree) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(closedPort());
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"get", "mm", "--server", dead},
           {"apply", "-f", kExamples, "--server", dead},
           {"plugins", "--server", dead},
           {"wait", "mm", "--for=condition=Ready", "--server", dead}}) {
    auto r = run(args);
    EXPECT_EQ(r.exitCode, 3) << r.all();
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "error: cannot reach maasprovd at " + dead + ": ")) << r.err;
  }
}

TEST_F(CliServer, FlagsBeatEnvironmentWhichBeatsTheConfigFile) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(closedPort());
  const auto config = cli_.home() / ".config/maasprov/config";
  writeFile(cli_.home() / "wrong", "wrong-token\n");

  // Config file alone (server and token from it).
  cli_.setEnv("MAASPROV_SERVER", "");
  cli_.setEnv("MAASPROV_TOKEN_FILE", "");
  writeFile(config,
            "server = " + server() + "\ntoken_file = " + (cli_.home() / "token").string() + "\n");
  EXPECT_EQ(run({"get", "mm"}).exitCode, 0);

  // The environment beats the file; the flag beats the environment.
  cli_.setEnv("MAASPROV_SERVER", dead);
  EXPECT_EQ(run({"get", "mm"}).exitCode, 3);
  EXPECT_EQ(run({"get", "mm", "--server", server()}).exitCode, 0);
  cli_.setEnv("MAASPROV_SERVER", "");
  cli_.setEnv("MAASPROV_TOKEN", "wrong-token");
  EXPECT_EQ(run({"get", "mm"}).exitCode, 4);
  EXPECT_EQ(run({"get", "mm", "--token-file", (cli_.home() / "token").string()}).exitCode, 0);
  cli_.setEnv("MAASPROV_TOKEN", "");
  writeFile(config, "server = " + server() + "\ntoken = wrong-token\n");
  EXPECT_EQ(run({"get", "mm"}).exitCode, 4);
  cli_.setEnv("MAASPROV_TOKEN", kToken);
  EXPECT_EQ(run({"get", "mm"}).exitCode, 0);
  EXPECT_EQ(run({"get", "mm", "--token-file", (cli_.home() / "wrong").string()}).exitCode, 4);

  // XDG_CONFIG_HOME moves the file.
  cli_.setEnv("MAASPROV_TOKEN", "");
  cli_.setEnv("XDG_CONFIG_HOME", (cli_.home() / "xdg").string());
  writeFile(cli_.home() / "xdg/maasprov/config",
            "server = " + server() + "\ntoken = " + kToken + "\n");
  EXPECT_EQ(run({"get", "mm"}).exitCode, 0);

  // A typo in the file is one line naming it; so is a missing token file.
  writeFile(cli_.home() / "xdg/maasprov/config", "sever = " + server() + "\n");
  auto r = run({"get", "mm"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err, "error: " + (cli_.home() / "xdg/maasprov/config").string() +
                       ": unknown key 'sever' (expected server, token or token_file)\n");
  std::filesystem::remove(cli_.home() / "xdg/maasprov/config");
  r = run({"get", "mm", "--token-file", "/nonexistent/token"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err, "error: --token-file: token file /nonexistent/token does not exist\n");
}

}  // namespace
}  // namespace maasprov::cli::testing
