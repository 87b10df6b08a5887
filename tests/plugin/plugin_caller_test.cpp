// The controller's PluginCaller against real plugins: its timeout and shutdown outcomes, its
// call threads (reused; an abandoned call holds only its own), and one call per object at a
// time (an object whose abandoned call still runs is refused until that call returns).
#include "framework/controller/plugin_caller.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
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
                              const std::shared_ptr<plugin::PluginInstance>& p,
                              const std::string& objectKey = "ns/m0") {
  return caller.call(p, PluginOp::Reconcile, kMachineRequest, objectKey,
                     [](const Poco::JSON::Object::Ptr&) {});
}

// A MAAS whose first request blocks until open(): the plugin making it is stuck inside a host
// service, where cancelling the call cannot reach it, for exactly as long as the test wants.
class GatedMaas : public plugin::test::RecordingMaas {
 public:
  maas::Response send(const maas::Request& request) override {
    std::unique_lock lock(mutex_);
    if (++sent_ == 1) {
      held_ = true;
      changed_.wait(lock, [&] { return open_; });
      held_ = false;
    }
    lock.unlock();
    return RecordingMaas::send(request);
  }
  bool held() const {
    std::lock_guard lock(mutex_);
    return held_;
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int sent_ = 0;
  bool held_ = false;
  bool open_ = false;
};

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
  // The next calls for other objects do not wait behind it: they finish long before its 2 s
  // nap ends. The same object is refused meanwhile (the plugin still runs a call for it).
  const auto started = std::chrono::steady_clock::now();
  for (int i = 1; i <= 3; ++i) {
    auto next = reconcile(caller, p.good, "ns/m" + std::to_string(i));
    EXPECT_TRUE(next.ok()) << next.error->message;
  }
  auto same = reconcile(caller, p.good, "ns/m0");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error->message,
            "plugin 'good' was not called: an earlier call for this object to plugin 'fixture' "
            "is still running after being cancelled; it did not return within 200 ms");
  EXPECT_EQ(caller.threadsStarted(), 2u);
  EXPECT_TRUE(caller.waitIdle(10s));  // the abandoned call finishes on its own
  EXPECT_EQ(caller.running(), 0u);
  auto after = reconcile(caller, p.good, "ns/m0");
  EXPECT_TRUE(after.ok()) << after.error->message;
}

TEST(PluginCaller, AnObjectWhoseAbandonedCallStillRunsIsRefusedUntilThatCallReturns) {
  auto gate = std::make_shared<GatedMaas>();
  gate->response = {200, {}, R"({"system_id": "x"})"};
  auto plugin = load("fixture_good", gate);
  auto plain = std::make_shared<plugin::test::RecordingMaas>();
  auto rival = load("fixture_rival", plain);
  PluginCaller caller(1s);  // ample for the plugin to reach its first MAAS request
  // Whatever assertion ends the test, the held call is let go and finished before `gate` dies.
  struct LetGo {
    GatedMaas& gate;
    PluginCaller& caller;
    ~LetGo() {
      gate.open();
      EXPECT_TRUE(caller.waitIdle(10s));
    }
  } letGo{*gate, caller};

  auto first = reconcile(caller, plugin, "ns/m0");
  ASSERT_TRUE(first.timedOut);
  // Cancelled, but blocked in the MAAS request it made before that: it stays until open().
  ASSERT_TRUE(gate->held());
  EXPECT_EQ(caller.running(), 1u);

  // A new call for the same object is refused at once, retryable soon, and never started: the
  // plugin sees no second request. Remove() is a call for the object too.
  for (PluginOp op : {PluginOp::Reconcile, PluginOp::Remove}) {
    auto again = caller.call(plugin, op, kMachineRequest, "ns/m0", {});
    ASSERT_FALSE(again.ok());
    EXPECT_FALSE(again.timedOut);
    EXPECT_EQ(again.error->type, plugin::ErrorType::Transient);
    EXPECT_TRUE(again.error->retryable);
    EXPECT_EQ(again.error->requeueAfter, PluginCaller::kBusyRetry);
    EXPECT_EQ(again.error->message,
              "plugin 'good' was not called: an earlier call for this object is still running "
              "after being cancelled; it did not return within 1000 ms");
  }
  EXPECT_EQ(gate->requests().size(), 0u);  // the held request is recorded once it is let go
  EXPECT_EQ(caller.running(), 1u);

  // Another object goes ahead on the same instance; the object's key is held whatever the plugin.
  auto other = reconcile(caller, plugin, "ns/m1");
  EXPECT_TRUE(other.ok()) << other.error->message;
  EXPECT_EQ(gate->requests().size(), 1u);
  auto byRival = reconcile(caller, rival, "ns/m0");
  ASSERT_FALSE(byRival.ok());
  EXPECT_EQ(byRival.error->message,
            "plugin 'rival' was not called: an earlier call for this object to plugin 'good' is "
            "still running after being cancelled; it did not return within 1000 ms");
  EXPECT_TRUE(plain->requests().empty());

  // Once the abandoned call returns (its late result dropped), the object is called again.
  gate->open();
  ASSERT_TRUE(caller.waitIdle(10s));
  auto later = reconcile(caller, plugin, "ns/m0");
  ASSERT_TRUE(later.ok()) << later.error->message;
  EXPECT_EQ(later.maasCalls.size(), 1u);  // its own request, nothing of the abandoned call's
  EXPECT_EQ(gate->requests().size(), 3u);
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
