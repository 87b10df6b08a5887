// The production Transport: an HTTP(S) client for one MAAS region's API.
//
// Authenticates with the MAAS API key (OAuth 1.0 PLAINTEXT), verifies TLS certificates unless
// told otherwise, reuses keep-alive connections from a bounded pool, and retries what MAAS asks
// to retry (503/409 with Retry-After) and what is safe to repeat (see retry_policy.hpp).
// send() returns MAAS's answer whatever its status; map it with errors.hpp, or use the typed
// operations (machines.hpp, vm_hosts.hpp, dns_resources.hpp, inventory.hpp).
//
// Ownership: a Client owns its connections and its counters; it must outlive the threads
// calling it. Thread-safety: send() and requestCounts() may be called concurrently; at most
// maxConnections requests are in flight, further callers wait for a free connection.
// The API key never appears in logs, exceptions or metrics.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "framework/maas/request_metrics.hpp"
#include "framework/maas/retry_policy.hpp"
#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct ClientConfig {
  // The region's URL, e.g. "http://127.0.0.1:5240/MAAS"; "/api/2.0" and a trailing '/' are
  // optional. http or https.
  std::string url;
  std::string apiKey;  // "consumer:token:secret"
  // PEM file of the CA(s) to trust for https; empty means the system's default CAs.
  std::string caFile;
  // Turning this off accepts any certificate; the client logs a warning when it is off.
  bool verifyTls = true;
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds readTimeout{60000};  // per socket read or write, not per request
  int maxConnections = 8;                        // concurrent requests, and pooled connections
  // An idle pooled connection older than this is reopened rather than reused, so that the
  // server's own idle timeout does not break a request that cannot be repeated.
  std::chrono::milliseconds idleTimeout{5000};
  RetrySettings retry;
};

class Client : public Transport {
 public:
  // Throws ConfigError naming the setting when the config is unusable (url, apiKey, caFile,
  // timeouts, maxConnections, retry). Does not connect.
  explicit Client(const ClientConfig& config);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Throws TransportError when no response could be had; std::invalid_argument for a request
  // that is not well formed (unknown method, absolute path).
  Response send(const Request& request) override;

  // Requests sent so far by endpoint label and status (0 = no response), every attempt counted.
  std::vector<RequestCount> requestCounts() const;

  // The normalised API root, e.g. "http://127.0.0.1:5240/MAAS/api/2.0/".
  const std::string& apiRoot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maasprov::maas
