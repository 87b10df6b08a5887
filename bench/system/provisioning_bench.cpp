// Scenario 1, provisioning at scale: maas-sim (fixed latency and deploy time, three zones, 60
// LXD hosts, 500 bare-metal machines) and maasprovd with the real plugins; N MaasMachines
// (60 % LXD, 40 % bare metal) applied through the REST API until all are Ready, then deleted
// until all are gone. Prints each phase's figures against the targets.
//
//   bench_provisioning [--sizes 100,1000] [--latency-ms 10] [--deploy-seconds 5]
//                      [--commission-seconds 1] [--release-seconds 1] [--timeout 600]
//                      [--label NAME] [--single-namespace] [--set daemon.key=value]...
//                      [--daemon-build DIR] [--cluster-size 50]
// --daemon-build runs another build tree's maasprovd and plugins under this build's simulator and
// harness: scripts/bench --compare uses it for A/B runs.
// Each cluster lives in its own namespace unless --single-namespace (see docs/performance.md:
// the controller lists a whole namespace per reconcile). --cluster-size sets the machines per
// cluster: what a reconcile costs grows with the cluster it belongs to (docs/performance.md).
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <thread>

#include "../common/options.hpp"
#include "../common/proc_stats.hpp"
#include "../common/report.hpp"
#include "fleet.hpp"
#include "ideal.hpp"
#include "inventory.hpp"
#include "stack.hpp"

namespace maasprov::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  double latencyMs, deploy, commission, release, timeout;
  std::map<std::string, std::string> daemon;
  std::string label;
  bool singleNamespace = false;
  std::string daemonBuild;
  int clusterSize = 50;
};

// What one phase (provision or delete) cost.
struct Phase {
  bool finished = false;
  double wall = 0;
  double cpu = 0;
  double simCpu = 0;  // the simulator's, whose work is the same whatever the daemon
  std::map<std::string, double> simByEndpoint;
  double simTotal = 0;
  std::map<std::string, double> metricsDelta;
  std::string progress;  // last progress line, for timeouts
  double applied = 0;    // seconds until every POST (or DELETE) was answered
  // Seconds until half, 90 % and 99 % of the work was done (as sampled, every 200 ms): where
  // the wall time goes, a steady stream or a long tail.
  std::array<double, 3> milestones{};
  // The same for the MAAS calls that start the last wait (deploy, when provisioning): what
  // comes before them is the controller's burst, what comes after is MAAS's wait and noticing
  // its end.
  std::array<double, 3> started{};
};

constexpr std::array<double, 3> kMilestones = {0.5, 0.9, 0.99};

std::map<std::string, double> minus(const std::map<std::string, double>& a,
                                    const std::map<std::string, double>& b) {
  std::map<std::string, double> out;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    out[k] = v - (it == b.end() ? 0 : it->second);
  }
  return out;
}

