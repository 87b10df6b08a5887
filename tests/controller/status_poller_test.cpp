// The batched status poller against the real maas-sim process: machines that are deploying are
// watched with one list call per interval, and only machines whose MAAS state changed are
// reconciled again (the plugin asks for a reconcile only after an hour).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller_harness.hpp"
#include "framework/maas/client.hpp"
#include "sim_client.hpp"
#include "sim_process.hpp"

namespace maasprov::controller {
namespace {

using maassim::testing::Api;
using maassim::testing::Call;
using maassim::testing::SimProcess;
using testing::Harness;

constexpr int kMachines = 6;

std::string inventory() {
  std::string yaml =
      "user: admin\nzones:\n  - {name: zone-a}\nresource_pools:\n  - {name: default}\n"
      "domains:\n  - {name: maas, default: true}\nsubnets:\n"
      "  - {name: pxe, cidr: 10.0.0.0/24, gateway_ip: 10.0.0.1}\nmachines:\n";
  for (int i = 0; i < kMachines; ++i) {
    yaml +=
        "  - {hostname: node-" + std::to_string(i) + ", cores: 4, memory: 8192, zone: zone-a}\n";
  }
  return yaml;
}

std::uint64_t counter(const Poco::JSON::Object::Ptr& counters, const std::string& label) {
  auto labels = counters->getObject("endpoints");
  if (!labels || !labels->has(label)) return 0;
  return labels->getObject(label)->getValue<std::uint64_t>("total");
}

// A real MAAS client pointed at the simulator.
maas::ClientConfig clientConfig(const SimProcess& sim) {
  maas::ClientConfig config;
  config.url = sim.base_url() + "/MAAS";
  config.apiKey = SimProcess::default_api_key();
  return config;
}

TEST(StatusPoller, OneListCallPerIntervalAndOnlyChangedMachinesRequeued) {
  SimProcess sim(SimProcess::Yaml(inventory(), {"--deploy-seconds", "0.6"}));
  maas::Client client(clientConfig(sim));

  auto options = Harness::fast();
  options.pollInterval = std::chrono::milliseconds(100);
  Harness h(options, &client);
  h.cluster("default", "c1");

  // Start every MAAS machine deploying (as a plugin would have done before a restart).
  auto list = Call(sim.port(), "GET", Api("machines/")).array();
  ASSERT_EQ(list->size(), static_cast<std::size_t>(kMachines));
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string id = list->getObject(static_cast<unsigned>(i))->getValue<std::string>("system_id");
    ASSERT_EQ(Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"system_id", id}}).status,
              200);
    ASSERT_EQ(Call(sim.port(), "POST", Api("machines/" + id + "/?op=deploy"),
                   {{"distro_series", "jammy"}})
                  .status,
              200);
    h.machine("default", "m" + std::to_string(i), "c1", "maas",
              R"(,"test.maasprov.io/system-id":")" + id + "\"");
  }
  ASSERT_EQ(Call(sim.port(), "POST", "/_sim/reset-counters").status, 200);

  const auto started = std::chrono::steady_clock::now();
  h.controller().start();
  for (int i = 0; i < kMachines; ++i) {
    std::string name = "m" + std::to_string(i);
    ASSERT_TRUE(Harness::waitFor([&] { return h.ready("default", name, "status") == "True"; }))
        << name << ": " << h.ready("default", name, "message");
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Once Deployed the machines are settled: the poller stops watching them.
  EXPECT_TRUE(Harness::waitFor([&] { return h.controller().poller()->tracked() == 0; }));
  const auto polls = h.controller().poller()->requests();
  h.controller().stop();

  auto counters = testing::parse(Call(sim.port(), "GET", "/_sim/counters").body);
  // Every list call MAAS saw came from the poller, and there was one per interval for all six
  // machines together, never one per machine.
  EXPECT_EQ(counter(counters, "GET machines"), polls);
  EXPECT_GE(polls, 1u);
  EXPECT_LE(static_cast<double>(polls), elapsed / 0.1 + 2.0);
  // Each machine was read by its plugin when first reconciled and again only when the poller
  // saw it change (Deploying -> Deployed; at most once more for the power state): without the
  // poller nothing would have happened for an hour.
  const auto perMachine = counter(counters, "GET machines/{id}");
  EXPECT_GE(perMachine, 2u * kMachines);
  EXPECT_LE(perMachine, 3u * kMachines);
  // The controller counts each machine's MAAS requests.
  EXPECT_NE(h.metrics().render().find(
                "maasprov_machine_maas_requests_total{namespace=\"default\",name=\"m0\"}"),
            std::string::npos);
}

}  // namespace
}  // namespace maasprov::controller

