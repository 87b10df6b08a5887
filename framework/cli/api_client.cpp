#include "framework/cli/api_client.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <sstream>

#include "framework/cli/cli_error.hpp"

namespace maasprov::cli {
namespace {

constexpr int kRequestTimeoutSeconds = 30;

std::unique_ptr<Poco::Net::HTTPClientSession> openSession(const std::string& server,
                                                          int timeoutSeconds) {
  Poco::URI uri(server);
  auto session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  session->setTimeout(Poco::Timespan(timeoutSeconds, 0));
  return session;
}

// The Status message of an error body, on one line; the raw text when it is not a Status.
std::string statusMessage(const std::string& body, std::string* reason) {
  try {
    auto json = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    if (json && json->has("message")) {
      if (reason) *reason = json->optValue<std::string>("reason", "");
      std::string message = json->getValue<std::string>("message");
      Poco::replaceInPlace(message, std::string("\n"), std::string("; "));
      return message;
    }
  } catch (const Poco::Exception&) {
  }
  std::string text = Poco::trim(body);
  Poco::replaceInPlace(text, std::string("\n"), std::string(" "));
  return text;
}

}  // namespace

std::string queryEscape(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]% ", out);
  return out;
}

ApiClient::ApiClient(ClientConfig config) : config_(std::move(config)) {}
ApiClient::~ApiClient() = default;

void ApiClient::unreachable(const std::string& why) const {
  throw CliError(kExitUnreachable, "cannot reach maasprovd at " + config_.server + ": " + why +
                                       " (is it running? set --server or MAASPROV_SERVER)");
}

void ApiClient::fail(int status, const std::string& body) const {
  std::string reason;
  std::string message = statusMessage(body, &reason);
  if (status == 401) {
    if (config_.token.empty()) {
      throw CliError(kExitAuth,
                     "authentication failed: no API token configured (give --token-file, "
                     "set MAASPROV_TOKEN or token_file in " +
                         config_.configFile + ")");
    }
    throw CliError(kExitAuth, "authentication failed: maasprovd at " + config_.server +
                                  " refused the token from " + config_.tokenSource);
  }
  if (status == 403 && message.find("bearer token") != std::string::npos) {
    throw CliError(kExitAuth, "authentication failed: maasprovd at " + config_.server +
                                  " does not accept the token from " + config_.tokenSource);
  }
  if (message.empty()) message = "maasprovd answered HTTP " + std::to_string(status);
  throw CliError(kExitFailed, message);
}

ApiResponse ApiClient::exchange(const std::string& method, const std::string& pathAndQuery,
                                const std::string& body, const std::string& contentType) {
  // One retry on a fresh connection: the server closes idle keep-alive connections after 5 s.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!session_) session_ = openSession(config_.server, kRequestTimeoutSeconds);
      Poco::Net::HTTPRequest request(method, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
      request.setKeepAlive(true);
      if (!config_.token.empty()) request.set("Authorization", "Bearer " + config_.token);
      request.set("Accept", "application/json");
      if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        request.setContentType(contentType);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
      }
      std::ostream& out = session_->sendRequest(request);
      out << body;
      Poco::Net::HTTPResponse response;
      std::istream& in = session_->receiveResponse(response);
      ApiResponse r;
      r.status = response.getStatus();
      Poco::StreamCopier::copyToString(in, r.body);
      r.applyResult = response.get("X-Maasprov-Apply-Result", "");
      return r;
    } catch (const Poco::Net::NoMessageException&) {
      session_.reset();
      if (attempt == 0) continue;
      unreachable("the connection was closed without an answer");
    } catch (const Poco::TimeoutException&) {
      session_.reset();
      unreachable("no answer within " + std::to_string(kRequestTimeoutSeconds) + " s");
    } catch (const Poco::Net::ConnectionResetException&) {
      session_.reset();
      if (attempt == 0) continue;
      unreachable("the connection was reset");
    } catch (const Poco::Exception& e) {
      session_.reset();
      unreachable(e.displayText());
    }
  }
}

ApiResponse ApiClient::send(const std::string& method, const std::string& pathAndQuery,
                            const std::string& body, const std::string& contentType) {
  ApiResponse r = exchange(method, pathAndQuery, body, contentType);
  if (r.status < 200 || r.status >= 300) fail(r.status, r.body);
  return r;
}

ApiResponse ApiClient::sendAllowMissing(const std::string& method,
                                        const std::string& pathAndQuery) {
  ApiResponse r = exchange(method, pathAndQuery, {}, "application/json");
  if (r.status == 404) return r;
  if (r.status < 200 || r.status >= 300) fail(r.status, r.body);
  return r;
}

Poco::JSON::Object::Ptr ApiClient::getJson(const std::string& pathAndQuery) {
  ApiResponse r = send("GET", pathAndQuery);
  try {
    auto json = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
    if (json) return json;
  } catch (const Poco::Exception&) {
  }
  throw CliError(kExitFailed, "maasprovd answered GET " + pathAndQuery +
                                  " with something that is "
                                  "not a JSON object");
}

std::unique_ptr<WatchStream> ApiClient::watch(const std::string& pathAndQuery, int timeoutSeconds) {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  try {
    // The server ends the stream after timeoutSeconds; allow it some slack before giving up.
    session = openSession(config_.server, timeoutSeconds + 15);
    Poco::Net::HTTPRequest request("GET", pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!config_.token.empty()) request.set("Authorization", "Bearer " + config_.token);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    if (response.getStatus() != 200) {
      std::string body;
      Poco::StreamCopier::copyToString(in, body);
      fail(response.getStatus(), body);
    }
    return std::make_unique<WatchStream>(std::move(session), in, *this);
  } catch (const CliError&) {
    throw;
  } catch (const Poco::Exception& e) {
    unreachable(e.displayText());
  }
}

WatchStream::WatchStream(std::unique_ptr<Poco::Net::HTTPClientSession> session, std::istream& body,
                         const ApiClient& client)
    : session_(std::move(session)), body_(body), client_(client) {}

Poco::JSON::Object::Ptr WatchStream::next() {
  std::string line;
  try {
    while (std::getline(body_, line)) {
      if (Poco::trim(line).empty()) continue;
      return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    }
  } catch (const Poco::JSON::JSONException& e) {
    throw CliError(kExitFailed, "maasprovd sent a watch event that is not JSON: " + e.message());
  } catch (const Poco::Exception& e) {
    client_.unreachable("the watch stream broke: " + e.displayText());
  }
  return nullptr;
}

}  // namespace maasprov::cli
