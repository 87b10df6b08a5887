// Chaos: plugins misbehaving inside the real maasprovd. maas-sim, the daemon with the real lxd
// and dns plugins, and the "chaos" plugin (tests/chaos/plugins): a proxy in front of the real
// baremetal.so that misbehaves for machines labelled chaos.maasprov.io/fault after doing the
// real work in MAAS. Healthy LXD and bare-metal machines must all become Ready while machines
// next to them throw across the C ABI, return malformed, non-object, non-UTF-8 or oversized
// results, or block past controller.plugin_timeout; each of those shows Ready=False with a
// reason and a message naming what went wrong, and the daemon stays up. Then one machine
// crashes the daemon: stderr names the plugin, the operation and the object; the test plays
// systemd (Restart=on-failure), sees the crash loop, "fixes" the plugin, and checks that the
// healthy machines are still Ready, the crashed one recovers, nothing is duplicated or leaked
// in MAAS and nothing is lost, also after deleting everything. A summary line gives the
// figures (docs/reliability.md).
//
// CHAOS_MACHINES healthy machines (half LXD), CHAOS_SEED; CHAOS_KEEP_LOGS=DIR keeps the
// daemon's logs, CHAOS_LOG_LEVEL sets their level (info).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
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

constexpr const char* kFaultLabel = "chaos.maasprov.io/fault";

// What each fault must show on its machine: the Ready condition's reason and part of its message.
struct Expected {
  std::string fault, reason, message;
};
const std::vector<Expected> kFaults = {
    {"throw", "Internal", "plugin 'chaos' reconcile let an exception escape through the C ABI"},
    {"malformed", "Internal",
     "plugin 'chaos' reconcile returned an invalid result: malformed JSON"},
    {"not-object", "Internal", "the result document is not a JSON object"},
    {"bad-utf8", "Internal", "chaos: bad \xEF\xBF\xBD bytes"},
    {"huge", "Internal", "plugin 'chaos' reconcile returned a result larger than the host's limit"},
    // The abandoned call's own outcome, then the refusals of later calls while it still runs:
    // both say it did not return in time.
    {"block", "Transient", "did not return within 2000 ms"},
};

int threadsOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

class PluginChaos : public ::testing::Test {
 protected:
  void SetUp() override {
    // Bare metal for every bare-metal object (healthy, faulty, the crash) plus two spares.
    sim_ = std::make_unique<SimProcess>(
        SimProcess::Yaml(simInventory(metal() + static_cast<int>(kFaults.size()) + 1 + 2, lxd()),
                         {"--deploy-seconds", "1", "--commission-seconds", "0.3",
                          "--release-seconds", "0.3", "--seed", std::to_string(seed_)}));
    // The daemon's plugin directory: the real lxd and dns plugins and chaos, which loads the real
    // baremetal.so itself (two plugins must not both serve bare-metal).
    const std::filesystem::path plugins = dir_.path("plugins");
    std::filesystem::create_directories(plugins);
    for (const std::string so : {"lxd.so", "dns.so"}) {
      std::filesystem::copy_file(std::string(MAASPROV_PLUGIN_DIR) + "/" + so, plugins / so);
    }
    std::filesystem::copy_file(CHAOS_PLUGIN_FILE, plugins / "chaos.so");
    // The daemon refuses plugins others may write (whatever the umask gave the copies).
    namespace fs = std::filesystem;
    const auto mode = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec;
    fs::permissions(plugins, mode);
    for (const auto& entry : fs::directory_iterator(plugins)) fs::permissions(entry.path(), mode);
    writeFile(dir_.path("maas-api-key"), SimProcess::default_api_key() + "\n", 0600);
    writeFile(dir_.path("api-token"), std::string(kToken) + "\n", 0600);
    writeFile(dir_.path("maasprovd.properties"),
              "maas.url = " + sim_->base_url() + "/MAAS\nmaas.api_key_file = maas-api-key\n" +
                  "plugins.directories = plugins\n" + "plugin.chaos.config = {\"delegate\": \"" +
                  MAASPROV_PLUGIN_DIR + "/baremetal.so\", \"crashWhileFileExists\": \"" +
                  dir_.path("crash-armed") + "\", \"faultLog\": \"" + dir_.path("faults.log") +
                  "\"}\n" + "store.path = state/maasprov.db\napi.listen = 127.0.0.1:0\n" +
                  "api.token_file = api-token\napi.port_file = api.port\n" +
                  "controller.poll_interval = 0.5\ncontroller.backoff_base = 200ms\n" +
                  "controller.backoff_max = 3s\ncontroller.plugin_timeout = 2s\n" +
                  "log.level = " + logLevel_ + "\n",
              0600);
    initial_ = heldInMaas(simState());
  }

