// The narrow seam between callers of the MAAS API and the HTTP client that reaches it.
//
// Plugins reach MAAS only through the host services table, which forwards to a Transport; the
// MAAS client (client.hpp) is the production implementation. Tests may substitute their own.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace maasprov::maas {

// Form or query parameters in order; a key may repeat (tags=a&tags=b), as MAAS expects lists.
using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", "PUT" or "DELETE"
  std::string path;    // relative to the API root, e.g. "machines/" or "machines/4y3h7n/"
  std::string op;      // MAAS operation sent as ?op=...; empty for plain REST calls
  Params params;       // query string for GET/DELETE, form body for POST/PUT
  // True when the caller made repeating this request harmless (GETs always are). Only such
  // requests are retried after a timeout or connection reset, where MAAS may have acted already.
  bool idempotent = false;
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Thrown when no HTTP response could be had at all (connect failure, reset, timeout) after the
// transport's own bounded retries. The message never contains credentials.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thread-safety: send() may be called concurrently from any number of threads.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request and returns MAAS's answer, whatever its status. Throws TransportError.
  virtual Response send(const Request& request) = 0;
};

}  // namespace maasprov::maas
