// Scenario 2, idle cost: maasprovd holding many Ready machines (10,000 by default).
//
// How it gets there, cheaply and honestly: maas-sim with that many bare-metal machines, no
// latency and a 0.05 s deployment; the machines are applied through the REST API and
// provisioned for real by a daemon tuned for the fill (64 workers, 0.5 s poll). That daemon is
// then stopped and a fresh one started on the same store with the shipped defaults (only
// the bench's paths set), as after an upgrade or a reboot: its start-up resync is measured, and
// once its work queue is empty and stays empty, the idle window: RSS, CPU and MAAS requests.
//
//   bench_idle [--machines 10000] [--window 60] [--timeout 900] [--single-namespace]
//              [--daemon-build DIR]   (another build tree's maasprovd and plugins, for A/B runs)
//              [--set daemon.key=value]...
// A window shorter than 60 s is scaled to per-minute figures and says so.
#include <chrono>
#include <iostream>
#include <thread>

#include "../common/proc_stats.hpp"
#include "../common/report.hpp"
#include "fleet.hpp"
#include "inventory.hpp"
#include "../common/options.hpp"
#include "stack.hpp"

namespace maasprov::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point from) {
  return std::chrono::duration<double>(Clock::now() - from).count();
}

// Waits until `pred` holds; false on timeout or when the daemon died.
template <typename Pred>
bool waitUntil(const Stack& stack, double timeout, Pred pred) {
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout);
  while (Clock::now() < deadline && stack.daemonRunning()) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

int run(const Options& o) {
  int n = static_cast<int>(o.num("machines", 10000));
  double window = o.num("window", 60);
  double timeout = o.num("timeout", 900);
  Fleet fleet = makeFleet(n, 0.0, 50, !o.flag("single-namespace"));

  InventoryShape shape;
  shape.lxdHosts = 0;
  shape.bareMetal = n;
  StackOptions opts;
  opts.inventoryYaml = generateInventory(shape);
  opts.simArgs = {"--deploy-seconds", "0.05", "--release-seconds", "0.05"};
  opts.daemon = {{"controller.workers", "64"}, {"controller.poll_interval", "0.5"}};
  opts.daemonBuild = o.str("daemon-build", "");  // another build's daemon (A/B runs)
  auto tFill = Clock::now();
  Stack stack(opts);

  Report report("idle-N" + std::to_string(n));
  report.context("machine", machineDescription());
  report.context("load average before", loadAverage());
  report.context("fill", std::to_string(n) + " bare-metal MaasMachines in " +
                             std::to_string(fleet.clusters.size()) + " clusters (" +
                             (fleet.namespacePerCluster ? "a namespace each" : "all in default") +
                             "), provisioned for real against maas-sim (0 ms latency, "
                             "0.05 s deploy) by a daemon with 64 workers and a 0.5 s poll");

  std::cout << "filling: " << n << " machines to Ready..." << std::endl;
  applyFleet(stack, fleet, 8);
  auto ready = [&] {
    return sumMetric(stack.metrics(), "maasprov_machines", {"phase=\"Ready\""}) >= n;
  };
  if (!waitUntil(stack, timeout, ready)) {
    std::cerr << "bench_idle: the fill did not finish; daemon log tail:\n"
              << stack.daemonLogTail() << std::endl;
    return 1;
  }
  double fillSeconds = seconds(tFill);
  report.context("fill took", std::to_string(static_cast<int>(fillSeconds)) + " s");

  // The daemon under test: shipped defaults (plus --set overrides), same store, fresh process.
  std::cout << "restarting maasprovd with the shipped defaults..." << std::endl;
  std::map<std::string, std::string> defaults;  // nothing set: the daemon's own defaults
  for (const auto& [k, v] : o.daemon()) defaults[k] = v;
  stack.resetSimCounters();
  auto tStart = Clock::now();
  stack.restartDaemon(defaults);
  int pid = stack.daemonPid();
  // Start-up resync: every machine is reconciled once; done when all are Ready again and the
  // queue has been empty for two consecutive looks.
  int quiet = 0;
  auto settled = [&] {
    auto m = stack.metrics();
    bool idle = sumMetric(m, "maasprov_workqueue_depth") == 0 &&
                sumMetric(m, "maasprov_machines", {"phase=\"Ready\""}) >= n;
    quiet = idle ? quiet + 1 : 0;
    return quiet >= 3;
  };
  bool ok = waitUntil(stack, timeout, settled);
  double resync = seconds(tStart);
  double resyncRequests = 0;
  stack.simCounters(&resyncRequests);
  report.add({"start-up resync: time until all Ready and the queue empty", resync, "s", Goal::Info,
              std::nullopt, ok ? "includes process start" : "DID NOT SETTLE"});
  report.add({"start-up resync: MAAS requests per machine", resyncRequests / n, "requests",
              Goal::Info, std::nullopt, "one reconcile per machine"});
  // The periodic resync (controller.resync_interval, 10 min by default) reconciles everything
  // again, at about the start-up resync's cost: amortized over its interval.
  report.add({"periodic resync amortized (10 min interval)", resyncRequests / 10.0, "requests/min",
              Goal::Info, std::nullopt, "start-up resync's requests / 10"});
  report.add({"start-up resync: controller CPU per machine", cpuSeconds(pid) / n * 1000.0, "ms",
              Goal::Info, std::nullopt, "includes start-up"});

  // The idle window.
  std::cout << "measuring " << window << " s idle..." << std::endl;
  stack.resetSimCounters();
  double cpu0 = cpuSeconds(pid);
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(window));
  double elapsed = seconds(t0);
  double cpu = cpuSeconds(pid) - cpu0;
  double requests = 0;
  auto byEndpoint = stack.simCounters(&requests);
  double perMinute = 60.0 / elapsed;
  std::string scaled = window < 60
                           ? "measured over " + std::to_string(static_cast<int>(elapsed)) +
                                 " s and scaled to a minute"
                           : "measured over " + std::to_string(static_cast<int>(elapsed)) + " s";
  report.add({"RSS holding " + std::to_string(n) + " Ready machines", statusMiB(pid, "VmRSS"),
              "MiB", Goal::AtMost, 64.0, "VmRSS after the resync"});
  report.add({"peak RSS (start-up resync included)", statusMiB(pid, "VmHWM"), "MiB", Goal::AtMost,
              64.0, "VmHWM"});
  report.add({"idle CPU", cpu * perMinute, "s/min", Goal::Info, std::nullopt, scaled});
  report.add({"idle MAAS requests", requests * perMinute, "requests/min", Goal::AtMost, 0.0,
              scaled + "; resync_interval (10 min) not inside the window"});
  for (const auto& [label, count] : byEndpoint) {
    report.add({"  " + label, count * perMinute, "requests/min", Goal::Info, std::nullopt, ""});
  }
  report.context("load average after", loadAverage());
  report.publish(outputDirectory());
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace maasprov::bench

int main(int argc, char** argv) {
  try {
    return maasprov::bench::run(maasprov::bench::Options(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "bench_idle: " << e.what() << std::endl;
    return 1;
  }
}
