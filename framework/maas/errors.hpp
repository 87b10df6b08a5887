// Typed errors for MAAS API answers, so callers can act on the kind of failure rather than on
// status codes: retry later, give up, fix the request, or report a missing object.
//
// Ownership: plain value types. Thread-safety: immutable after construction; safe to share.
// No message built here ever contains credentials: only the endpoint label (method, path with
// IDs, op), the status and MAAS's answer.
#pragma once

#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

// A setting of the client is unusable; the message names the setting and what was expected.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// MAAS answered, but not with what its API documents (unparsable JSON, missing system_id, ...).
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Base of every error MAAS reported with an HTTP status.
class MaasError : public std::runtime_error {
 public:
  MaasError(const std::string& endpoint, int status, std::string body);
  const std::string& endpoint() const { return endpoint_; }
  int status() const { return status_; }
  // MAAS's answer as sent (usually a short text or a JSON object of field errors).
  const std::string& body() const { return body_; }

 private:
  std::string endpoint_;
  int status_;
  std::string body_;
};

// 400: the request was wrong. MAAS sends field errors as {"field": ["message", ...]} or a plain
// text such as "No such constraint." or "Unrecognised signature: method=POST op=frobnicate".
class BadRequest : public MaasError {
 public:
  BadRequest(const std::string& endpoint, int status, std::string body);
  // Field name -> messages; empty when MAAS answered in plain text.
  const std::map<std::string, std::vector<std::string>>& fieldErrors() const {
    return fieldErrors_;
  }

 private:
  std::map<std::string, std::vector<std::string>> fieldErrors_;
};

// 401 or 403: the API key is wrong or lacks the permission.
class Unauthorized : public MaasError {
 public:
  using MaasError::MaasError;
};

// 404: the object (machine, VM host, DNS resource...) does not exist.
class NotFound : public MaasError {
 public:
  using MaasError::MaasError;
};

// 409 with "No machine available." or "No available machine matches constraints: ...": the
// allocation cannot be satisfied now; nothing changed in MAAS.
class NoMatch : public MaasError {
 public:
  using MaasError::MaasError;
};

// Any other 409: the object is in a state that forbids the action, or a name is taken.
class Conflict : public MaasError {
 public:
  using MaasError::MaasError;
};

// 503 that the client did not (or no longer) retry. retryAfter() is MAAS's hint, if it sent one.
class Unavailable : public MaasError {
 public:
  Unavailable(const std::string& endpoint, int status, std::string body,
              std::optional<std::chrono::seconds> retryAfter);
  std::optional<std::chrono::seconds> retryAfter() const { return retryAfter_; }

 private:
  std::optional<std::chrono::seconds> retryAfter_;
};

// 5xx other than 503, and any other unexpected status.
class ServerError : public MaasError {
 public:
  using MaasError::MaasError;
};

// True for 2xx.
bool isSuccess(const Response& response);

// The typed error for a non-2xx response; a null exception_ptr for a 2xx one.
std::exception_ptr errorFor(const std::string& endpoint, const Response& response);

// Throws errorFor(...) when the response is not 2xx.
void throwIfError(const std::string& endpoint, const Response& response);

// The value of a response header, matched case-insensitively; nullopt when absent.
std::optional<std::string> headerValue(const Response& response, const std::string& name);

// Retry-After as seconds (delta-seconds or an HTTP date); nullopt when absent or unparsable.
std::optional<std::chrono::seconds> retryAfterOf(const Response& response);

}  // namespace maasprov::maas
