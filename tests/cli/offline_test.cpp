// maasprov commands that need no server: validate (the resource model's exact messages for
// every invalid example), version, completion, usage errors and config-file errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli_runner.hpp"

namespace maasprov::cli::testing {
namespace {

const std::filesystem::path kSource = MAASPROV_SOURCE_DIR;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliOffline : public ::testing::Test {
 protected:
  CliRunner cli_;
};

TEST_F(CliOffline, ValidateAcceptsTheExamples) {
  auto r = cli_.run({"validate", "-f", (kSource / "examples/cluster.yaml").string()});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 8u) << r.out;
  EXPECT_EQ(out[0], (kSource / "examples/cluster.yaml").string() + ": maascluster/demo valid");
  EXPECT_EQ(out[7],
            (kSource / "examples/cluster.yaml").string() + ": maasmachine/demo-worker-2 valid");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliOffline, ValidateOfADirectorySkipsFilesThatAreNotManifests) {
  auto r = cli_.run({"validate", "-f", (kSource / "examples").string()});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(lines(r.out).size(), 8u) << r.out;
  EXPECT_EQ(r.err, "skipping " + (kSource / "examples/maas-inventory.yaml").string() +
                       ": not a manifest (no kind)\n");
  // Named explicitly, it is an error.
  r = cli_.run({"validate", "-f", (kSource / "examples/maas-inventory.yaml").string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "error: " + (kSource / "examples/maas-inventory.yaml").string() +
                       ": document 1: kind: required\n");
}

// Every file in tests/model/invalid/ states its errors in `# expect:` lines; the CLI must print
// each of them, exactly, and exit 1.
TEST_F(CliOffline, ValidateGivesTheModelsExactMessages) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(kSource / "tests/model/invalid")) {
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 10u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    auto r = cli_.run({"validate", "-f", file.string()});
    EXPECT_EQ(r.exitCode, 1) << r.all();
    std::vector<std::string> expected;
    for (const auto& line : lines(readFile(file))) {
      if (line.rfind("# expect: ", 0) == 0) expected.push_back(line.substr(10));
    }
    ASSERT_FALSE(expected.empty());
    auto errLines = lines(r.err);
    for (const auto& want : expected) {
      // Decode errors carry the file (and document); validation findings the file and object.
      bool found = std::any_of(errLines.begin(), errLines.end(), [&](const std::string& line) {
        return line.size() >= want.size() &&
               line.compare(line.size() - want.size(), want.size(), want) == 0 &&
               contains(line, file.string() + ": ");
      });
      EXPECT_TRUE(found) << "missing '" << want << "' in:\n" << r.err;
    }
  }
}

TEST_F(CliOffline, ValidateReadsJsonFromStandardInput) {
  auto r = cli_.run({"validate", "-f", "-"},
                    R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",
                        "metadata":{"name":"m1"},"spec":{"minCPU":-1,"minMemory":1024,
                        "image":"ubuntu/jammy"}})");
  EXPECT_EQ(r.exitCode, 1) << r.all();
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 2u) << r.err;
  EXPECT_TRUE(contains(err[0], "-: maasmachine/m1: spec.minCPU: ")) << err[0];
  EXPECT_EQ(err[1], "error: 1 problem in 1 of 1 objects");

  r = cli_.run({"validate", "-f", "/nonexistent.yaml"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "error: /nonexistent.yaml: no such file or directory\n");
  r = cli_.run({"validate"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err, "error: -f/--filename is required (a file, a directory or -)\n");
}

TEST_F(CliOffline, VersionIsTheProjectVersion) {
  auto r = cli_.run({"version"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, std::string("maasprov ") + MAASPROV_VERSION + "\n");
}

TEST_F(CliOffline, BashCompletionIsThePackagedScriptAndLoads) {
  auto r = cli_.run({"completion", "bash"});
  ASSERT_EQ(r.exitCode, 0) << r.all();
  EXPECT_EQ(r.out, readFile(kSource / "packaging/completion/maasprov.bash"));
  // bash itself accepts it and registers the function; completing "maasprov g" offers "get".
  writeFile(cli_.home() / "completion.bash", r.out, 0644);
  writeFile(
      cli_.home() / "complete.sh",
      "source '" + (cli_.home() / "completion.bash").string() +
          "'\n"
          "complete -p maasprov\n"
          "COMP_WORDS=(maasprov g); COMP_CWORD=1; _maasprov; echo \"${COMPREPLY[*]}\"\n"
          "COMP_WORDS=(maasprov get m); COMP_CWORD=2; _maasprov; echo \"${COMPREPLY[*]}\"\n"
          "COMP_WORDS=(maasprov get mm -o ''); COMP_CWORD=4; _maasprov; echo \"${COMPREPLY[*]}\"\n",
      0644);
  std::string out;
  FILE* p = ::popen(("bash '" + (cli_.home() / "complete.sh").string() + "' 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  EXPECT_EQ(::pclose(p), 0) << out;
  auto got = lines(out);
  ASSERT_EQ(got.size(), 4u) << out;
  EXPECT_EQ(got[0], "complete -F _maasprov maasprov");
  EXPECT_EQ(got[1], "get");
  EXPECT_EQ(got[2], "maasmachines maasclusters mm mc");
  EXPECT_EQ(got[3], "table wide json yaml");
}

TEST_F(CliOffline, UsageErrorsAreOneLineAndExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"frobnicate"},
       "error: unknown command 'frobnicate' (run 'maasprov --help' for the list)\n"},
      {{"get", "widgets"},
       "error: unknown resource type 'widgets': expected maasmachines (mm), maasclusters (mc) or "
       "secrets\n"},
      {{"get", "mm", "-o", "xml"},
       "error: -o/--output: expected table, wide, json or yaml, got 'xml'\n"},
      {{"get", "mm", "--frob"},
       "error: get: Unknown option specified: frob (see 'maasprov get --help')\n"},
      {{"wait", "mm"}, "error: wait: --for=condition=Ready (or --for=delete) is required\n"},
      {{"wait", "mm", "--for=ready"},
       "error: --for: expected condition=TYPE[=True|False|Unknown] or delete, got 'ready'\n"},
      {{"wait", "mm", "--for=condition=Ready", "--timeout=soon"},
       "error: --timeout: expected a positive duration such as 30s, 5m or 1h, got 'soon'\n"},
      {{"get", "mm", "--server", "https://127.0.0.1:5241"},
       "error: --server: only http:// is supported (maasprovd serves plain HTTP on loopback), got "
       "'https://127.0.0.1:5241'\n"},
      {{"get", "mm", "--token", "a", "--token-file", "b"},
       "error: give either --token or --token-file, not both\n"},
      {{}, ""},
  };
  for (const auto& c : cases) {
    auto r = cli_.run(c.args);
    EXPECT_EQ(r.exitCode, 2) << r.all();
    if (!c.err.empty()) {
      EXPECT_EQ(r.err, c.err);
    } else {
      EXPECT_TRUE(contains(r.err, "Usage: maasprov COMMAND")) << r.err;
    }
    EXPECT_EQ(r.out, "");
  }
  auto r = cli_.run({"get", "--help"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_TRUE(contains(r.out, "--output=FORMAT")) << r.out;
  r = cli_.run({"help", "wait"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_TRUE(contains(r.out, "--for=GOAL")) << r.out;
}

}  // namespace
}  // namespace maasprov::cli::testing