  int lxd() const { return machines_ / 2; }
  int metal() const { return machines_ - lxd(); }

  void launchDaemon() {
    std::filesystem::remove(dir_.path("api.port"));
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", dir_.path("maasprovd.properties")},
        dir_.path("maasprovd-" + std::to_string(++starts_) + ".log"));
  }
  void startDaemon() {
    launchDaemon();
    port_ =
        daemon::testing::waitForPortFile(dir_.path("api.port"), *daemon_, std::chrono::seconds(60));
    ASSERT_GT(port_, 0) << daemon_->stderrText();
  }

  Reply api(const std::string& method, const std::string& path, const std::string& body = "") {
    try {
      return e2e::apiCall(port_, kToken, method, path, body);
    } catch (const std::exception& e) {  // the daemon may be down after a crash
      return Reply{0, e.what()};
    }
  }

  Json simState() {
    return Poco::JSON::Parser()
        .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/state").body)
        .extract<Json>();
  }
  std::uint64_t successes(const std::string& part) {
    std::uint64_t n = 0;
    const Json all = Poco::JSON::Parser()
                         .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/counters").body)
                         .extract<Json>();
    for (const auto& [label, value] : *all->getObject("endpoints")) {
      if (label.find(part) == std::string::npos) continue;
      auto byStatus = value.extract<Json>();
      for (const char* s : {"200", "201", "204"}) {
        if (byStatus->has(s)) n += byStatus->getValue<std::uint64_t>(s);
      }
    }
    return n;
  }

  std::uint64_t maasRequests() {
    return Poco::JSON::Parser()
        .parse(maassim::testing::Call(sim_->port(), "GET", "/_sim/counters").body)
        .extract<Json>()
        ->getValue<std::uint64_t>("total");
  }

  // name -> object of every MaasMachine; empty when the API does not answer.
  std::map<std::string, Json> machines(std::string* body = nullptr) {
    std::map<std::string, Json> out;
    Reply r = api("GET", std::string(kInfra) + "maasmachines");
    if (body != nullptr) *body = r.body;
    if (r.status != 200) return out;
    auto items = r.object()->getArray("items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto o = items->getObject(static_cast<unsigned>(i));
      out[o->getObject("metadata")->getValue<std::string>("name")] = o;
    }
    return out;
  }
  static bool ready(const Json& o) {
    auto s = o->getObject("status");
    return s && s->optValue<bool>("ready", false);
  }
  static std::string systemID(const Json& o) {
    auto s = o->getObject("status");
    return s ? s->optValue<std::string>("systemID", "") : "";
  }

  // How often each fault fired (the chaos plugin logs one line per fault, crashes included).
  std::map<std::string, int> faultCounts() {
    std::map<std::string, int> out;
    std::ifstream in(dir_.path("faults.log"));
    std::string fault, key;
    while (in >> fault >> key) ++out[fault];
    return out;
  }

  // Every healthy machine Ready, every faulty one Ready=False with its expected reason/message.
  bool settled(const std::map<std::string, Json>& all, std::string* why) {
    for (const auto& name : healthy_) {
      auto it = all.find(name);
      if (it == all.end() || !ready(it->second)) return *why = name + " not Ready", false;
    }
    for (const auto& f : kFaults) {
      auto it = all.find("fault-" + f.fault);
      if (it == all.end()) return *why = "fault-" + f.fault + " missing", false;
      auto c = conditionOf(it->second, "Ready");
      if (ready(it->second) || !c || c->optValue<std::string>("status", "") != "False" ||
          c->optValue<std::string>("reason", "") != f.reason ||
          c->optValue<std::string>("message", "").find(f.message) == std::string::npos) {
        std::ostringstream s;
        if (c) c->stringify(s);
        return *why = "fault-" + f.fault + ": " + s.str(), false;
      }
    }
    return true;
  }

  // The crashed daemon: died of SIGSEGV, its stderr names the plugin, operation and object.
  void expectCrashReport() {
    const auto code = daemon_->waitExit(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << "the daemon survived a plugin's SIGSEGV";
    ++crashes_;
    // The plugin's own signal, not the SIGABRT of a handler installed before the host's
    // (under AddressSanitizer, its report and exit code instead).
#if defined(__SANITIZE_ADDRESS__)
    EXPECT_NE(*code, 0) << "exit " << *code;
#else
    EXPECT_EQ(*code, 128 + SIGSEGV) << "exit " << *code;
#endif
    crashSignal_ = *code - 128;
    const std::string log = daemon_->stderrText();
    EXPECT_NE(log.find("maasprovd: fatal signal during plugin call: "), std::string::npos) << log;
    EXPECT_NE(log.find("plugin 'chaos' reconcile MaasMachine/default/crash-0"), std::string::npos)
        << log;
  }

  int machines_ = envInt("CHAOS_MACHINES", 8);
  unsigned seed_ = static_cast<unsigned>(envInt("CHAOS_SEED", 11));
  std::string logLevel_ = std::getenv("CHAOS_LOG_LEVEL") ? std::getenv("CHAOS_LOG_LEVEL") : "info";
  Workdir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::map<std::string, std::string> initial_;
  std::set<std::string> healthy_;
  int port_ = 0, starts_ = 0, crashes_ = 0, crashSignal_ = 0;
};

