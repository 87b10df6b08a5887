// The controller's PluginCaller against real plugins: its timeout and shutdown outcomes, and
// its call threads (reused; an abandoned call holds only its own).
#include "framework/controller/plugin_caller.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test_support.hpp"

namespace maasprov::controller {
namespace {

using namespace std::chrono_literals;
using plugin::test::fixture;
using plugin::test::kMachineRequest;

std::shared_ptr<plugin::PluginInstance> load(const std::string& name,
                                             std::shared_ptr<plugin::test::RecordingMaas> maas) {
  auto env = std::make_shared<plugin::HostEnvironment>();
  env->transport = maas.get();  // Plugins keeps it alive; every test waits for its calls
  return plugin::PluginInstance::create(plugin::PluginLibrary::load(fixture(name)), env);
}

struct Plugins {
  std::shared_ptr<plugin::test::RecordingMaas> maas =
      std::make_shared<plugin::test::RecordingMaas>();
  std::shared_ptr<plugin::PluginInstance> good;
  std::shared_ptr<plugin::PluginInstance> stuck;  // sleeps 2 s, never checks for cancellation
  Plugins() {
    maas->response = {200, {}, R"({"system_id": "x"})"};
    good = load("fixture_good", maas);
    stuck = load("fixture_stuck", maas);
  }
};

plugin::CallOutcome reconcile(PluginCaller& caller,
                              const std::shared_ptr<plugin::PluginInstance>& p) {
  return caller.call(p, PluginOp::Reconcile, kMachineRequest, "ns/m0",
                     [](const Poco::JSON::Object::Ptr&) {});
}

TEST(PluginCaller, CallsReuseTheirThreads) {
  Plugins p;
  PluginCaller caller(60s);
  for (int i = 0; i < 20; ++i) {
    auto out = reconcile(caller, p.good);
    ASSERT_TRUE(out.ok()) << out.error->message;
    EXPECT_EQ(out.maasCalls.size(), 1u);
  }
  EXPECT_EQ(caller.threadsStarted(), 1u);
  EXPECT_TRUE(caller.waitIdle(5s));
}

TEST(PluginCaller, AnAbandonedCallKeepsItsThreadAndOthersGoOn) {
  Plugins p;
  PluginCaller caller(200ms);
  auto out = reconcile(caller, p.stuck);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.timedOut);
  EXPECT_EQ(out.error->type, plugin::ErrorType::Transient);
  EXPECT_EQ(out.error->message,
            "plugin 'fixture' did not return within 200 ms; the call was abandoned and cancelled");
  EXPECT_EQ(caller.running(), 1u);  // still asleep in the plugin
  // The next calls do not wait behind it: they finish long before its 2 s nap ends.
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    auto next = reconcile(caller, p.good);
    EXPECT_TRUE(next.ok()) << next.error->message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_EQ(caller.threadsStarted(), 2u);
  EXPECT_TRUE(caller.waitIdle(10s));  // the abandoned call finishes on its own
  EXPECT_EQ(caller.running(), 0u);
}

TEST(PluginCaller, CancelAllReturnsAWaitingCallAtOnceAndRefusesLaterOnes) {
  Plugins p;
  PluginCaller caller(60s);
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    caller.cancelAll();
  });
  const auto started = std::chrono::steady_clock::now();
  auto out = reconcile(caller, p.stuck);
  const auto took = std::chrono::steady_clock::now() - started;
  stopper.join();
  ASSERT_FALSE(out.ok());
  EXPECT_FALSE(out.timedOut);
  EXPECT_EQ(out.error->message, "plugin 'fixture' call abandoned: the controller is stopping");
  EXPECT_LT(took, 1500ms);  // not the plugin's 2 s, nor the 60 s timeout
  auto later = reconcile(caller, p.good);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error->message, "plugin 'good' was not called: the controller is stopping");
  EXPECT_TRUE(caller.waitIdle(10s));
}

}  // namespace
}  // namespace maasprov::controller
