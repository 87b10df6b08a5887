// Fault injection and request counters for tests and benchmarks.
//
// Faults: per endpoint label ("POST machines op=allocate", or "*" for any), the rates of 503,
// 503 with Retry-After, 409 with Retry-After, connection reset and slow responses. Each label
// draws from its own generator seeded from the global seed, so a given endpoint sees the same
// fault sequence on every run whatever other traffic is interleaved.
//
// Ownership: plain values. Thread-safety: all methods lock an internal mutex.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

namespace maassim {

struct FaultSpec {
  double status_503 = 0;
  double status_503_retry_after = 0;
  double status_409_retry_after = 0;
  double reset = 0;
  double slow = 0;
  int slow_ms = 500;
  int retry_after_seconds = 1;
};

enum class FaultKind { kNone, k503, k503RetryAfter, k409RetryAfter, kReset, kSlow };

struct FaultDecision {
  FaultKind kind = FaultKind::kNone;
  int slow_ms = 0;
  int retry_after_seconds = 0;
};

class Faults {
 public:
  Faults(uint64_t seed, int latency_ms) : seed_(seed), latency_ms_(latency_ms) {}

  // Replaces the configuration from JSON:
  //   {"seed": N, "latency_ms": N, "endpoints": {"LABEL": {"503": r, "503_retry_after": r,
  //    "409_retry_after": r, "reset": r, "slow": r, "slow_ms": N, "retry_after": N}}}
  // Throws std::invalid_argument naming the offending field.
  void Configure(const std::string& json);
  FaultDecision Draw(const std::string& label);
  int latency_ms() const;
  Poco::Dynamic::Var Describe() const;

 private:
  mutable std::mutex mu_;
  uint64_t seed_;
  int latency_ms_;
  std::map<std::string, FaultSpec> specs_;
  std::map<std::string, std::mt19937_64> rngs_;
};

class Counters {
 public:
  void Record(const std::string& label, int status);  // status 0 means connection reset
  Poco::Dynamic::Var Describe() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, uint64_t>> by_label_;
  std::map<std::string, uint64_t> by_status_;
  uint64_t total_ = 0;
};

}  // namespace maassim
