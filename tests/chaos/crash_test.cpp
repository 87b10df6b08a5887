// Chaos: maas-sim and the real maasprovd with the real plugins; maasprovd is SIGKILLed at seeded
// random moments while it provisions and while it deletes, and restarted each time. Optionally
// the simulator misbehaves too (503s with and without Retry-After, resets, 2 s stalls, failed
// deployments). At the end every machine is Ready, MAAS holds exactly one machine or VM per
// object and nothing no object owns, no object was lost, and after deleting everything MAAS is
// back at its starting state. A summary line gives the figures (docs/reliability.md).
//
// Sizes come from the environment so that one binary serves ./scripts/test (short defaults)
// and ./scripts/chaos (CHAOS_MACHINES=200 CHAOS_KILLS=6): CHAOS_MACHINES, CHAOS_KILLS,
// CHAOS_SEED, CHAOS_FAULTS (1: the misbehaving-MAAS run; the test name selects it too);
// CHAOS_KEEP_LOGS=DIR copies the daemon's logs and its store there, for reading after the run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "chaos_support.hpp"
#include "daemon_process.hpp"
#include "e2e_support.hpp"
#include "sim_client.hpp"
#include "sim_process.hpp"

namespace maasprov::chaos {
namespace {

using daemon::testing::DaemonProcess;
using daemon::testing::Workdir;
using daemon::testing::writeFile;
using e2e::Reply;
using e2e::waitFor;
using maassim::testing::SimProcess;
using Json = Poco::JSON::Object::Ptr;

struct Plan {
  int machines = envInt("CHAOS_MACHINES", 12);
  int kills = envInt("CHAOS_KILLS", 2);  // while provisioning; deletion gets half as many more
  unsigned seed = static_cast<unsigned>(envInt("CHAOS_SEED", 11));
  int lxd() const { return machines / 2; }
  int metal() const { return machines - lxd(); }
};

class Chaos : public ::testing::Test {
 protected:
  void startSim() {
    sim_ = std::make_unique<SimProcess>(SimProcess::Yaml(
        // Bare metal for every bare-metal object plus two spares.
        simInventory(plan_.metal() + 2, plan_.lxd()),
        {"--deploy-seconds", "1", "--commission-seconds", "0.3", "--release-seconds", "0.3",
         "--seed", std::to_string(plan_.seed)}));
    writeFile(dir_.path("maas-api-key"), SimProcess::default_api_key() + "\n");
    writeFile(dir_.path("api-token"), std::string(kToken) + "\n");
    writeFile(dir_.path("maasprovd.properties"),
              "maas.url = " + sim_->base_url() + "/MAAS\nmaas.api_key_file = maas-api-key\n" +
                  "plugins.directories = " + MAASPROV_PLUGIN_DIR + "\n" +
                  "plugins.allow_insecure_permissions = true\n" +
                  "store.path = state/maasprov.db\napi.listen = 127.0.0.1:0\n" +
                  "api.token_file = api-token\napi.port_file = api.port\n" +
                  "controller.poll_interval = 0.5\ncontroller.backoff_base = 200ms\n" +
                  "controller.backoff_max = 3s\nlog.level = info\n",
              0600);  // maasprovd refuses a configuration others may read
    initial_ = heldInMaas(simState());
  }

  void startDaemon() {
    std::filesystem::remove(dir_.path("api.port"));
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", dir_.path("maasprovd.properties")},
        dir_.path("maasprovd-" + std::to_string(++starts_) + ".log"));
    port_ =
        daemon::testing::waitForPortFile(dir_.path("api.port"), *daemon_, std::chrono::seconds(60));
    ASSERT_GT(port_, 0) << daemon_->stderrText();
  }

