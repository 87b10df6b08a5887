// ApiServer: the REST API of maasprovd (Poco HTTPServer), Kubernetes-shaped, over a Store.
//
// Serves MaasMachine/MaasCluster objects under /apis/infrastructure.cluster.x-k8s.io/v1beta1,
// user-data Secrets under /api/v1, watches as JSON lines, health, readiness, metrics, plugins
// and VM hosts (docs/api.md lists every endpoint and status code). Every call but /healthz and
// /readyz needs `Authorization: Bearer <token>`.
//
// Ownership: the server keeps a reference to the Store (which must outlive it) and copies the
// options and hooks. Thread-safety: start() and stop() must be called from one thread (the
// owner's); port() and requestMetricsText() may be called from any thread at any time. Hooks
// are called from the server's request threads, concurrently, and must be thread-safe.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/store/store.hpp"

namespace maasprov::api {

struct ApiOptions {
  // host:port to bind; port 0 picks an ephemeral port (see ApiServer::port()).
  std::string listen = "127.0.0.1:5241";
  // Bearer token every authenticated call must carry; must not be empty.
  std::string token;
  // Request bodies larger than this are refused with 413 without being read whole.
  std::size_t maxBodyBytes = 1 << 20;
  // Request threads; each open watch holds one, so at most maxThreads - 1 watches run at once.
  int maxThreads = 8;
  // Namespaces writes are allowed in; empty = all. Reads are never restricted.
  std::vector<std::string> namespaces;
};

// Callbacks into the rest of the daemon. Any may be empty: the endpoint then answers
// 503 (readyz, metrics) or 404 (plugins, vmhosts) with a Status saying so.
struct ApiHooks {
  // Prometheus text exposition served at GET /metrics (fold requestMetricsText() into it).
  std::function<std::string()> metricsText;
  // GET /readyz: 200 when true, 503 when false.
  std::function<bool()> ready;
  // GET /apis/maasprov.io/v1/plugins: served as returned.
  std::function<Poco::JSON::Object::Ptr()> plugins;
  // GET /apis/maasprov.io/v1/vmhosts: served as {"kind":"VMHostList","items":[...]}.
  std::function<Poco::JSON::Array::Ptr()> vmHosts;
};

class ApiServer {
 public:
  // Throws std::invalid_argument naming the option (`listen`, `token`, `maxBodyBytes`,
  // `maxThreads`, `namespaces[i]`) when an option is unusable.
  ApiServer(ApiOptions options, store::Store& store, ApiHooks hooks);
  ~ApiServer();  // stops the server if running
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error naming the address when binding fails.
  void start();
  // Ends open watches cleanly (their streams are terminated), lets requests in flight finish,
  // closes idle connections and joins every request thread. Idempotent.
  void stop();

  // The bound port (the ephemeral one when options.listen asked for port 0); 0 before start().
  std::uint16_t port() const;

  // Prometheus text for this server's own counters: maasprov_api_requests_total{route,method,
  // code} and maasprov_api_watches_open. The daemon appends it to its /metrics text.
  std::string requestMetricsText() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maasprov::api
