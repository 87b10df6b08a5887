// maasprov-plugin-check run as a user runs it, on real plugin files: verdict lines, summary and
// exit status, including a plugin that crashes the process.
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

struct CheckRun {
  int exitCode = -1;
  std::string output;
  bool has(const std::string& text) const { return output.find(text) != std::string::npos; }
};

CheckRun check(std::vector<std::string> args) {
  Poco::Pipe out;
  Poco::ProcessHandle handle =
      Poco::Process::launch(MAASPROV_PLUGIN_CHECK, args, nullptr, &out, &out);
  Poco::PipeInputStream in(out);
  CheckRun run;
  Poco::StreamCopier::copyToString(in, run.output);
  run.exitCode = handle.wait();
  return run;
}

TEST(CheckKit, GoodPluginPassesWithoutMaasAndSaysWhatItSkipped) {
  CheckRun r = check({test::fixture("fixture_good").string()});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  for (auto line :
       {"PASS    negotiation", "PASS    descriptor", "PASS    create-destroy",
        "PASS    reconcile-invalid", "PASS    maas-failures", "PASS    exception-safety",
        "PASS    concurrency", "SKIP    reconcile-valid       needs a MAAS", "SKIP    idempotence",
        "SKIP    remove-after-partial", "SKIP    checkpoint-failure"}) {
    EXPECT_TRUE(r.has(line)) << line << "\n" << r.output;
  }
  EXPECT_TRUE(r.has("MAAS: none given")) << r.output;
  EXPECT_TRUE(r.has("summary: 7 passed, 0 failed, 0 crashed, 0 timed out, 4 skipped")) << r.output;
}

TEST(CheckKit, CrashingPluginIsReportedNotFatal) {
  CheckRun r = check({test::fixture("fixture_crashing").string()});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_TRUE(r.has("PASS    negotiation")) << r.output;  // later scenarios still ran
  EXPECT_TRUE(r.has("CRASH   reconcile-invalid     the plugin crashed the process: signal 11"))
      << r.output;
  EXPECT_TRUE(r.has("summary:")) << r.output;
}

TEST(CheckKit, ThrowingPluginFailsReconcileInvalid) {
  CheckRun r = check({test::fixture("fixture_throwing").string(), "--only", "reconcile-invalid"});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_TRUE(
      r.has("FAIL    reconcile-invalid     an invalid spec must be InvalidSpec and "
            "terminal, got Internal (retryable): unexpected exception: boom"))
      << r.output;
  EXPECT_TRUE(r.has("summary: 0 passed, 1 failed")) << r.output;
}

TEST(CheckKit, MalformedPluginIsCaughtByTheHost) {
  CheckRun r = check({test::fixture("fixture_malformed").string(), "--only", "maas-failures"});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_TRUE(r.has("returned an invalid result: malformed JSON")) << r.output;
}

TEST(CheckKit, UnloadablePluginFailsTheFirstScenarios) {
  CheckRun r = check({test::fixture("fixture_null_descriptor").string(), "--only", "negotiation"});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_TRUE(r.has("FAIL    negotiation")) << r.output;
  EXPECT_TRUE(r.has("NULL descriptor")) << r.output;
}

TEST(CheckKit, BadUsageIsExplained) {
  CheckRun none = check({});
  EXPECT_EQ(none.exitCode, 64) << none.output;
  EXPECT_TRUE(none.has("expected exactly one PLUGIN.so argument")) << none.output;
  CheckRun unknown = check({test::fixture("fixture_good").string(), "--only", "nonsense"});
  EXPECT_EQ(unknown.exitCode, 64);
  EXPECT_TRUE(unknown.has("--only: unknown scenario \"nonsense\"")) << unknown.output;
  CheckRun noKey =
      check({test::fixture("fixture_good").string(), "--maas-url", "http://127.0.0.1:1"});
  EXPECT_EQ(noKey.exitCode, 64);
  EXPECT_TRUE(noKey.has("--maas-key is required with --maas-url")) << noKey.output;
}

}  // namespace
}  // namespace maasprov::plugin
