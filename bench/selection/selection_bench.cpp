// Scenario 3, host selection: the LXD plugin's SelectOptimalHost (plugins/lxd/selection.hpp,
// linked from its lxd_selection library) choosing a host for one VM among 1,000 and 10,000
// candidates, and placing 1,000 VMs in a row: with the pure function (each placement updating
// the chosen host's use, as the next MAAS snapshot would show it) and through the plugin's
// reservation Ledger (every VM still composing, so each selection subtracts all earlier
// reservations, the concurrent worst case).
//
// Inputs are realistic: three zones, hosts 20-80 % used, a cluster with machines in every zone.
//
//   bench_selection [--quick] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <random>

#include "../common/gbench_report.hpp"
#include "reservations.hpp"
#include "selection.hpp"

namespace maasprov::bench {
namespace {

using lxd::HostCandidate;
using lxd::SelectionInput;

std::vector<HostCandidate> makeHosts(int n) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> usedPct(20, 80);
  std::vector<HostCandidate> hosts;
  hosts.reserve(n);
  const char* zones[] = {"zone-a", "zone-b", "zone-c"};
  for (int i = 0; i < n; ++i) {
    HostCandidate h;
    h.id = i + 1;
    h.zone = zones[i % 3];
    h.name = "lxd-" + h.zone + "-" + std::to_string(i / 3);
    h.totalCores = 32;
    h.cpuOverCommit = 4.0;
    h.usedCores = h.totalCores * 4 * usedPct(rng) / 100;
    h.totalMemoryMB = 131072;
    h.memoryOverCommit = 1.5;
    h.usedMemoryMB = h.totalMemoryMB * usedPct(rng) / 100;
    h.pool = "default";
    h.poolAvailableBytes = int64_t{2000} * 1000 * 1000 * 1000 * (100 - usedPct(rng)) / 100;
    hosts.push_back(std::move(h));
  }
  return hosts;
}

SelectionInput makeInput() {
  SelectionInput in;
  in.request = {2, 4096, int64_t{20} * 1000 * 1000 * 1000};
  in.spreadZones = true;
  in.zoneCounts = {{"zone-a", 9}, {"zone-b", 10}, {"zone-c", 10}};
  // One VM on each of lxd-zone-a-0 ... lxd-zone-a-28 (ids 1, 4, 7, ...: see makeHosts).
  for (int i = 0; i < 29; ++i) in.hostCounts[3 * i + 1] = 1;
  return in;
}

void BM_SelectOne(benchmark::State& state) {
  auto hosts = makeHosts(static_cast<int>(state.range(0)));
  SelectionInput in = makeInput();
  for (auto _ : state) {
    auto r = lxd::SelectOptimalHost(hosts, in);
    benchmark::DoNotOptimize(r.chosen);
  }
}
BENCHMARK(BM_SelectOne)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// 1,000 VMs one after another; each placement is added to the host's use and the spread
// counts, as the next snapshot would show it. Time is per 1,000 VMs.
void BM_ThousandInARow(benchmark::State& state) {
  auto base = makeHosts(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    auto hosts = base;
    SelectionInput in = makeInput();
    state.ResumeTiming();
    for (int vm = 0; vm < 1000; ++vm) {
      auto r = lxd::SelectOptimalHost(hosts, in);
      if (r.chosen < 0) {
        state.SkipWithError("ran out of capacity");
        break;
      }
      auto& h = hosts[static_cast<size_t>(r.chosen)];
      h.usedCores += in.request.cores;
      h.usedMemoryMB += in.request.memoryMB;
      h.poolAvailableBytes -= in.request.diskBytes;
      ++in.zoneCounts[h.zone];
      ++in.hostCounts[h.id];
    }
  }
}
BENCHMARK(BM_ThousandInARow)->Arg(1000)->Unit(benchmark::kMillisecond);

// The same 1,000 VMs through the plugin's Ledger, each reservation still held (composing)
// when the next VM is placed: one MAAS snapshot, growing pending reservations.
void BM_LedgerThousandInARow(benchmark::State& state) {
  auto hosts = makeHosts(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    lxd::Ledger ledger;
    std::vector<lxd::Ledger::Hold> holds;
    holds.reserve(1000);
    {
      lxd::Ledger::Snapshot snap(ledger);
      for (int vm = 0; vm < 1000; ++vm) {
        auto choice = ledger.selectAndReserve(snap, hosts, makeInput(), "default/c0",
                                              "uid-" + std::to_string(vm), {});
        if (choice.result.chosen < 0) {
          state.SkipWithError("ran out of capacity");
          break;
        }
        holds.push_back(std::move(choice.hold));
      }
    }
    state.PauseTiming();
    holds.clear();  // completing 1,000 reservations is not what is measured
    state.ResumeTiming();
  }
}
BENCHMARK(BM_LedgerThousandInARow)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace maasprov::bench

int main(int argc, char** argv) {
  using namespace maasprov::bench;
  // --quick: a short minimum time, for the CI smoke test.
  std::vector<char*> args;
  std::string minTime = "--benchmark_min_time=0.01";
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      args.push_back(minTime.data());
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  CapturingReporter reporter;
  runBenchmarks(n, args.data(), reporter);

  Report report("host-selection");
  report.context("machine", machineDescription());
  report.context("load average", loadAverage());
  report.context("function", "maasprov::lxd::SelectOptimalHost (plugins/lxd/selection.cpp)");
  report.add({"one VM among 1,000 hosts", reporter.nanos("BM_SelectOne/1000") / 1000, "µs",
              Goal::Info, std::nullopt, "real time"});
  report.add({"one VM among 1,000 hosts, CPU time", reporter.cpuNanos("BM_SelectOne/1000") / 1000,
              "µs", Goal::Info, std::nullopt, ""});
  report.add({"one VM among 10,000 hosts", reporter.nanos("BM_SelectOne/10000") / 1000, "µs",
              Goal::AtMost, 200.0, "real time"});
  report.add({"one VM among 10,000 hosts, CPU time", reporter.cpuNanos("BM_SelectOne/10000") / 1000,
              "µs", Goal::AtMost, 200.0, "the thread's CPU time: less disturbed by load"});
  report.add({"1,000 VMs in a row among 1,000 hosts",
              reporter.nanos("BM_ThousandInARow/1000") / 1e6, "ms", Goal::Info, std::nullopt,
              "pure function, use updated after each"});
  report.add({"1,000 VMs in a row through the Ledger (all still composing)",
              reporter.nanos("BM_LedgerThousandInARow/1000") / 1e6, "ms", Goal::Info, std::nullopt,
              "selectAndReserve, 1,000 hosts"});
  report.publish(outputDirectory());
  return 0;
}
