// The controller's PluginCaller against real plugins: calls on the caller's own thread, the
// watchdog that abandons a call past its timeout and hands its object over (the hook), shutdown,
// and one call per object at a time (an object whose abandoned call still runs is refused until
// that call returns).
#include "framework/controller/plugin_caller.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
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

// A MAAS that notes the thread of every request.
class ThreadNotingMaas : public plugin::test::RecordingMaas {
 public:
  maas::Response send(const maas::Request& request) override {
    {
      std::lock_guard lock(mutex_);
      threads_.insert(std::this_thread::get_id());
    }
    return RecordingMaas::send(request);
  }
  std::set<std::thread::id> threads() const {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::thread::id> threads_;
};

// What the watchdog handed over, and when.
struct Handovers {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, std::thread::id>> seen;
  PluginCaller::OnAbandoned hook() {
    return [this](const std::string& key, const std::string&, std::thread::id thread) {
      {
        std::lock_guard lock(mutex);
        seen.emplace_back(key, thread);
      }
      changed.notify_all();
    };
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, limit, [&] { return seen.size() >= n; });
  }
};

// A call made on a thread of its own, as a stuck worker would make it: what it returned, or
// that it was handed over.
struct Caller {
  std::optional<plugin::CallOutcome> outcome;
  std::optional<std::string> handedOver;
  std::thread thread;
  std::thread::id id;
  Caller(PluginCaller& caller, std::shared_ptr<plugin::PluginInstance> p, std::string key)
      : thread([this, &caller, p, key] {
          try {
            outcome = reconcile(caller, p, key);
          } catch (const CallAbandoned& e) {
            handedOver = e.why;
          }
        }) {
    id = thread.get_id();
  }
  void join() { thread.join(); }
};

TEST(PluginCaller, CallsRunOnTheCallersThread) {
  auto maas = std::make_shared<ThreadNotingMaas>();
  maas->response = {200, {}, R"({"system_id": "x"})"};
  auto good = load("fixture_good", maas);
  PluginCaller caller(60s);
  for (int i = 0; i < 20; ++i) {
    auto out = reconcile(caller, good);
    ASSERT_TRUE(out.ok()) << out.error->message;
    EXPECT_EQ(out.maasCalls.size(), 1u);
  }
  EXPECT_EQ(maas->threads(), std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_TRUE(caller.waitIdle(5s));
}

TEST(PluginCaller, ACallPastItsTimeoutIsHandedOverAndOthersGoOn) {
  Plugins p;
  Handovers handovers;
  PluginCaller caller(200ms, handovers.hook());
  Caller stuck(caller, p.stuck, "ns/m0");  // asleep in the plugin for 2 s
  ASSERT_TRUE(handovers.waitFor(1, 1500ms)) << "the watchdog never reported the stuck call";
  {
    std::lock_guard lock(handovers.mutex);
    EXPECT_EQ(handovers.seen.front().first, "ns/m0");
    EXPECT_EQ(handovers.seen.front().second, stuck.id);
  }
  EXPECT_EQ(caller.running(), 1u);  // still asleep in the plugin
  // Calls for other objects do not wait behind it. The same object is refused meanwhile (the
  // plugin still runs a call for it), saying why.
  const auto started = std::chrono::steady_clock::now();
  for (int i = 1; i <= 3; ++i) {
    auto next = reconcile(caller, p.good, "ns/m" + std::to_string(i));
    EXPECT_TRUE(next.ok()) << next.error->message;
  }
  auto same = reconcile(caller, p.good, "ns/m0");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1000ms);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error->message,
            "plugin 'good' was not called: an earlier call for this object to plugin 'fixture' "
            "is still running after being cancelled; it did not return within 200 ms");
  // When the plugin returns at last, its thread learns that it was handed over; the late result
  // goes nowhere.
  stuck.join();
  EXPECT_FALSE(stuck.outcome.has_value());
  EXPECT_EQ(stuck.handedOver, "it did not return within 200 ms");
  EXPECT_EQ(caller.running(), 0u);
  auto after = reconcile(caller, p.good, "ns/m0");
  EXPECT_TRUE(after.ok()) << after.error->message;
  std::lock_guard lock(handovers.mutex);
  EXPECT_EQ(handovers.seen.size(), 1u);
}

TEST(PluginCaller, WithoutAHookATimedOutCallReturnsTheTimeout) {
  Plugins p;
  PluginCaller caller(200ms);
  auto out = reconcile(caller, p.stuck);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.timedOut);
  EXPECT_EQ(out.error->type, plugin::ErrorType::Transient);
  EXPECT_EQ(out.error->message,
            "plugin 'fixture' did not return within 200 ms; the call was abandoned and cancelled");
}

TEST(PluginCaller, AnObjectWhoseAbandonedCallStillRunsIsRefusedUntilThatCallReturns) {
  auto gate = std::make_shared<GatedMaas>();
  gate->response = {200, {}, R"({"system_id": "x"})"};
  auto plugin = load("fixture_good", gate);
  auto plain = std::make_shared<plugin::test::RecordingMaas>();
  auto rival = load("fixture_rival", plain);
  Handovers handovers;
  PluginCaller caller(1s, handovers.hook());  // ample for the plugin to reach its first request
  Caller first(caller, plugin, "ns/m0");
  // Whatever assertion ends the test, the held call is let go and finished before `gate` dies.
  struct LetGo {
    GatedMaas& gate;
    Caller& first;
    ~LetGo() {
      gate.open();
      if (first.thread.joinable()) first.join();
    }
  } letGo{*gate, first};

  ASSERT_TRUE(handovers.waitFor(1, 5s));
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
  first.join();
  EXPECT_TRUE(first.handedOver.has_value());
  ASSERT_TRUE(caller.waitIdle(10s));
  auto later = reconcile(caller, plugin, "ns/m0");
  ASSERT_TRUE(later.ok()) << later.error->message;
  EXPECT_EQ(later.maasCalls.size(), 1u);  // its own request, nothing of the abandoned call's
  EXPECT_EQ(gate->requests().size(), 3u);
}

TEST(PluginCaller, CancelAllCancelsRunningCallsAndRefusesLaterOnes) {
  Plugins p;
  Handovers handovers;
  PluginCaller caller(60s, handovers.hook());
  Caller running(caller, p.stuck, "ns/m0");
  std::this_thread::sleep_for(100ms);
  caller.cancelAll();
  auto later = reconcile(caller, p.good);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error->message, "plugin 'good' was not called: the controller is stopping");
  // The running call ends when its plugin does, with the cancellation as its outcome.
  running.join();
  ASSERT_TRUE(running.outcome.has_value());
  ASSERT_FALSE(running.outcome->ok());
  EXPECT_FALSE(running.outcome->timedOut);
  EXPECT_EQ(running.outcome->error->message,
            "plugin 'fixture' call abandoned: the controller is stopping");
  EXPECT_TRUE(caller.waitIdle(10s));
  std::lock_guard lock(handovers.mutex);
  EXPECT_TRUE(handovers.seen.empty());
}

TEST(PluginCaller, CallsOrphanedAtShutdownLeaveWithoutTheirResult) {
  Plugins p;
  PluginCaller caller(60s);
  Caller running(caller, p.stuck, "ns/m0");
  std::this_thread::sleep_for(100ms);
  caller.cancelAll();
  const auto orphans = caller.orphanRunning();
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans.front(), running.id);
  running.join();
  EXPECT_FALSE(running.outcome.has_value());
  EXPECT_EQ(running.handedOver, "the controller is stopping");
  EXPECT_TRUE(caller.orphanRunning().empty());
}

}  // namespace
}  // namespace maasprov::controller