namespace maasprov::controller {
namespace {

// Allocates and deploys MAAS machine `index` of the simulator; returns its system_id.
std::string deployOne(const SimProcess& sim, std::size_t index) {
  auto list = Call(sim.port(), "GET", Api("machines/")).array();
  std::string id =
      list->getObject(static_cast<unsigned>(index))->getValue<std::string>("system_id");
  EXPECT_EQ(Call(sim.port(), "POST", Api("machines/?op=allocate"), {{"system_id", id}}).status,
            200);
  EXPECT_EQ(
      Call(sim.port(), "POST", Api("machines/" + id + "/?op=deploy"), {{"distro_series", "jammy"}})
          .status,
      200);
  return id;
}

// One MAAS machine deploying for `deploySeconds` in a simulator, and a poller (looks 100 ms to
// `longest` apart) on it that counts the reconciles it asks for.
struct DeployingMachine {
  explicit DeployingMachine(const std::string& deploySeconds,
                            std::chrono::milliseconds longest = std::chrono::seconds(1))
      : sim(SimProcess::Yaml(inventory(), {"--deploy-seconds", deploySeconds})),
        client(clientConfig(sim)),
        poller(
            {longest, std::chrono::milliseconds(100), 100}, client,
            [this](const std::string&) { ++requeued; }, nullptr),
        id(deployOne(sim, 0)) {}

