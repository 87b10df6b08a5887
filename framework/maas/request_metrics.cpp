#include "framework/maas/request_metrics.hpp"

namespace maasprov::maas {

void RequestMetrics::record(const std::string& endpoint, int status) {
  std::lock_guard lock(mutex_);
  ++counts_[{endpoint, status}];
}

std::vector<RequestCount> RequestMetrics::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<RequestCount> out;
  out.reserve(counts_.size());
  for (const auto& [key, count] : counts_) out.push_back({key.first, key.second, count});
  return out;
}

}  // namespace maasprov::maas