TEST_F(PluginChaos, PluginFaults) {
  ASSERT_NO_FATAL_FAILURE(startDaemon());
  const int firstPid = daemon_->pid();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(api("POST", std::string(kInfra) + "maasclusters",
                R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasCluster",)"
                R"("metadata":{"name":"c1"},"spec":{"dnsDomain":"maas",)"
                R"("failureDomains":["zone-a","zone-b","zone-c"]}})")
                .status,
            201);
  std::set<std::string> names;
  for (int i = 0; i < machines_; ++i) {
    const bool isLxd = i < lxd();
    const std::string name = (isLxd ? "vm-" : "metal-") + std::to_string(i);
    healthy_.insert(name);
    names.insert(name);
    Reply r = api("POST", std::string(kInfra) + "maasmachines",
                  machineDocument(name, isLxd, i == 0, kUserData));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  for (const auto& f : kFaults) {
    const std::string name = "fault-" + f.fault;
    names.insert(name);
    Reply r = api("POST", std::string(kInfra) + "maasmachines",
                  machineDocument(name, false, false, kUserData,
                                  "\"" + std::string(kFaultLabel) + "\":\"" + f.fault + "\""));
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // 1. Healthy machines converge next to the misbehaving ones; the daemon stays up.
  const auto limit = std::chrono::seconds(120 + 3 * machines_);
  std::string why, body;
  ASSERT_TRUE(waitFor([&] { return settled(machines(), &why); }, limit))
      << why << "\nlog:\n"
      << daemon_->stderrText().substr(0, 6000);
  const double convergedSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Let the faulty machines be retried a few times more (backoff_max 3 s): still contained.
  std::this_thread::sleep_for(std::chrono::seconds(8));
  auto all = machines(&body);
  ASSERT_TRUE(settled(all, &why)) << why;
  EXPECT_TRUE(isValidUtf8(body)) << "the machine list is not valid UTF-8";
  EXPECT_TRUE(daemon_->running());
  EXPECT_EQ(daemon_->pid(), firstPid);
  EXPECT_EQ(api("GET", "/healthz").status, 200);
  const auto beforeCrash = faultCounts();
  for (const auto& f : kFaults) {
    const int entered = beforeCrash.count(f.fault) ? beforeCrash.at(f.fault) : 0;
    if (f.fault == "block") {
      // The host never runs two calls for one object at once: while the abandoned call still
      // blocks, every retry is refused without entering the plugin.
      EXPECT_EQ(entered, 1) << "block was entered again while its first call still ran";
    } else {
      EXPECT_GE(entered, 2) << f.fault << " was not retried";
    }
  }
  // The abandoned block call keeps its thread (the plugin never returns).
  const int threads = threadsOf(daemon_->pid());
  const int blocked = beforeCrash.count("block") ? beforeCrash.at("block") : 0;
  std::map<std::string, std::string> outcomes;
  for (const auto& f : kFaults) {
    auto c = conditionOf(all.at("fault-" + f.fault), "Ready");
    outcomes[f.fault] = c->getValue<std::string>("reason") + " \"" +
                        c->getValue<std::string>("message").substr(0, 90) + "\"";
  }

  // 2. A plugin crash takes the daemon; stderr names plugin, operation and object.
  writeFile(dir_.path("crash-armed"), "armed\n", 0600);
  names.insert("crash-0");
  ASSERT_EQ(api("POST", std::string(kInfra) + "maasmachines",
                machineDocument("crash-0", false, false, kUserData,
                                "\"" + std::string(kFaultLabel) + "\":\"crash\""))
                .status,
            201);
  ASSERT_NO_FATAL_FAILURE(expectCrashReport());
  // systemd restarts it: the start-up resync reconciles crash-0 again and it crashes again,
  // maybe before its API is up (the resync starts first).
  launchDaemon();
  ASSERT_NO_FATAL_FAILURE(expectCrashReport());
  // The plugin is fixed (crash-0 now gets the real answer); the next restart sticks.
  std::filesystem::remove(dir_.path("crash-armed"));
  ASSERT_NO_FATAL_FAILURE(startDaemon());
  all = machines();
  for (const auto& name : healthy_) {
    ASSERT_TRUE(all.count(name) && ready(all.at(name))) << name << " lost Ready over the crashes";
  }
  ASSERT_TRUE(waitFor(
      [&] {
        auto now = machines();
        return now.count("crash-0") && ready(now.at("crash-0")) && settled(now, &why);
      },
      limit))
      << why;
  EXPECT_TRUE(daemon_->running());

  // 3. Nothing duplicated, leaked or lost: one MAAS machine or VM per object, nothing else.
  all = machines();
  std::set<std::string> listed, ownedIds;
  for (const auto& [name, o] : all) {
    listed.insert(name);
    if (!systemID(o).empty()) ownedIds.insert(systemID(o));
  }
  const int lost = static_cast<int>(names.size()) - static_cast<int>(listed.size());
  EXPECT_EQ(listed, names);
  const auto nowHeld = heldInMaas(simState());
  int leaks = 0;
  for (const auto& [id, host] : nowHeld) {
    if (!ownedIds.count(id) && !initial_.count(id)) {
      ++leaks;
      ADD_FAILURE() << "MAAS holds " << host << " (" << id << ") that no object owns";
    }
  }
  const int metalObjects = metal() + static_cast<int>(kFaults.size()) + 1;
  int duplicates = static_cast<int>(all.size()) - static_cast<int>(ownedIds.size());
  const auto composes = successes("op=compose");
  const auto allocates = successes("op=allocate");
  duplicates += static_cast<int>(composes) - lxd();
  duplicates += static_cast<int>(allocates) - (metalObjects + lxd());
  EXPECT_EQ(nowHeld.size(), initial_.size() + names.size());

  // 4. Delete everything: MAAS returns to where it started.
  for (const auto& name : names) {
    Reply r = api("DELETE", std::string(kInfra) + "maasmachines/" + name);
    EXPECT_TRUE(r.status == 200 || r.status == 202) << name << ": " << r.body;
  }
  api("DELETE", std::string(kInfra) + "maasclusters/c1");
  // fault-block's reconcile still blocks (it ignores cancellation): the host runs no second call
  // for that object, so its removal waits, saying why, while every other machine goes.
  EXPECT_TRUE(waitFor(
      [&] {
        auto now = machines();
        return now.size() == 1 && now.count("fault-block") &&
               conditionOf(now.at("fault-block"), "Ready")
                       ->getValue<std::string>("message")
                       .find("still running") != std::string::npos;
      },
      limit))
      << "only fault-block should wait, for its earlier call";
  // Only a restart ends a call that never returns (systemd's job when an operator restarts
  // the unit); the new process's first call for it is the removal.
  daemon_->signal(SIGTERM);
  ASSERT_TRUE(daemon_->waitExit(std::chrono::seconds(30)).has_value()) << "SIGTERM ignored";
  ASSERT_NO_FATAL_FAILURE(startDaemon());
  EXPECT_TRUE(waitFor(
      [&] {
        Reply r = api("GET", std::string(kInfra) + "maasmachines");
        return r.status == 200 && r.object()->getArray("items")->size() == 0 &&
               api("GET", std::string(kInfra) + "maasclusters/c1").status == 404;
      },
      limit));
  EXPECT_TRUE(
      waitFor([&] { return heldInMaas(simState()) == initial_; }, std::chrono::seconds(60)));
  for (const auto& [id, host] : heldInMaas(simState())) {
    if (!initial_.count(id)) ++leaks;
  }
  EXPECT_TRUE(daemon_->running());
  for (int i = 1; i <= starts_; ++i) {
    const std::string log =
        daemon::testing::readFile(dir_.path("maasprovd-" + std::to_string(i) + ".log"));
    for (const std::string& secret : {SimProcess::default_api_key(), std::string(kToken),
                                      std::string(kUserData), std::string("#cloud-config")}) {
      EXPECT_EQ(log.find(secret), std::string::npos)
          << "maasprovd log " << i << " shows " << secret;
    }
  }

  if (const char* keep = std::getenv("CHAOS_KEEP_LOGS"); keep != nullptr && *keep != '\0') {
    for (int i = 1; i <= starts_; ++i) {  // for reading after the run
      const std::string log = "maasprovd-" + std::to_string(i) + ".log";
      std::filesystem::copy_file(dir_.path(log), std::filesystem::path(keep) / log,
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
  const auto counts = faultCounts();
  int injected = 0;
  std::ostringstream perFault;
  const char* signal = crashSignal_ == SIGSEGV   ? "SIGSEGV"
                       : crashSignal_ == SIGABRT ? "SIGABRT"
                                                 : "?";
  for (const auto& [fault, n] : counts) {
    injected += n;
    perFault << " " << fault << "=" << n;
    if (outcomes.count(fault)) {
      perFault << " (" << outcomes.at(fault) << ")";
    } else if (fault == "crash") {
      perFault << " (a null write; the daemon died of " << signal
               << ", its stderr naming plugin, operation and object)";
    }
    perFault << ";";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "CHAOS SUMMARY plugin-faults: machines=%zu (healthy %d: lxd %d, bare-metal %d; misbehaving "
      "%zu; crashing 1) kills=0 crashes=%d (%s) restarts=%d injected_faults=%d duplicates=%d "
      "leaks=%d lost=%d healthy_ready_in=%.0fs daemon_threads=%d with %d abandoned block calls "
      "maas_requests=%llu allocates=%llu composes=%llu run=%.0fs seed=%u\n"
      "CHAOS SUMMARY plugin-faults outcomes:%s\n",
      names.size(), machines_, lxd(), metal(), kFaults.size(), crashes_, signal, starts_ - 1,
      injected, duplicates, leaks, lost, convergedSeconds, threads, blocked,
      static_cast<unsigned long long>(maasRequests()), static_cast<unsigned long long>(allocates),
      static_cast<unsigned long long>(composes), seconds, seed_, perFault.str().c_str());
  std::fflush(stdout);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(leaks, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(crashes_, 2);
}

}  // namespace
}  // namespace maasprov::chaos
