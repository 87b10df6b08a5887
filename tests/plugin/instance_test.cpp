// PluginInstance calling real plugins: results, errors, checkpoints, MAAS forwarding, malformed
// answers, timeouts and cancellation.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <thread>

#include "framework/plugin/plugin_instance.hpp"
#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

using test::fixture;
using test::kMachineRequest;

struct Loaded {
  std::shared_ptr<test::RecordingMaas> maas = std::make_shared<test::RecordingMaas>();
  std::shared_ptr<PluginInstance> instance;
  explicit Loaded(const std::string& name, const std::string& config = "{}") {
    auto env = std::make_shared<HostEnvironment>();
    env->transport = maas.get();
    instance = PluginInstance::create(PluginLibrary::load(fixture(name)), env, config);
  }
};

TEST(Instance, ReconcileForwardsTheMaasCallAndReturnsStatus) {
  Loaded p("fixture_good");
  p.maas->response.status = 200;
  p.maas->response.headers = {{"Content-Type", "application/json"}};
  p.maas->response.body = R"({"system_id": "x7k2p"})";
  std::vector<std::string> checkpoints;
  CallOptions options;
  options.objectKey = "ns/m0";
  options.checkpoint = [&](const Poco::JSON::Object::Ptr& status) {
    checkpoints.push_back(status->getValue<std::string>("systemID"));
  };

  CallOutcome out = p.instance->reconcile(kMachineRequest, options);

  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.status->getValue<std::string>("systemID"), "x7k2p");
  EXPECT_EQ(out.status->getValue<std::string>("contentType"), "application/json");
  EXPECT_TRUE(out.status->getValue<bool>("userDataSeen"));
  EXPECT_EQ(out.status->getValue<int>("peerCount"), 1);
  ASSERT_TRUE(out.requeueAfter.has_value());
  EXPECT_EQ(out.requeueAfter->count(), 5);
  EXPECT_EQ(checkpoints, std::vector<std::string>{"x7k2p"});
  EXPECT_EQ(out.checkpoints, 1u);

  auto requests = p.maas->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "machines/");
  EXPECT_EQ(requests[0].op, "allocate");
  EXPECT_FALSE(requests[0].idempotent);  // allocate must never be blindly retried
  maas::Params expected = {
      {"cpu_count", "2"}, {"agent_name", "uid-0"}, {"tags", "a"}, {"tags", "b"}};
  EXPECT_EQ(requests[0].params, expected);
  ASSERT_EQ(out.maasCalls.size(), 1u);
  EXPECT_EQ(out.maasCalls[0].status, 200);
}

TEST(Instance, RefusedCheckpointStopsThePluginWithARetryableError) {
  Loaded p("fixture_good");
  p.maas->response = {200, {}, R"({"system_id": "x7k2p"})"};
  CallOptions options;
  options.checkpoint = [](const Poco::JSON::Object::Ptr&) {
    throw std::runtime_error("disk full");
  };
  CallOutcome out = p.instance->reconcile(kMachineRequest, options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Transient);
  EXPECT_TRUE(out.error->retryable);
  EXPECT_NE(out.error->message.find("could not store the checkpoint"), std::string::npos);
  EXPECT_EQ(out.checkpoints, 0u);
}

TEST(Instance, NoCheckpointCallbackMeansCheckpointsAreRefused) {
  Loaded p("fixture_good");
  p.maas->response = {200, {}, R"({"system_id": "x7k2p"})"};
  CallOutcome out = p.instance->reconcile(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error->message.find("code 9"), std::string::npos) << out.error->message;
}

TEST(Instance, TransportFailureBecomesATransientError) {
  Loaded p("fixture_good");
  p.maas->failTransport = true;
  CallOutcome out = p.instance->reconcile(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Transient);
  EXPECT_NE(out.error->message.find("MAAS unreachable for POST machines/?op=allocate"),
            std::string::npos)
      << out.error->message;
  ASSERT_EQ(out.maasCalls.size(), 1u);
  EXPECT_EQ(out.maasCalls[0].status, MaasCallRecord::kTransportFailed);
}

TEST(Instance, NoTransportConfiguredIsATransportError) {
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_good")),
                                         std::make_shared<HostEnvironment>());
  CallOutcome out = instance->reconcile(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error->message.find("no MAAS API is configured"), std::string::npos)
      << out.error->message;
}

