// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) for the API server's /metrics.
//
// Families are created once (usually at start-up) and live as long as the Registry; callers keep
// the returned references. Series are created on first use of a label-value combination.
// Collectors are callbacks run at the start of render() to refresh values that are cheaper to
// read on demand (queue depth, the MAAS client's counters, machines by phase).
//
// Ownership: the Registry owns its families; references to them stay valid until it is
// destroyed. Thread-safety: every method of Registry and of the families may be called
// concurrently from any thread; collectors run on the rendering thread and must not call
// render() themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace maasprov::metrics {

using LabelValues = std::vector<std::string>;

enum class FamilyType { Counter, Gauge, Histogram };

class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labelNames, FamilyType type);
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  // Appends this family's HELP, TYPE and sample lines to `out`.
  virtual void render(std::string& out) const = 0;

 protected:
  // Throws std::invalid_argument unless `values` has one entry per label name.
  void checkArity(const LabelValues& values) const;
  // `{a="x",b="y"}` (empty when the family has no labels), plus `extra` (e.g. le="0.5").
  std::string labelText(const LabelValues& values, const std::string& extra = {}) const;
  void renderHeader(std::string& out) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labelNames_;
  const FamilyType type_;
  mutable std::mutex mutex_;
};

// A value per label combination: counters only go up (inc), gauges also go down (set/add).
// `set` on a counter mirrors a count kept elsewhere (e.g. the MAAS client's request counts).
class ValueFamily final : public Family {
 public:
  using Family::Family;
  void inc(const LabelValues& values, double by = 1.0);
  void set(const LabelValues& values, double value);
  // Replaces every series at once (a collector's snapshot, e.g. machines by phase).
  void replaceAll(const std::map<LabelValues, double>& series);
  double value(const LabelValues& values) const;  // 0 for a series never touched
  void render(std::string& out) const override;

 private:
  std::map<LabelValues, double> series_;
};

class HistogramFamily final : public Family {
 public:
  // `bounds` are the upper bounds of the buckets, strictly increasing; +Inf is implied.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labelNames,
                  std::vector<double> bounds);
  void observe(const LabelValues& values, double value);
  std::uint64_t count(const LabelValues& values) const;
  double sum(const LabelValues& values) const;
  void render(std::string& out) const override;

 private:
  struct Series {
    std::vector<std::uint64_t> buckets;  // non-cumulative, one per bound
    std::uint64_t count = 0;
    double sum = 0.0;
  };
  const std::vector<double> bounds_;
  std::map<LabelValues, Series> series_;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each throws std::invalid_argument for a name or label name Prometheus would reject, or a
  // name already registered.
  ValueFamily& counter(const std::string& name, const std::string& help,
                       std::vector<std::string> labelNames = {});
  ValueFamily& gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> labelNames = {});
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> labelNames, std::vector<double> bounds);

  // Runs before every render(), in registration order. Exceptions are swallowed (a broken
  // collector must not break /metrics); the family keeps its last values.
  void addCollector(std::function<void()> collector);

  // Every family, in registration order, in the Prometheus text format.
  std::string render() const;

 private:
  template <typename F, typename... Args>
  F& add(const std::string& name, Args&&... args);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
  std::vector<std::function<void()>> collectors_;
};

// Prometheus' text-format escaping of a label value (backslash, double quote, newline).
std::string escapeLabelValue(const std::string& value);
// A sample value as Prometheus writes it: integers without a fraction, +Inf, -Inf, NaN.
std::string formatValue(double value);

}  // namespace maasprov::metrics