  // SIGKILL after a seeded random pause, then start again.
  void killAtRandom(std::uniform_int_distribution<int>& pauseMs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs(rng_)));
    daemon_->signal(SIGKILL);
    daemon_->waitExit(std::chrono::seconds(10));
    ++kills_;
    startDaemon();
  }

  Reply api(const std::string& method, const std::string& path, const std::string& body = "") {
    try {
      return e2e::apiCall(port_, kToken, method, path, body);
    } catch (const std::exception& e) {  // the daemon may be between a kill and its restart
      return Reply{0, e.what()};
    }
  }

  Json simState() {
    return Poco::JSON::Parser()
        .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/state").body)
        .extract<Json>();
  }
  Json counters() {
    return Poco::JSON::Parser()
        .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/counters").body)
        .extract<Json>();
  }
  std::uint64_t successes(const std::string& part) {
    std::uint64_t n = 0;
    const Json all = counters();  // keeps the tree alive while iterating
    for (const auto& [label, value] : *all->getObject("endpoints")) {
      if (label.find(part) == std::string::npos) continue;
      auto byStatus = value.extract<Json>();
      for (const char* s : {"200", "201", "204"}) {
        if (byStatus->has(s)) n += byStatus->getValue<std::uint64_t>(s);
      }
    }
    return n;
  }

  // name -> systemID ("" while none) of every MaasMachine, and how many are Ready.
  std::map<std::string, std::string> objects(int* ready = nullptr) {
    std::map<std::string, std::string> out;
    Reply r = api("GET", std::string(kInfra) + "maasmachines");
    if (r.status != 200) return {};
    auto items = r.object()->getArray("items");
    if (ready != nullptr) *ready = 0;
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto o = items->getObject(static_cast<unsigned>(i));
      auto status = o->getObject("status");
      out[o->getObject("metadata")->getValue<std::string>("name")] =
          status ? status->optValue<std::string>("systemID", "") : "";
      if (ready != nullptr && status && status->optValue<bool>("ready", false)) ++*ready;
    }
    return out;
  }

  void injectFaults() {
    auto r = e2e::apiCall(
        sim_->port(), "", "POST", "/_sim/faults",
        R"({"seed": )" + std::to_string(plan_.seed) +
            R"(, "endpoints": {"*": {"503": 0.05, "503_retry_after": 0.05, "reset": 0.02,)"
            R"( "slow": 0.02, "slow_ms": 2000, "retry_after": 1}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    // One bare-metal machine in ten fails its next deployment.
    auto machines = simState()->getArray("machines");
    for (std::size_t i = 0; i < machines->size(); i += 10) {
      auto id = machines->getObject(static_cast<unsigned>(i))->getValue<std::string>("system_id");
      ASSERT_EQ(
          maassim::testing::Call(sim_->port(), "POST", "/_sim/machines/" + id + "/fail-next-deploy")
              .status,
          200);
      ++failedDeploys_;
    }
  }

  // The MAAS key, the API token and the user data (base64 and decoded) never leave the daemon.
  static void expectNoSecretIn(const std::string& what, const std::string& text) {
    for (const std::string& secret : {SimProcess::default_api_key(), std::string(kToken),
                                      std::string(kUserData), std::string("#cloud-config")}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << what << " shows " << secret;
    }
  }

  void run(bool faults);

  Plan plan_;
  std::mt19937 rng_{plan_.seed};
  Workdir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::map<std::string, std::string> initial_;
  int port_ = 0, starts_ = 0, kills_ = 0, failedDeploys_ = 0;
};