// `started` (may be empty) says what fraction of the machines MAAS has been asked to start their
// last wait for.
template <typename Action, typename Done>
Phase measure(const Stack& stack, double timeout, Action action, Done done,
              const std::function<double()>& started = {}) {
  Phase p;
  stack.resetSimCounters();
  auto metrics0 = stack.metrics();
  double cpu0 = cpuSeconds(stack.daemonPid());
  double simCpu0 = cpuSeconds(stack.simPid());
  auto t0 = Clock::now();
  auto since = [&t0] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  action();
  p.applied = since();
  auto deadline = t0 + std::chrono::duration<double>(timeout);
  while (Clock::now() < deadline && stack.daemonRunning()) {
    double fraction = 0;
    const bool finished = done(p.progress, fraction);
    const double startedFraction = started ? started() : 0;
    for (size_t i = 0; i < kMilestones.size(); ++i) {
      if (p.milestones[i] == 0 && fraction >= kMilestones[i]) p.milestones[i] = since();
      if (p.started[i] == 0 && startedFraction >= kMilestones[i]) p.started[i] = since();
    }
    if (finished) {
      p.finished = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  p.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  p.cpu = cpuSeconds(stack.daemonPid()) - cpu0;
  p.simCpu = cpuSeconds(stack.simPid()) - simCpu0;
  p.simByEndpoint = stack.simCounters(&p.simTotal);
  p.metricsDelta = minus(stack.metrics(), metrics0);
  return p;
}

// Requests of a plugin (from the daemon's per-plugin counter) plus its share of the poller's
// batched list calls, which serve every machine alike, per machine of that plugin.
double perMachine(const Phase& p, const std::string& plugin, int count, int total) {
  if (count == 0) return 0;
  double own = sumMetric(p.metricsDelta, "maasprov_plugin_maas_requests_total",
                         {"plugin=\"" + plugin + "\""});
  double poller = sumMetric(p.metricsDelta, "maasprov_poller_requests_total");
  return (own + poller * count / total) / count;
}

void addPhase(Report& report, const std::string& what, const Phase& p, const Fleet& fleet,
              const Chain& bm, const Chain& lxd, const Settings& s, bool gated, int pid) {
  int n = static_cast<int>(fleet.machines.size());
  double idealBm =
      fleet.bareMetalCount() ? bm.seconds(s.latencyMs, s.commission, s.deploy, s.release) : 0;
  double idealLxd =
      fleet.lxdCount() ? lxd.seconds(s.latencyMs, s.commission, s.deploy, s.release) : 0;
  double ideal = std::max(idealBm, idealLxd);
  std::string suffix = " (" + what + ", N=" + std::to_string(n) + ")";
  report.add({"wall time" + suffix, p.wall, "s", Goal::Info, std::nullopt,
              p.finished ? "" : "DID NOT FINISH: " + p.progress});
  report.add({"  requests answered" + suffix, p.applied, "s", Goal::Info, std::nullopt,
              "every POST/DELETE through the REST API"});
  for (size_t i = 0; i < kMilestones.size(); ++i) {
    report.add({"  " + std::to_string(static_cast<int>(kMilestones[i] * 100)) + " % done" + suffix,
                p.milestones[i], "s", Goal::Info, std::nullopt, "sampled every 200 ms"});
  }
  if (p.started.back() > 0) {
    for (size_t i = 0; i < kMilestones.size(); ++i) {
      report.add(
          {"  " + std::to_string(static_cast<int>(kMilestones[i] * 100)) + " % deploying" + suffix,
           p.started[i], "s", Goal::Info, std::nullopt,
           "MAAS asked to deploy (simulator's counter), sampled every 200 ms"});
    }
  }
  report.add({"ideal" + suffix, ideal, "s", Goal::Info, std::nullopt,
              "longest chain: " + (idealLxd >= idealBm ? lxd.describe() : bm.describe())});
  report.add({"wall / ideal" + suffix, ideal > 0 ? p.wall / ideal : 0, "x",
              gated ? Goal::AtMost : Goal::Info, gated ? std::optional<double>(1.2) : std::nullopt,
              gated ? "" : "target applies at N=1000"});
  report.add({"MAAS requests per bare-metal machine" + suffix,
              perMachine(p, "baremetal", fleet.bareMetalCount(), n), "requests", Goal::AtMost, 6.0,
              "plugin's own + share of poller"});
  report.add({"MAAS requests per LXD VM" + suffix, perMachine(p, "lxd", fleet.lxdCount(), n),
              "requests", Goal::AtMost, 8.0, "plugin's own + share of poller"});
  double dns = sumMetric(p.metricsDelta, "maasprov_plugin_maas_requests_total", {"plugin=\"dns\""});
  report.add({"MAAS requests of the DNS plugin per machine" + suffix, dns / n, "requests",
              Goal::Info, std::nullopt, "cluster endpoints"});
  report.add({"MAAS requests per machine, all" + suffix, p.simTotal / n, "requests", Goal::Info,
              std::nullopt, "simulator's total / N"});
  report.add({"  reconciles per machine" + suffix,
              sumMetric(p.metricsDelta, "maasprov_reconciles_total", {"kind=\"MaasMachine\""}) / n,
              "reconciles", Goal::Info, std::nullopt,
              "MaasMachine reconciles / N (clusters: " +
                  std::to_string(static_cast<long>(sumMetric(
                      p.metricsDelta, "maasprov_reconciles_total", {"kind=\"MaasCluster\""}))) +
                  " in all)"});
  report.add({"  poller looks per machine" + suffix,
              sumMetric(p.metricsDelta, "maasprov_poller_machines_total") / n, "looks", Goal::Info,
              std::nullopt,
              "machines the batched polls asked for / N (" +
                  std::to_string(static_cast<long>(
                      sumMetric(p.metricsDelta, "maasprov_poller_requests_total"))) +
                  " requests)"});
  const double writes = sumMetric(p.metricsDelta, "maasprov_store_writes_total");
  const double commits = sumMetric(p.metricsDelta, "maasprov_store_commits_total");
  report.add({"  store writes per machine" + suffix, writes / n, "writes", Goal::Info, std::nullopt,
              std::to_string(static_cast<long>(commits)) + " fsynced commits in all"});
  report.add({"controller CPU per machine" + suffix, p.cpu / n * 1000.0, "ms", Goal::AtMost, 2.0,
              "utime+stime of maasprovd"});
  // The host's speed drifts (a shared VM: 1.5x within minutes); the simulator's CPU for the same
  // work drifts with it, so this ratio is what to compare between runs and builds.
  report.add({"  simulator CPU per machine" + suffix, p.simCpu / n * 1000.0, "ms", Goal::Info,
              std::nullopt, "utime+stime of maas-sim"});
  report.add({"  controller CPU / simulator CPU" + suffix, p.simCpu > 0 ? p.cpu / p.simCpu : 0, "x",
              Goal::Info, std::nullopt, "cancels the host's speed: compare this across runs"});
  report.add({"maasprovd peak RSS" + suffix, statusMiB(pid, "VmHWM"), "MiB", Goal::Info,
              std::nullopt, "VmHWM; the 64 MiB target is for 10,000 machines (idle scenario)"});
  // The split by endpoint, busiest first, as the simulator counted it.
  std::vector<std::pair<double, std::string>> rows;
  for (const auto& [label, count] : p.simByEndpoint) rows.emplace_back(count, label);
  std::sort(rows.rbegin(), rows.rend());
  for (const auto& [count, label] : rows) {
    report.add({"  " + label + suffix, count / n, "per machine", Goal::Info, std::nullopt,
                std::to_string(static_cast<long>(count)) + " in all"});
  }
}

int leftInMaas(const Stack& stack) {
  auto state = stack.simState();
  int left = 0;
  auto machines = state->getArray("machines");
  for (size_t i = 0; i < machines->size(); ++i) {
    auto m = machines->getObject(static_cast<unsigned>(i));
    if (!m->optValue<std::string>("agent_name", "").empty()) ++left;
    if (m->has("pod") && !m->isNull("pod")) ++left;  // a composed VM still there
  }
  return left;
}

// Returns false when a phase did not finish in time (the figures are still printed).
bool runSize(int n, const Settings& s) {
  Fleet fleet = makeFleet(n, 0.6, s.clusterSize, !s.singleNamespace);
  StackOptions opts;
  opts.inventoryYaml = generateInventory({});
  opts.simArgs = {"--latency-ms",         std::to_string(static_cast<int>(s.latencyMs)),
                  "--deploy-seconds",     std::to_string(s.deploy),
                  "--commission-seconds", std::to_string(s.commission),
                  "--release-seconds",    std::to_string(s.release)};
  opts.daemon = s.daemon;
  opts.daemonBuild = s.daemonBuild;
  Stack stack(opts);

  Report report("provisioning-N" + std::to_string(n) + s.label);
  report.context("machine", machineDescription());
  report.context("load average before", loadAverage());
  report.context("maas-sim", "latency " + std::to_string(s.latencyMs) + " ms, deploy " +
                                 std::to_string(s.deploy) + " s, commission " +
                                 std::to_string(s.commission) + " s, release " +
                                 std::to_string(s.release) +
                                 " s; 3 zones, 60 LXD hosts, 500 machines");
  std::string overrides;
  for (const auto& [k, v] : s.daemon) overrides += k + "=" + v + " ";
  report.context("maasprovd build", s.daemonBuild.empty() ? "this build" : s.daemonBuild);
  report.context("maasprovd settings", overrides.empty() ? "shipped defaults" : overrides);
  report.context(
      "fleet", std::to_string(fleet.lxdCount()) + " LXD VMs, " +
                   std::to_string(fleet.bareMetalCount()) + " bare metal, " +
                   std::to_string(fleet.clusters.size()) + " clusters, " +
                   (s.singleNamespace ? "all in namespace default" : "each in its own namespace"));

  auto readyCount = [&](std::string& progress, double& fraction) {
    auto m = stack.metrics();
    double ready = sumMetric(m, "maasprov_machines", {"phase=\"Ready\""});
    fraction = ready / n;
    progress =
        "Ready " + std::to_string(static_cast<int>(ready)) + "/" + std::to_string(n) +
        ", Pending " +
        std::to_string(static_cast<int>(sumMetric(m, "maasprov_machines", {"phase=\"Pending\""}))) +
        ", Provisioning " +
        std::to_string(
            static_cast<int>(sumMetric(m, "maasprov_machines", {"phase=\"Provisioning\""}))) +
        ", Failed " +
        std::to_string(static_cast<int>(sumMetric(m, "maasprov_machines", {"phase=\"Failed\""})));
    return ready >= n;
  };
  report.add({"maasprovd RSS at start (N=" + std::to_string(n) + ")",
              statusMiB(stack.daemonPid(), "VmRSS"), "MiB", Goal::Info, std::nullopt,
              "plugins loaded, empty store"});
  std::cout << "provisioning " << n << " machines..." << std::endl;
  auto deploying = [&] {
    auto counters = stack.simCounters();
    auto it = counters.find("POST machines/{id} op=deploy");
    return it == counters.end() ? 0.0 : it->second / n;
  };
  Phase up = measure(
      stack, s.timeout, [&] { applyFleet(stack, fleet); }, readyCount, deploying);
  addPhase(report, "provision", up, fleet, bareMetalProvision(), lxdProvision(), s, n >= 1000,
           stack.daemonPid());

  auto allGone = [&](std::string& progress, double& fraction) {
    auto m = stack.metrics();
    double left = sumMetric(m, "maasprov_machines");
    fraction = 1.0 - left / n;
    progress = std::to_string(static_cast<int>(left)) + " machines left";
    return left == 0 && clustersGone(stack, fleet);
  };
  std::cout << "deleting " << n << " machines..." << std::endl;
  Phase down = measure(
      stack, s.timeout, [&] { deleteFleet(stack, fleet); }, allGone);
  addPhase(report, "delete", down, fleet, bareMetalRemove(), lxdRemove(), s, false,
           stack.daemonPid());
  report.add({"machines or VMs left in MAAS after delete (N=" + std::to_string(n) + ")",
              static_cast<double>(leftInMaas(stack)), "machines", Goal::AtMost, 0.0, ""});
  report.context("load average after", loadAverage());
  report.publish(outputDirectory());
  if (!up.finished || !down.finished) {
    std::cerr << "maasprovd log tail:\n" << stack.daemonLogTail() << std::endl;
    return false;
  }
  return true;
}

}  // namespace
}  // namespace maasprov::bench

int main(int argc, char** argv) {
  using namespace maasprov::bench;
  try {
    Options o(argc, argv);
    Settings s{o.num("latency-ms", 10),
               o.num("deploy-seconds", 5),
               o.num("commission-seconds", 1),
               o.num("release-seconds", 1),
               o.num("timeout", 600),
               o.daemon(),
               o.str("label", ""),
               o.flag("single-namespace"),
               o.str("daemon-build", ""),
               static_cast<int>(o.num("cluster-size", 50))};
    if (!s.label.empty()) s.label = "-" + s.label;
    bool ok = true;
    for (int n : o.ints("sizes", "100,1000")) ok = runSize(n, s) && ok;
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench_provisioning: " << e.what() << std::endl;
    return 1;
  }
}
