#include "faults.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <functional>
#include <stdexcept>

namespace maassim {

namespace {

double Rate(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& label) {
  if (!o->has(key)) return 0;
  double v = 0;
  try {
    v = o->getValue<double>(key);
  } catch (const Poco::Exception&) {
    throw std::invalid_argument("endpoints." + label + "." + key + ": expected a number");
  }
  if (v < 0 || v > 1)
    throw std::invalid_argument("endpoints." + label + "." + key + ": expected a rate in [0, 1]");
  return v;
}

int Whole(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& where,
          int def) {
  if (!o->has(key)) return def;
  try {
    int v = o->getValue<int>(key);
    if (v < 0) throw std::invalid_argument(key);
    return v;
  } catch (const std::exception&) {
    throw std::invalid_argument(where + key + ": expected a non-negative integer");
  }
}

}  // namespace

void Faults::Configure(const std::string& json) {
  Poco::JSON::Object::Ptr root;
  try {
    root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    throw std::invalid_argument("body: expected a JSON object");
  }
  std::map<std::string, FaultSpec> specs;
  if (root->has("endpoints")) {
    auto eps = root->getObject("endpoints");
    if (!eps) throw std::invalid_argument("endpoints: expected an object of endpoint labels");
    for (const auto& [label, value] : *eps) {
      Poco::JSON::Object::Ptr o;
      try {
        o = value.extract<Poco::JSON::Object::Ptr>();
      } catch (const std::exception&) {
        throw std::invalid_argument("endpoints." + label + ": expected an object");
      }
      FaultSpec s;
      s.status_503 = Rate(o, "503", label);
      s.status_503_retry_after = Rate(o, "503_retry_after", label);
      s.status_409_retry_after = Rate(o, "409_retry_after", label);
      s.reset = Rate(o, "reset", label);
      s.slow = Rate(o, "slow", label);
      if (s.status_503 + s.status_503_retry_after + s.status_409_retry_after + s.reset + s.slow >
          1.0 + 1e-9)
        throw std::invalid_argument("endpoints." + label + ": rates must add up to at most 1");
      s.slow_ms = Whole(o, "slow_ms", "endpoints." + label + ".", 500);
      s.retry_after_seconds = Whole(o, "retry_after", "endpoints." + label + ".", 1);
      specs[label] = s;
    }
  }
  std::lock_guard lock(mu_);
  if (root->has("seed")) seed_ = static_cast<uint64_t>(Whole(root, "seed", "", 0));
  latency_ms_ = Whole(root, "latency_ms", "", latency_ms_);
  specs_ = std::move(specs);
  rngs_.clear();  // every reconfiguration restarts the deterministic sequences
}

FaultDecision Faults::Draw(const std::string& label) {
  std::lock_guard lock(mu_);
  auto it = specs_.find(label);
  std::string key = label;
  if (it == specs_.end()) {
    it = specs_.find("*");
    key = "*";
  }
  if (it == specs_.end()) return {};
  auto rng = rngs_.find(label);
  if (rng == rngs_.end())
    rng = rngs_.emplace(label, std::mt19937_64(seed_ ^ std::hash<std::string>{}(label))).first;
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng->second);
  const FaultSpec& s = it->second;
  FaultDecision d;
  d.slow_ms = s.slow_ms;
  d.retry_after_seconds = s.retry_after_seconds;
  double edge = s.status_503;
  if (u < edge) return d.kind = FaultKind::k503, d;
  if (u < (edge += s.status_503_retry_after)) return d.kind = FaultKind::k503RetryAfter, d;
  if (u < (edge += s.status_409_retry_after)) return d.kind = FaultKind::k409RetryAfter, d;
  if (u < (edge += s.reset)) return d.kind = FaultKind::kReset, d;
  if (u < (edge += s.slow)) return d.kind = FaultKind::kSlow, d;
  return {};
}

int Faults::latency_ms() const {
  std::lock_guard lock(mu_);
  return latency_ms_;
}

Poco::Dynamic::Var Faults::Describe() const {
  std::lock_guard lock(mu_);
  auto out = Poco::makeShared<Poco::JSON::Object>();
  out->set("seed", static_cast<Poco::UInt64>(seed_));
  out->set("latency_ms", latency_ms_);
  auto eps = Poco::makeShared<Poco::JSON::Object>();
  for (const auto& [label, s] : specs_) {
    auto o = Poco::makeShared<Poco::JSON::Object>();
    o->set("503", s.status_503);
    o->set("503_retry_after", s.status_503_retry_after);
    o->set("409_retry_after", s.status_409_retry_after);
    o->set("reset", s.reset);
    o->set("slow", s.slow);
    o->set("slow_ms", s.slow_ms);
    o->set("retry_after", s.retry_after_seconds);
    eps->set(label, o);
  }
  out->set("endpoints", eps);
  return out;
}

void Counters::Record(const std::string& label, int status) {
  std::string key = status == 0 ? "reset" : std::to_string(status);
  std::lock_guard lock(mu_);
  ++by_label_[label][key];
  ++by_status_[key];
  ++total_;
}

Poco::Dynamic::Var Counters::Describe() const {
  std::lock_guard lock(mu_);
  auto out = Poco::makeShared<Poco::JSON::Object>();
  auto labels = Poco::makeShared<Poco::JSON::Object>();
  for (const auto& [label, statuses] : by_label_) {
    auto o = Poco::makeShared<Poco::JSON::Object>();
    uint64_t sum = 0;
    for (const auto& [status, n] : statuses) {
      o->set(status, static_cast<Poco::UInt64>(n));
      sum += n;
    }
    o->set("total", static_cast<Poco::UInt64>(sum));
    labels->set(label, o);
  }
  auto statuses = Poco::makeShared<Poco::JSON::Object>();
  for (const auto& [status, n] : by_status_) statuses->set(status, static_cast<Poco::UInt64>(n));
  out->set("endpoints", labels);
  out->set("statuses", statuses);
  out->set("total", static_cast<Poco::UInt64>(total_));
  return out;
}

void Counters::Reset() {
  std::lock_guard lock(mu_);
  by_label_.clear();
  by_status_.clear();
  total_ = 0;
}

}  // namespace maassim