void Chaos::run(bool faults) {
  ASSERT_NO_FATAL_FAILURE(startSim());
  if (faults) {
    ASSERT_NO_FATAL_FAILURE(injectFaults());
  }
  ASSERT_NO_FATAL_FAILURE(startDaemon());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(api("POST", std::string(kInfra) + "maasclusters",
                R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",)"
                R"("metadata":{"name":"c1"},"spec":{"dnsDomain":"maas",)"
                R"("failureDomains":["zone-a","zone-b","zone-c"]}})")
                .status,
            201);
  std::set<std::string> names;
  for (int i = 0; i < plan_.machines; ++i) {
    const bool lxd = i < plan_.lxd();
    const std::string name = (lxd ? "vm-" : "metal-") + std::to_string(i);
    names.insert(name);
    Reply r = api("POST", std::string(kInfra) + "maasmachines",
                  machineDocument(name, lxd, i == 0, kUserData));
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // Kills while provisioning: pauses short enough that they land before everything is Ready.
  std::uniform_int_distribution<int> provisioningPause(300, 300 + 20 * plan_.machines);
  for (int k = 0; k < plan_.kills; ++k) ASSERT_NO_FATAL_FAILURE(killAtRandom(provisioningPause));
  const auto limit = std::chrono::seconds(120 + 3 * plan_.machines);
  int ready = 0;
  ASSERT_TRUE(waitFor(
      [&] {
        objects(&ready);
        return ready == plan_.machines;
      },
      limit))
      << ready << "/" << plan_.machines << " Ready; log:\n"
      << daemon_->stderrText().substr(0, 4000);
  const double provisionSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Exactly what the objects own, nothing more, nothing shared, nobody lost.
  const auto owned = objects();
  std::set<std::string> ownedNames, ownedIds;
  for (const auto& [name, id] : owned) {
    ownedNames.insert(name);
    if (!id.empty()) ownedIds.insert(id);
  }
  const int lost = static_cast<int>(names.size()) - static_cast<int>(ownedNames.size());
  EXPECT_EQ(ownedNames, names);
  const Json heldState = simState();
  auto nowHeld = heldInMaas(heldState);
  int leaks = 0;
  for (const auto& [id, host] : nowHeld) {
    if (!ownedIds.count(id) && !initial_.count(id)) {
      ++leaks;
      ADD_FAILURE() << "MAAS holds " << host << " (" << id
                    << ") that no object owns: " << describeMachine(heldState, id);
    }
  }
  int duplicates = static_cast<int>(owned.size()) - static_cast<int>(ownedIds.size());
  const auto composes = successes("op=compose");
  const auto allocates = successes("op=allocate");
  if (!faults) {  // without failed deployments nothing is ever retaken
    duplicates += static_cast<int>(composes) - plan_.lxd();
    duplicates += static_cast<int>(allocates) - plan_.machines;
  }
  EXPECT_EQ(nowHeld.size(), initial_.size() + static_cast<std::size_t>(plan_.machines));
  expectNoSecretIn("the machine list", api("GET", std::string(kInfra) + "maasmachines").body);
  expectNoSecretIn("/metrics", api("GET", "/metrics").body);
  const Json provisionCounters = counters();

  // Delete everything, with more kills, until MAAS is back where it started.
  for (const auto& name : names) {
    Reply r = api("DELETE", std::string(kInfra) + "maasmachines/" + name);
    EXPECT_TRUE(r.status == 200 || r.status == 202) << name << ": " << r.body;
  }
  api("DELETE", std::string(kInfra) + "maasclusters/c1");
  std::uniform_int_distribution<int> deletionPause(200, 200 + 5 * plan_.machines);
  for (int k = 0; k < std::max(1, plan_.kills / 2); ++k) {
    ASSERT_NO_FATAL_FAILURE(killAtRandom(deletionPause));
  }
  EXPECT_TRUE(waitFor(
      [&] {
        Reply r = api("GET", std::string(kInfra) + "maasmachines");
        return r.status == 200 && r.object()->getArray("items")->size() == 0 &&
               api("GET", std::string(kInfra) + "maasclusters/c1").status == 404;
      },
      limit));
  EXPECT_TRUE(
      waitFor([&] { return heldInMaas(simState()) == initial_; }, std::chrono::seconds(60)));
  const Json finalState = simState();
  const auto finalHeld = heldInMaas(finalState);
  for (const auto& [id, host] : finalHeld) {
    if (initial_.count(id)) continue;
    ++leaks;
    ADD_FAILURE() << "after deleting everything MAAS still holds " << host << " (" << id
                  << "): " << describeMachine(finalState, id);
  }
  auto hosts = simState()->getArray("vm_hosts");
  for (std::size_t i = 0; i < hosts->size(); ++i) {
    EXPECT_EQ(hosts->getObject(static_cast<unsigned>(i))->getValue<int>("vm_count"), 0);
  }

  if (const char* keep = std::getenv("CHAOS_KEEP_LOGS"); keep != nullptr && *keep != '\0') {
    std::filesystem::create_directories(keep);
    std::filesystem::copy(dir_.path("."), keep,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
  }
  // Every log of every run, errors from killed calls and injected faults included.
  for (int i = 1; i <= starts_; ++i) {
    const std::string log = "maasprovd-" + std::to_string(i) + ".log";
    expectNoSecretIn(log, daemon::testing::readFile(dir_.path(log)));
  }

  const Json all = counters();
  const auto total = all->getValue<std::uint64_t>("total");
  auto statuses = all->getObject("statuses");
  const auto count = [&](const char* s) {
    return statuses->has(s) ? statuses->getValue<std::uint64_t>(s) : 0;
  };
  const auto injected = count("503") + count("reset") + static_cast<std::uint64_t>(failedDeploys_);
  const double perMachine = static_cast<double>(total) / plan_.machines;
  // Retries stay bounded: a retry storm would multiply this by orders of magnitude.
  EXPECT_LT(perMachine, 400.0) << "MAAS requests per machine";
  std::printf(
      "CHAOS SUMMARY %s: machines=%d (lxd %d, bare-metal %d) kills=%d injected_faults=%llu "
      "(503 %llu, resets %llu, failed deployments %d, stalls of 2 s not counted by the sim) "
      "duplicates=%d leaks=%d lost=%d maas_requests=%llu (%.1f per machine; provisioning %llu) "
      "composes=%llu allocates=%llu provisioned_in=%.0fs seed=%u\n",
      faults ? "maas-misbehaving" : "crash-anywhere", plan_.machines, plan_.lxd(), plan_.metal(),
      kills_, static_cast<unsigned long long>(injected),
      static_cast<unsigned long long>(count("503")),
      static_cast<unsigned long long>(count("reset")), failedDeploys_, duplicates, leaks, lost,
      static_cast<unsigned long long>(total), perMachine,
      static_cast<unsigned long long>(provisionCounters->getValue<std::uint64_t>("total")),
      static_cast<unsigned long long>(composes), static_cast<unsigned long long>(allocates),
      provisionSeconds, plan_.seed);
  std::fflush(stdout);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(leaks, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_GE(kills_, plan_.kills + 1);
}

TEST_F(Chaos, CrashAnywhere) {
  run(false);
}

TEST_F(Chaos, MaasMisbehaving) {
  run(true);
}

}  // namespace
}  // namespace maasprov::chaos
