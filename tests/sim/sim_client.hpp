// Raw HTTP helper for the maas-sim tests: one request over a real loopback socket, with the
// OAuth 1.0 PLAINTEXT header written out by hand (deliberately not our framework client).
//
// Ownership: values only. Thread-safety: each call opens its own connection; safe to use from
// many threads at once.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <atomic>
#include <string>
#include <utility>
#include <vector>

namespace maassim::testing {

using Form = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
  Poco::JSON::Object::Ptr object() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  Poco::JSON::Array::Ptr array() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Array::Ptr>();
  }
};

// `Authorization: OAuth ...` for consumer:token:secret, PLAINTEXT, fresh nonce each call.
inline std::string OAuthHeader(const std::string& consumer, const std::string& token,
                               const std::string& secret) {
  static std::atomic<int> nonce{0};
  std::string sig;
  Poco::URI::encode("&" + secret, "&=:/", sig);
  return "OAuth oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", "
         "oauth_consumer_key=\"" +
         consumer + "\", oauth_token=\"" + token + "\", oauth_signature=\"" + sig +
         "\", oauth_nonce=\"n" + std::to_string(++nonce) + "\", oauth_timestamp=\"1764000000\"";
}

inline std::string DefaultAuth() {
  return OAuthHeader("maasprov", "sim", "secret");
}

// `path` is relative to the host (e.g. "/MAAS/api/2.0/machines/?op=allocate"); `form` goes
// url-encoded in the body for POST/PUT, in the query string otherwise. `auth` empty = no header.
inline HttpResult Call(unsigned short port, const std::string& method, const std::string& path,
                       const Form& form = {}, const std::string& auth = DefaultAuth()) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(20, 0));
  std::string encoded;
  for (const auto& [k, v] : form) {
    std::string ek, ev;
    Poco::URI::encode(k, "&=+;", ek);
    Poco::URI::encode(v, "&=+;", ev);
    encoded += (encoded.empty() ? "" : "&") + ek + "=" + ev;
  }
  bool body = method == "POST" || method == "PUT";
  std::string uri = path;
  if (!body && !encoded.empty()) uri += (uri.find('?') == std::string::npos ? "?" : "&") + encoded;
  Poco::Net::HTTPRequest req(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!auth.empty()) req.set("Authorization", auth);
  if (body) {
    req.setContentType("application/x-www-form-urlencoded");
    req.setContentLength(static_cast<std::streamsize>(encoded.size()));
    session.sendRequest(req) << encoded;
  } else {
    session.sendRequest(req);
  }
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  HttpResult r;
  r.status = resp.getStatus();
  r.content_type = resp.getContentType();
  r.retry_after = resp.get("Retry-After", "");
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

inline std::string Api(const std::string& rest) {
  return "/MAAS/api/2.0/" + rest;
}

}  // namespace maassim::testing