TEST(Instance, InvalidSpecIsTerminal) {
  Loaded p("fixture_good");
  CallOutcome out = p.instance->reconcile(
      R"({"object": {"metadata": {"name": "m"}, "spec": {"minCPU": "many"}}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::InvalidSpec);
  EXPECT_FALSE(out.error->retryable);
  EXPECT_EQ(out.error->message, "spec.minCPU: expected an integer of at least 1");
  EXPECT_TRUE(p.maas->requests().empty());
}

TEST(Instance, RequestThatIsNotJsonIsAnInternalError) {
  Loaded p("fixture_good");
  CallOutcome out = p.instance->reconcile("{\"object\": ");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Internal);
  EXPECT_NE(out.error->message.find("not JSON"), std::string::npos) << out.error->message;
}

TEST(Instance, ThrownStdExceptionBecomesInternalAtTheBoundary) {
  Loaded p("fixture_throwing");
  CallOutcome out = p.instance->reconcile(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Internal);
  EXPECT_EQ(out.error->message, "unexpected exception: boom in reconcile");
  EXPECT_TRUE(out.error->retryable);
}

TEST(Instance, ThrownPluginErrorKeepsTypeHostDelayAndStatus) {
  Loaded p("fixture_throwing");
  CallOutcome out = p.instance->reconcile(
      R"({"object": {"metadata": {"name": "m"}, "spec": {"throwPluginError": true}}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::InsufficientResources);
  EXPECT_EQ(out.error->message, "host lxd-3 lacks 2 cores");
  EXPECT_EQ(out.error->host, "lxd-3");
  EXPECT_TRUE(out.error->retryable);
  EXPECT_EQ(out.error->requeueAfter, std::chrono::seconds(45));
  ASSERT_TRUE(out.status);
  EXPECT_EQ(out.status->getValue<std::string>("lxdHost"), "lxd-3");
}

TEST(Instance, MalformedResultJsonIsAClearError) {
  Loaded p("fixture_malformed");
  CallOutcome out = p.instance->reconcile(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Internal);
  EXPECT_NE(out.error->message.find("plugin 'fixture' reconcile returned an invalid result: "
                                    "malformed JSON"),
            std::string::npos)
      << out.error->message;
  EXPECT_FALSE(out.status);  // nothing half-parsed reaches the caller
}

TEST(Instance, WrongResultShapeIsAClearError) {
  Loaded p("fixture_malformed");
  CallOutcome out = p.instance->remove(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error->message.find("\"done\" is not a boolean"), std::string::npos)
      << out.error->message;
  EXPECT_FALSE(out.done);
}

TEST(Instance, UnknownReturnCodeIsAClearError) {
  Loaded p("fixture_malformed_code");
  CallOutcome out = p.instance->remove(kMachineRequest);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error->message.find("returned unexpected code 42"), std::string::npos)
      << out.error->message;
}

TEST(Instance, RemoveReportsDone) {
  Loaded p("fixture_good");
  CallOutcome out = p.instance->remove(kMachineRequest);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.done);
  EXPECT_TRUE(out.status->isNull("systemID"));
}

TEST(Instance, DescribeReturnsThePluginsDocumentWithItsConfig) {
  Loaded p("fixture_good", R"({"zone": "az1"})");
  CallOutcome out = p.instance->describe();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.document->getValue<std::string>("name"), "good");
  EXPECT_EQ(out.document->getObject("config")->getValue<std::string>("zone"), "az1");
}

TEST(Instance, CreateFailureNamesFileAndReason) {
  try {
    PluginInstance::create(PluginLibrary::load(fixture("fixture_create_fails")), nullptr);
    FAIL() << "create should have failed";
  } catch (const PluginLoadError& e) {
    EXPECT_EQ(e.file(), fixture("fixture_create_fails").string());
    EXPECT_EQ(e.reason(),
              "plugin 'create-fails' refused to start: InvalidSpec: plugin configuration: "
              "\"zone\" is required");
  }
}

TEST(Instance, NonObjectConfigIsRefusedByTheSdk) {
  EXPECT_THROW(
      PluginInstance::create(PluginLibrary::load(fixture("fixture_good")), nullptr, "[1, 2]"),
      PluginLoadError);
}

