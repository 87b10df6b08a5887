// Counts of MAAS API calls by endpoint label and status, for /metrics and for tests.
//
// Ownership: owns its counters. Thread-safety: record() and snapshot() may be called
// concurrently. Labels come from endpointLabel(), which never holds credentials or parameters.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace maasprov::maas {

struct RequestCount {
  std::string endpoint;  // e.g. "POST machines/?op=allocate"
  int status = 0;        // HTTP status; 0 when no response came (timeout, reset, refused)
  std::uint64_t count = 0;
  bool operator==(const RequestCount&) const = default;
};

class RequestMetrics {
 public:
  void record(const std::string& endpoint, int status);
  // Sorted by endpoint, then status.
  std::vector<RequestCount> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> counts_;
};

}  // namespace maasprov::maas
