// Helpers for the REST API tests: a real SqliteStore in a temporary directory, a real ApiServer
// on an ephemeral 127.0.0.1 port, an HTTP client over real sockets, a watch-stream reader and
// manifest builders.
//
// Ownership: ApiFixture owns its directory, store and server (stopped and removed in TearDown);
// WatchClient owns its connection. Not thread-safe: use each object from one thread.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "framework/api/api_server.hpp"
#include "framework/store/sqlite_store.hpp"

namespace maasprov::api::testing {

inline constexpr const char* kToken = "test-token-5f2a9c";
inline constexpr const char* kInfra = "/apis/infrastructure.cluster.x-k8s.io/v1beta1";

struct HttpResult {
  int status = 0;
  std::string body;
  Poco::Net::NameValueCollection headers;

  // The body parsed as a JSON object (fails the test if it is not one).
  Poco::JSON::Object::Ptr json() const;
  // Status documents: their message.
  std::string message() const;
};

struct RequestSpec {
  RequestSpec(std::string method_, std::string path_)
      : method(std::move(method_)), path(std::move(path_)) {}
  RequestSpec& withBody(std::string body_, std::string contentType_) {
    body = std::move(body_);
    contentType = std::move(contentType_);
    return *this;
  }
  RequestSpec& withToken(const std::string& token_) {
    token = token_;
    return *this;
  }
  RequestSpec& withoutToken() {
    token.reset();
    return *this;
  }
  RequestSpec& withHeader(const std::string& name, const std::string& value) {
    headers[name] = value;
    return *this;
  }

  std::string method;
  std::string path;
  std::string body;
  std::string contentType = "application/json";
  std::optional<std::string> token = std::string(kToken);
  std::map<std::string, std::string> headers;
};

HttpResult send(std::uint16_t port, const RequestSpec& spec);

// Reads a `?watch=1` stream one JSON line at a time. Reads time out after `timeout`, so a
// missing event fails the test instead of hanging it.
class WatchClient {
 public:
  WatchClient(std::uint16_t port, const std::string& pathAndQuery,
              Poco::Timespan timeout = Poco::Timespan(5, 0),
              std::optional<std::string> token = std::string(kToken));
  int status() const { return response_.getStatus(); }
  const Poco::Net::HTTPResponse& response() const { return response_; }
  // The next event, or null at the clean end of the stream. Throws on a read timeout.
  Poco::JSON::Object::Ptr next();
  // The whole remaining body (for error responses).
  std::string rest();
  // Closes the connection abruptly (the client going away).
  void disconnect();

 private:
  Poco::Net::HTTPClientSession session_;
  Poco::Net::HTTPResponse response_;
  std::istream* in_ = nullptr;
};

// Manifests. `extra` lines are appended to the document (YAML) as given.
std::string machineYaml(const std::string& name, const std::string& ns = "default",
                        const std::string& labels = "", const std::string& specExtra = "");
std::string machineJson(const std::string& name, const std::string& ns = "default",
                        const std::string& specExtra = "");
std::string clusterYaml(const std::string& name, const std::string& ns = "default");
std::string secretYaml(const std::string& name, const std::string& base64Value,
                       const std::string& ns = "default");

// Shorthands for metadata fields of a returned object.
std::string metaOf(const Poco::JSON::Object::Ptr& object, const std::string& field);
std::string stringify(const Poco::JSON::Object::Ptr& object);

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Options and hooks used by startServer(); tests may change them before calling it again.
  virtual ApiOptions options() const;
  virtual ApiHooks hooks() const { return {}; }
  virtual std::size_t eventRetention() const { return 10000; }
  void startServer();

  std::uint16_t port() const { return server_->port(); }
  store::Store& store() { return *store_; }
  ApiServer& server() { return *server_; }

  HttpResult get(const std::string& path) { return send(port(), RequestSpec("GET", path)); }
  HttpResult post(const std::string& path, const std::string& body,
                  const std::string& contentType = "application/yaml") {
    return send(port(), RequestSpec("POST", path).withBody(body, contentType));
  }
  HttpResult put(const std::string& path, const std::string& body,
                 const std::string& contentType = "application/json") {
    return send(port(), RequestSpec("PUT", path).withBody(body, contentType));
  }
  HttpResult patch(const std::string& path, const std::string& body,
                   const std::string& contentType = "application/yaml") {
    return send(port(), RequestSpec("PATCH", path).withBody(body, contentType));
  }
  HttpResult del(const std::string& path) { return send(port(), RequestSpec("DELETE", path)); }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<ApiServer> server_;
};

}  // namespace maasprov::api::testing
