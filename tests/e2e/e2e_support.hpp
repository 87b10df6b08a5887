// Helpers shared by the tests that drive a real maasprovd over its REST API (tests/e2e,
// tests/chaos): one authenticated HTTP call per request, and bounded polling.
//
// Ownership: plain functions and values. Thread-safety: every call has its own session.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace maasprov::e2e {

struct Reply {
  int status = 0;
  std::string body;
  Poco::JSON::Object::Ptr object() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

// One request to the API on 127.0.0.1:`port` with the bearer `token`.
inline Reply apiCall(int port, const std::string& token, const std::string& method,
                     const std::string& path, const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + token);
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  Reply r;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
  r.status = response.getStatus();
  return r;
}

// Polls `probe` every 100 ms until it holds or `limit` has passed; the last probe decides.
inline bool waitFor(const std::function<bool()>& probe, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return probe();
}

}  // namespace maasprov::e2e
