#include "framework/api/request_metrics.hpp"

#include <sstream>

namespace maasprov::api {
namespace {

// Routes and methods come from fixed tables, but escape anyway: the format demands it.
std::string escapeLabel(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void RequestMetrics::count(const std::string& route, const std::string& method, int code) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, code}];
}

std::string RequestMetrics::text() const {
  std::ostringstream out;
  out << "# HELP maasprov_api_requests_total REST API requests by route, method and status code.\n"
      << "# TYPE maasprov_api_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : requests_) {
      const auto& [route, method, code] = key;
      out << "maasprov_api_requests_total{route=\"" << escapeLabel(route) << "\",method=\""
          << escapeLabel(method) << "\",code=\"" << code << "\"} " << value << "\n";
    }
  }
  out << "# HELP maasprov_api_watches_open Watch streams currently open.\n"
      << "# TYPE maasprov_api_watches_open gauge\n"
      << "maasprov_api_watches_open " << watches_.load() << "\n";
  return out.str();
}

}  // namespace maasprov::api
