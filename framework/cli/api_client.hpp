// ApiClient: the CLI's HTTP client for maasprovd's REST API (docs/api.md), over Poco::Net.
//
// Every failure becomes a CliError with one clear line and the documented exit code: the
// server cannot be reached (3), the token is missing or refused (4), anything else the server
// refuses carries the server's own Status message (1). The token is sent only in the
// Authorization header and never appears in a message.
//
// Ownership: owns its keep-alive session; a WatchStream owns its own connection.
// Thread-safety: not thread-safe; use one ApiClient per thread.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>

#include <memory>
#include <string>

#include "framework/cli/client_config.hpp"

namespace maasprov::cli {

struct ApiResponse {
  int status = 0;
  std::string body;
  std::string applyResult;  // X-Maasprov-Apply-Result, when present
};

class WatchStream;

class ApiClient {
 public:
  explicit ApiClient(ClientConfig config);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const ClientConfig& config() const { return config_; }

  // Sends one request; returns only 2xx answers, throws CliError for everything else.
  ApiResponse send(const std::string& method, const std::string& pathAndQuery,
                   const std::string& body = {},
                   const std::string& contentType = "application/json");
  // Like send(), but a 404 is returned instead of thrown.
  ApiResponse sendAllowMissing(const std::string& method, const std::string& pathAndQuery);

  // GET that parses a JSON object answer.
  Poco::JSON::Object::Ptr getJson(const std::string& pathAndQuery);

  // Opens a `?watch=1` stream (the query must already carry watch=1).
  std::unique_ptr<WatchStream> watch(const std::string& pathAndQuery, int timeoutSeconds);

  // Turns a non-2xx answer into the CliError main() reports (exit code by status).
  [[noreturn]] void fail(int status, const std::string& body) const;
  // Turns a transport exception into "cannot reach maasprovd at URL: why".
  [[noreturn]] void unreachable(const std::string& why) const;

 private:
  ApiResponse exchange(const std::string& method, const std::string& pathAndQuery,
                       const std::string& body, const std::string& contentType);

  ClientConfig config_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

// One open watch: JSON-lines events until the server ends the stream.
class WatchStream {
 public:
  WatchStream(std::unique_ptr<Poco::Net::HTTPClientSession> session, std::istream& body,
              const ApiClient& client);
  // The next event ({"type","object"}), or null when the stream ended cleanly.
  Poco::JSON::Object::Ptr next();

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::istream& body_;
  const ApiClient& client_;
};

// URL-encodes a query parameter value.
std::string queryEscape(const std::string& value);

}  // namespace maasprov::cli
