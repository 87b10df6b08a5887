#include "framework/metrics/registry.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace maasprov::metrics {
namespace {

bool validName(const std::string& name, bool allowColon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allowColon && c == ':');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void checkNames(const std::string& name, const std::vector<std::string>& labels) {
  if (!validName(name, true)) {
    throw std::invalid_argument("metric name '" + name + "' is not a valid Prometheus name");
  }
  for (const auto& l : labels) {
    if (!validName(l, false) || l == "le" || l.rfind("__", 0) == 0) {
      throw std::invalid_argument("label name '" + l + "' of metric " + name +
                                  " is not a valid Prometheus label name");
    }
  }
}

const char* typeName(FamilyType type) {
  switch (type) {
    case FamilyType::Counter:
      return "counter";
    case FamilyType::Gauge:
      return "gauge";
    case FamilyType::Histogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string escapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::trunc(value) == value && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  // The shortest text that reads back as the same double (0.1, not 0.10000000000000001).
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

Family::Family(std::string name, std::string help, std::vector<std::string> labelNames,
               FamilyType type)
    : name_(std::move(name)),
      help_(std::move(help)),
      labelNames_(std::move(labelNames)),
      type_(type) {
  checkNames(name_, labelNames_);
}

void Family::checkArity(const LabelValues& values) const {
  if (values.size() != labelNames_.size()) {
    throw std::invalid_argument("metric " + name_ + " takes " + std::to_string(labelNames_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
}

std::string Family::labelText(const LabelValues& values, const std::string& extra) const {
  if (values.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += labelNames_[i] + "=\"" + escapeLabelValue(values[i]) + "\"";
  }
  if (!extra.empty()) out += (values.empty() ? "" : ",") + extra;
  return out + "}";
}

void Family::renderHeader(std::string& out) const {
  std::string help;
  for (char c : help_)
    help += c == '\n' ? std::string("\\n") : c == '\\' ? "\\\\" : std::string(1, c);
  out += "# HELP " + name_ + " " + help + "\n# TYPE " + name_ + " " + typeName(type_) + "\n";
}

void ValueFamily::inc(const LabelValues& values, double by) {
  checkArity(values);
  if (type_ == FamilyType::Counter && by < 0) {
    throw std::invalid_argument("counter " + name_ + " cannot go down");
  }
  std::lock_guard lock(mutex_);
  series_[values] += by;
}

void ValueFamily::set(const LabelValues& values, double value) {
  checkArity(values);
  std::lock_guard lock(mutex_);
  series_[values] = value;
}

void ValueFamily::replaceAll(const std::map<LabelValues, double>& series) {
  for (const auto& [values, _] : series) checkArity(values);
  std::lock_guard lock(mutex_);
  series_ = series;
}

double ValueFamily::value(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0.0 : it->second;
}

void ValueFamily::render(std::string& out) const {
  renderHeader(out);
  std::lock_guard lock(mutex_);
  // A family without labels shows 0 before its first update, as client libraries do.
  if (series_.empty() && labelNames_.empty()) out += name_ + " 0\n";
  for (const auto& [values, v] : series_) {
    out += name_ + labelText(values) + " " + formatValue(v) + "\n";
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> labelNames, std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(labelNames), FamilyType::Histogram),
      bounds_(std::move(bounds)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i - 1] < bounds_[i])) {
      throw std::invalid_argument("histogram " + name_ + ": bucket bounds must increase");
    }
  }
}

void HistogramFamily::observe(const LabelValues& values, double value) {
  checkArity(values);
  std::lock_guard lock(mutex_);
  Series& s = series_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++s.buckets[i];
      break;
    }
  }
  ++s.count;
  s.sum += value;
}

std::uint64_t HistogramFamily::count(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

double HistogramFamily::sum(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0.0 : it->second.sum;
}

void HistogramFamily::render(std::string& out) const {
  renderHeader(out);
  std::lock_guard lock(mutex_);
  for (const auto& [values, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      out += name_ + "_bucket" + labelText(values, "le=\"" + formatValue(bounds_[i]) + "\"") + " " +
             std::to_string(cumulative) + "\n";
    }
    out +=
        name_ + "_bucket" + labelText(values, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
    out += name_ + "_sum" + labelText(values) + " " + formatValue(s.sum) + "\n";
    out += name_ + "_count" + labelText(values) + " " + std::to_string(s.count) + "\n";
  }
}

template <typename F, typename... Args>
F& Registry::add(const std::string& name, Args&&... args) {
  auto family = std::make_unique<F>(name, std::forward<Args>(args)...);
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) {
    if (f->name() == name) throw std::invalid_argument("metric " + name + " is registered twice");
  }
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

ValueFamily& Registry::counter(const std::string& name, const std::string& help,
                               std::vector<std::string> labelNames) {
  return add<ValueFamily>(name, help, std::move(labelNames), FamilyType::Counter);
}

ValueFamily& Registry::gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> labelNames) {
  return add<ValueFamily>(name, help, std::move(labelNames), FamilyType::Gauge);
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> labelNames,
                                     std::vector<double> bounds) {
  return add<HistogramFamily>(name, help, std::move(labelNames), std::move(bounds));
}

void Registry::addCollector(std::function<void()> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) {
    try {
      c();
    } catch (...) {  // keep the last values; /metrics must keep answering
    }
  }
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace maasprov::metrics
