// A scenario's figures: each beside its target and a verdict, printed as a table and written as
// JSON under build/bench/ so later runs can be compared.
//
// Ownership: values only. Thread-safety: use from one thread.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace maasprov::bench {

enum class Goal { AtMost, AtLeast, Info };

struct Figure {
  std::string name;  // "wall time to all Ready (N=1000)"
  double value = 0;
  std::string unit;  // "s", "µs", "requests", "MiB", ...
  Goal goal = Goal::Info;
  std::optional<double> target;  // absent: reported for information only
  std::string note;              // how it was measured, or what limits it

  std::string verdict() const;  // "PASS", "MISS (+23%)", "info"
};

class Report {
 public:
  explicit Report(std::string scenario) : scenario_(std::move(scenario)) {}

  // A NaN value is a figure this run did not measure (its benchmark was filtered out): dropped,
  // rather than printed as a number with a verdict.
  void add(Figure f) {
    if (std::isnan(f.value)) return;
    figures_.push_back(std::move(f));
  }
  // Context printed above the table and stored in the JSON (machine, load, settings).
  void context(const std::string& key, const std::string& value);

  // Prints the table to stdout and writes <dir>/<scenario>.json; returns the JSON path.
  std::string publish(const std::string& dir) const;

  const std::vector<Figure>& figures() const { return figures_; }

 private:
  std::string scenario_;
  std::vector<std::pair<std::string, std::string>> context_;
  std::vector<Figure> figures_;
};

// "Intel Xeon ... x2", load averages "1.2 0.9 0.8", and the kernel, for the report's header.
std::string machineDescription();
std::string loadAverage();

// The output directory: $MAASPROV_BENCH_OUT, else <source>/build/bench.
std::string outputDirectory();

}  // namespace maasprov::bench