TEST(Instance, TimeoutAbandonsAStuckCall) {
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_stuck")), nullptr);
  CallOptions options;
  options.timeout = std::chrono::milliseconds(100);
  auto start = std::chrono::steady_clock::now();
  CallOutcome out = instance->reconcile(kMachineRequest, options);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(out.timedOut);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->type, ErrorType::Transient);
  EXPECT_NE(out.error->message.find("did not return from reconcile within 100 ms"),
            std::string::npos)
      << out.error->message;
  EXPECT_LT(took, std::chrono::seconds(1));  // the plugin itself sleeps 2 s
}

TEST(Instance, DeadlineStopsACooperativePluginThroughCancelled) {
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_hanging")), nullptr);
  CallOptions options;
  options.timeout = std::chrono::milliseconds(100);
  CallOutcome out = instance->reconcile(kMachineRequest, options);
  // Either the plugin noticed the deadline and returned, or the host abandoned it; never a hang.
  if (out.ok()) {
    EXPECT_TRUE(out.status->getValue<bool>("stoppedOnCancel"));
  } else {
    EXPECT_TRUE(out.timedOut);
  }
}

TEST(Instance, ExternalCancelFlagStopsACooperativePlugin) {
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_hanging")), nullptr);
  CallOptions options;
  options.cancel = std::make_shared<std::atomic<bool>>(false);
  std::thread stopper([flag = options.cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    flag->store(true);
  });
  CallOutcome out = instance->reconcile(kMachineRequest, options);
  stopper.join();
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.status->getValue<bool>("stoppedOnCancel"));
}

TEST(Instance, CancelFlagEndsATimedCallBeforeItsTimeout) {
  // The plugin sleeps 2 s without asking whether it should stop; the timeout is far away.
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_stuck")), nullptr);
  CallOptions options;
  options.timeout = std::chrono::seconds(60);
  options.cancel = std::make_shared<std::atomic<bool>>(false);
  std::thread stopper([flag = options.cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    flag->store(true);
  });
  auto start = std::chrono::steady_clock::now();
  CallOutcome out = instance->reconcile(kMachineRequest, options);
  auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  ASSERT_FALSE(out.ok());
  EXPECT_FALSE(out.timedOut);
  EXPECT_EQ(out.error->type, ErrorType::Transient);
  EXPECT_NE(out.error->message.find("was cancelled during reconcile"), std::string::npos)
      << out.error->message;
  EXPECT_LT(took, std::chrono::milliseconds(1900));  // before the plugin's own 2 s nap ends
}

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or bytes past U+10FFFF).
bool isValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

TEST(Instance, InvalidUtf8FromAPluginBecomesValidText) {
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_garbage")), nullptr);
  for (auto timeout : {std::chrono::milliseconds(0), std::chrono::milliseconds(30000)}) {
    CallOptions options;
    options.timeout = timeout;
    CallOutcome out = instance->reconcile(kMachineRequest, options);
    ASSERT_FALSE(out.ok());
    EXPECT_TRUE(isValidUtf8(out.error->message)) << out.error->message;
    EXPECT_TRUE(isValidUtf8(out.error->host)) << out.error->host;
    // Readable parts survive; each bad byte is one replacement character.
    EXPECT_EQ(out.error->message, "bad \uFFFD bytes \uFFFD and \uFFFD end \uFFFD\uFFFD");
    EXPECT_EQ(out.error->host, "host-\uFFFD");
  }
}

TEST(InstanceDeathTest, CrashInAPluginNamesThePluginAndObjectOnStderr) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto instance = PluginInstance::create(PluginLibrary::load(fixture("fixture_crashing")), nullptr);
  CallOptions options;
  options.objectKey = "default/m7";
  // The process dies of the signal; under AddressSanitizer its handler reports and exits 1
  // instead. Either way the plugin, operation and object must have been named first.
  const auto diedOfTheCrash = [](int status) {
    return (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
           (WIFEXITED(status) && WEXITSTATUS(status) != 0);
  };
  EXPECT_EXIT(instance->reconcile(kMachineRequest, options), diedOfTheCrash,
              "fatal signal during plugin call: plugin 'fixture' reconcile default/m7");
}

TEST(Instance, ConcurrentReconcilesOnOneInstance) {
  Loaded p("fixture_good");
  p.maas->response = {200, {}, R"({"system_id": "x"})"};
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      CallOptions options;
      options.checkpoint = [](const Poco::JSON::Object::Ptr&) {};
      for (int j = 0; j < 20; ++j) ok += p.instance->reconcile(kMachineRequest, options).ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_EQ(p.maas->requests().size(), 160u);
}

}  // namespace
}  // namespace maasprov::plugin
