// RequestMetrics: counts of API requests by route pattern, method and status code, and the
// number of open watches, rendered in the Prometheus text format.
//
// Routes are patterns ("/api/v1/namespaces/{namespace}/secrets/{name}", "other"), never raw
// paths, so label cardinality stays bounded whatever clients send.
//
// Ownership: owns its counters. Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace maasprov::api {

class RequestMetrics {
 public:
  void count(const std::string& route, const std::string& method, int code);
  void watchOpened() { ++watches_; }
  void watchClosed() { --watches_; }
  int openWatches() const { return watches_.load(); }

  // maasprov_api_requests_total{route,method,code} and maasprov_api_watches_open.
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::atomic<int> watches_{0};
};

}  // namespace maasprov::api
