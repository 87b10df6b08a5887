// Google Benchmark glue: runs the registered benchmarks with the usual console output, keeps
// each run's time (the median when repetitions are asked for) and turns them into Report
// figures against targets.
//
// Thread-safety: use from main's thread.
#pragma once

#include <benchmark/benchmark.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "report.hpp"

namespace maasprov::bench {

class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred) continue;
      // Plain runs first; a median (with --benchmark_repetitions) replaces them.
      bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Iteration || median) {
        std::string name = r.run_name.str();
        nanos_[name] = r.GetAdjustedRealTime() * toNanos(r.time_unit);
        cpuNanos_[name] = r.GetAdjustedCPUTime() * toNanos(r.time_unit);
        counters_[name] = r.counters;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Real time per iteration in ns of the benchmark run named `name` ("BM_x/1000"). NaN when it
  // did not run (a --benchmark_filter left it out): Report::add drops such figures.
  double nanos(const std::string& name) const {
    auto it = nanos_.find(name);
    return it == nanos_.end() ? kNotRun : it->second;
  }
  // CPU time per iteration of the benchmark's thread: what the work costs, less disturbed than
  // real time by other processes on a loaded machine.
  double cpuNanos(const std::string& name) const {
    auto it = cpuNanos_.find(name);
    return it == cpuNanos_.end() ? kNotRun : it->second;
  }
  double counter(const std::string& name, const std::string& counter) const {
    auto it = counters_.find(name);
    if (it == counters_.end()) return kNotRun;
    auto c = it->second.find(counter);
    return c == it->second.end() ? kNotRun : static_cast<double>(c->second);
  }

 private:
  static constexpr double kNotRun = std::numeric_limits<double>::quiet_NaN();
  static double toNanos(benchmark::TimeUnit u) {
    switch (u) {
      case benchmark::kSecond:
        return 1e9;
      case benchmark::kMillisecond:
        return 1e6;
      case benchmark::kMicrosecond:
        return 1e3;
      default:
        return 1;
    }
  }
  std::map<std::string, double> nanos_;
  std::map<std::string, double> cpuNanos_;
  std::map<std::string, benchmark::UserCounters> counters_;
};

// Initializes Google Benchmark from the command line, runs every benchmark into `reporter`.
inline void runBenchmarks(int argc, char** argv, CapturingReporter& reporter) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
}

}  // namespace maasprov::bench