  SimProcess sim;
  maas::Client client;
  std::atomic<int> requeued{0};
  StatusPoller poller;
  std::string id;
  const std::string key = "MaasMachine/default/m0";
};

TEST(StatusPoller, AShortWaitIsNoticedLongBeforeTheLongestInterval) {
  // At most a minute between looks, at least 100 ms: looks back off with the time waited.
  DeployingMachine m("0.5", std::chrono::seconds(60));
  auto& poller = m.poller;
  poller.track(m.key, m.id, "Deploying", true);
  const auto started = std::chrono::steady_clock::now();
  poller.start();
  ASSERT_TRUE(Harness::waitFor([&] { return m.requeued.load() == 1; }));
  poller.stop();
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // A fixed period would have looked after 60 s; the deployment took 0.5 s.
  EXPECT_LT(waited, 10.0);
  // ... and it did not look every 100 ms for nothing either: a tenth of the time waited.
  EXPECT_LE(poller.requests(), 8u);
}

// A machine whose reconciles keep failing is retried with backoff, not every time the poller
// looks: its stored status (no state yet) differs from MAAS's, and re-basing the poller on it
// after each failure made every poll a "change".
TEST(StatusPoller, FailingMachinesAreRetriedWithBackoffNotByThePoller) {
  SimProcess sim(SimProcess::Yaml(inventory(), {"--deploy-seconds", "600"}));
  maas::Client client(clientConfig(sim));
  auto options = Harness::fast();
  options.pollInterval = std::chrono::milliseconds(100);
  options.backoffBase = std::chrono::milliseconds(1000);
  options.backoffMax = std::chrono::milliseconds(1000);
  Harness h(options, &client);
  h.cluster("default", "c1");
  std::string id = deployOne(sim, 0);
  h.machine("default", "m0", "c1", "checkpoint-error",
            R"(,"test.maasprov.io/system-id":")" + id + "\"");
  h.controller().start();
  ASSERT_TRUE(Harness::waitFor([&] { return h.controller().reconcileCount() >= 1; }));
  const auto first = h.controller().reconcileCount();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const auto later = h.controller().reconcileCount();
  const auto polls = h.controller().poller()->requests();
  h.controller().stop();
  // A retry per second of backoff (2 or 3 in 2.5 s), plus the cluster; polled every ~100 ms
  // it would have been ~25.
  EXPECT_LE(later - first, 5u);
  EXPECT_GE(polls, 3u) << "the poller kept watching the machine";
}

TEST(StatusPoller, HandsWhatItSawToTheReconcileItWakes) {
  DeployingMachine m("0.3");
  auto& poller = m.poller;
  const std::string& id = m.id;
  const std::string& key = m.key;
  poller.track(key, id, "Deploying", true);
  EXPECT_EQ(poller.takeObservation(key, id), "") << "nothing seen yet";
  ASSERT_TRUE(Harness::waitFor([&] { return poller.pollOnce() == 1; }));
  EXPECT_EQ(poller.takeObservation(key, "other-id"), "") << "not the machine it holds";
  // The wrong-id call consumed it: a stale hand-over must never be retried.
  ASSERT_TRUE(Harness::waitFor([&] {
    poller.track(key, id, "Deploying", true);
    return poller.pollOnce() == 1;
  }));
  std::string text = poller.takeObservation(key, id);
  ASSERT_NE(text, "");
  auto seen = testing::parse(text);
  EXPECT_EQ(seen->getValue<std::string>("system_id"), id);
  EXPECT_EQ(seen->getValue<std::string>("status_name"), "Deployed");
  EXPECT_EQ(poller.takeObservation(key, id), "") << "handed over once";
}

// Looks that find a machine's text as the last look saw it do not read it again; the look that
// finds it changed still does, and hands on what it says.
TEST(StatusPoller, AMachineSeenUnchangedManyTimesIsStillNoticedWhenItChanges) {
  DeployingMachine m("1.5");
  auto& poller = m.poller;
  const std::string& id = m.id;
  const std::string& key = m.key;
  const auto& requeued = m.requeued;
  poller.track(key, id, "Deploying", true);
  int unchangedLooks = 0;
  std::size_t changed = 0;
  while (changed == 0) {
    changed = poller.pollOnce();
    if (changed == 0) ++unchangedLooks;
    ASSERT_LT(unchangedLooks, 200) << "the deployment was never noticed";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(unchangedLooks, 5);
  EXPECT_EQ(requeued.load(), 1);
  auto seen = testing::parse(poller.takeObservation(key, id));
  EXPECT_EQ(seen->getValue<std::string>("status_name"), "Deployed");
  // Deployed now, and the same text again: nothing more to report.
  EXPECT_EQ(poller.pollOnce(), 0u);
  EXPECT_EQ(requeued.load(), 1);
}

// MAAS powers a machine on itself to deploy it: that wakes nobody, the deployment's end does.
// Power changing on a deployed machine is news, and wakes its reconcile.
TEST(StatusPoller, APowerChangeWhileMaasDeploysWakesNobodyTheDeploymentsEndDoes) {
  DeployingMachine m("1.0");  // Deploying, powered on by MAAS
  auto& poller = m.poller;
  const std::string& id = m.id;
  const std::string& key = m.key;
  const auto& requeued = m.requeued;
  poller.track(key, id, "Deploying", false);  // the object still says off
  EXPECT_EQ(poller.pollOnce(), 0u);
  EXPECT_EQ(requeued.load(), 0);
  ASSERT_TRUE(Harness::waitFor([&] { return poller.pollOnce() == 1; }));
  EXPECT_EQ(requeued.load(), 1);
  auto seen = testing::parse(poller.takeObservation(key, id));
  EXPECT_EQ(seen->getValue<std::string>("status_name"), "Deployed");
  EXPECT_EQ(seen->getValue<std::string>("power_state"), "on");

  const std::string other = "MaasMachine/default/m1";
  poller.track(other, id, "Deployed", false);  // deployed, and believed off
  EXPECT_EQ(poller.pollOnce(), 1u);
  EXPECT_EQ(requeued.load(), 2);
}

// Two MAAS machines that deployed while a poller (one id per list call) still believed them
// Deploying: a round over them sends two list calls, m0's first.
struct TwoDeployedMachines {
  TwoDeployedMachines()
      : sim(SimProcess::Yaml(inventory(), {"--deploy-seconds", "0.2"})),
        client(clientConfig(sim)),
        first(deployOne(sim, 0)),
        second(deployOne(sim, 1)) {}

  // Tracks both in `poller` and waits until MAAS says both are Deployed.
  void trackAndWait(StatusPoller& poller) {
    poller.track("MaasMachine/default/m0", first, "Deploying", true);
    poller.track("MaasMachine/default/m1", second, "Deploying", true);
    ASSERT_TRUE(Harness::waitFor([&] {
      return Call(sim.port(), "GET", Api("machines/" + second + "/"))
                 .object()
                 ->getValue<std::string>("status_name") == "Deployed";
    }));
  }
  static StatusPoller::Options oneIdPerCall() {
    return {std::chrono::seconds(1), std::chrono::milliseconds(100), 1};
  }

  SimProcess sim;
  maas::Client client;
  std::string first;
  std::string second;
};

// A list call's changed machines are requeued as soon as its answer is read, not when the round's
// other calls are: a fleet deploying at once needs several calls, and the machines in the first
// used to wait for the last.
TEST(StatusPoller, AChangedMachineIsRequeuedBeforeTheRoundsNextCallIsAnswered) {
  TwoDeployedMachines m;
  // Holds the round's second list call until the first call's machine is requeued (or 3 s).
  struct Holding : maas::Transport {
    explicit Holding(maas::Transport& t) : inner(t) {}
    maas::Response send(const maas::Request& r) override {
      if (calls++ > 0) {
        std::unique_lock lock(mutex);
        requeuedBeforeSecondCall =
            cv.wait_for(lock, std::chrono::seconds(3), [&] { return !requeued.empty(); });
      }
      return inner.send(r);
    }
    maas::Transport& inner;
    std::atomic<int> calls{0};
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> requeued;
    bool requeuedBeforeSecondCall = false;
  } transport(m.client);

  StatusPoller poller(
      TwoDeployedMachines::oneIdPerCall(), transport,
      [&](const std::string& key) {
        std::lock_guard lock(transport.mutex);
        transport.requeued.push_back(key);
        transport.cv.notify_all();
      },
      nullptr);
  m.trackAndWait(poller);

  EXPECT_EQ(poller.pollOnce(), 2u);
  EXPECT_EQ(transport.calls.load(), 2) << "one list call per machine (batches of one)";
  EXPECT_TRUE(transport.requeuedBeforeSecondCall)
      << "m0 waited for the round's second list call to be answered";
  EXPECT_EQ(transport.requeued,
            (std::vector<std::string>{"MaasMachine/default/m0", "MaasMachine/default/m1"}));
}

// A list call that fails ends the round: machines settled by earlier calls stay settled, and the
// failed call's machines are looked at again by a later round, not lost.
TEST(StatusPoller, AFailedListCallLeavesItsMachinesForALaterRound) {
  TwoDeployedMachines m;
  struct FailingSecondCall : maas::Transport {
    explicit FailingSecondCall(maas::Transport& t) : inner(t) {}
    maas::Response send(const maas::Request& r) override {
      if (++calls == 2) throw maas::TransportError("connection reset (test)");
      return inner.send(r);
    }
    maas::Transport& inner;
    std::atomic<int> calls{0};
  } transport(m.client);

  std::vector<std::string> requeued;
  StatusPoller poller(
      TwoDeployedMachines::oneIdPerCall(), transport,
      [&](const std::string& key) { requeued.push_back(key); }, nullptr);
  m.trackAndWait(poller);

  EXPECT_EQ(poller.pollOnce(), 1u);
  EXPECT_EQ(requeued, std::vector<std::string>{"MaasMachine/default/m0"});
  EXPECT_EQ(poller.tracked(), 2u) << "the failed call's machine is still watched";
  EXPECT_EQ(poller.pollOnce(), 1u) << "m0 is not news twice; m1 is found this time";
  EXPECT_EQ(requeued,
            (std::vector<std::string>{"MaasMachine/default/m0", "MaasMachine/default/m1"}));
}

}  // namespace
}  // namespace maasprov::controller
