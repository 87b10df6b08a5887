#include "transports.hpp"

#include "framework/maas/client.hpp"

namespace maasprov::check {

void EventLog::add(Event e) {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.push_back(std::move(e));
}

std::vector<Event> EventLog::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

void EventLog::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.clear();
}

maas::Response UnreachableTransport::send(const maas::Request&) {
  throw maas::TransportError("connection refused (maasprov-plugin-check's unreachable MAAS)");
}

CannedTransport::CannedTransport(int status, std::string contentType, std::string body)
    : status_(status), contentType_(std::move(contentType)), body_(std::move(body)) {}

maas::Response CannedTransport::send(const maas::Request&) {
  maas::Response r;
  r.status = status_;
  r.headers.emplace_back("Content-Type", contentType_);
  r.body = body_;
  return r;
}

maas::Response RecordingTransport::send(const maas::Request& request) {
  Event e{Event::Kind::MaasRequest, request.method, request.path, request.op, -1};
  try {
    maas::Response r = inner_.send(request);
    e.status = r.status;
    log_.add(e);
    return r;
  } catch (...) {
    log_.add(e);
    throw;
  }
}

std::unique_ptr<maas::Transport> makeMaasClient(const std::string& url, const std::string& key) {
  maas::ClientConfig config;
  config.url = url;
  config.apiKey = key;
  config.readTimeout = std::chrono::milliseconds(30000);
  return std::make_unique<maas::Client>(config);
}

}  // namespace maasprov::check
