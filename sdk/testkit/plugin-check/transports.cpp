#include "transports.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

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

namespace {
// The top-level "system_id" of a MAAS answer; "" when the body is not such an object.
std::string systemIdOf(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    auto obj = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    return obj ? obj->optValue<std::string>("system_id", "") : std::string();
  } catch (const std::exception&) {
    return {};
  }
}
}  // namespace

maas::Response RecordingTransport::send(const maas::Request& request) {
  Event e{Event::Kind::MaasRequest, request.method, request.path, request.op, -1, "", ""};
  if (e.isAcquisition()) {
    for (const auto& [key, value] : request.params) {
      if (key == "system_id") e.requestedSystemId = value;
    }
  }
  try {
    maas::Response r = inner_.send(request);
    e.status = r.status;
    if (e.isAcquisition() && e.succeeded()) e.answeredSystemId = systemIdOf(r.body);
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
  config.connectTimeout = std::chrono::milliseconds(3000);
  // The kit's rounds already repeat reconciles; a short retry budget keeps a dead MAAS quick.
  config.retry.maxAttempts = 2;
  config.retry.maxBackoff = std::chrono::milliseconds(1000);
  return std::make_unique<maas::Client>(config);
}

std::string probeMaas(const std::string& url, const std::string& key) {
  try {
    auto client = makeMaasClient(url, key);
    maas::Request req;
    req.method = "GET";
    req.path = "version/";
    req.idempotent = true;
    maas::Response r = client->send(req);
    if (r.status == 401 || r.status == 403) {
      return "MAAS refused the API key (HTTP " + std::to_string(r.status) + ")";
    }
    if (r.status != 200) return "GET version/ answered HTTP " + std::to_string(r.status);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace maasprov::check
