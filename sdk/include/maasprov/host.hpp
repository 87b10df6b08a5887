// Typed C++ access to the host services table: logging, MAAS API calls, checkpoints, the clock
// and cancellation.
//
// Ownership: Host and MaasClient are cheap handles that borrow the host's services table
// (static) and the current call's context (valid only during the plugin call that received it).
// Never keep a Host beyond the reconcile/remove/describe/create call it was given to.
// Thread-safety: the underlying services are thread-safe; a Host may be used from helper threads
// the plugin joins before its call returns. C++17, header-only.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "maasprov/error.hpp"
#include "maasprov/json.hpp"
#include "maasprov/plugin_abi.h"

namespace maasprov {

enum class LogLevel : int32_t {
  Trace = MAASPROV_LOG_TRACE,
  Debug = MAASPROV_LOG_DEBUG,
  Info = MAASPROV_LOG_INFO,
  Warn = MAASPROV_LOG_WARN,
  Error = MAASPROV_LOG_ERROR,
};

// Form or query parameters in order; a key may repeat ({"tags","a"},{"tags","b"}).
using Params = std::vector<std::pair<std::string, std::string>>;

namespace detail {
inline maasprov_str toStr(std::string_view s) {
  return maasprov_str{s.data(), s.size()};
}

// A sink that appends into a std::string owned by the plugin, with a size limit.
struct StringSink {
  std::string text;
  size_t limit = 256u * 1024u * 1024u;
  maasprov_sink sink() { return maasprov_sink{sizeof(maasprov_sink), this, &StringSink::append}; }
  static int32_t append(void* ctx, const char* data, size_t size) {
    auto* self = static_cast<StringSink*>(ctx);
    if (size == 0) return MAASPROV_OK;
    if (data == nullptr || self->text.size() + size > self->limit) return MAASPROV_E_TOO_LARGE;
    try {
      self->text.append(data, size);
    } catch (...) {  // never let bad_alloc cross back into the host
      return MAASPROV_E_TOO_LARGE;
    }
    return MAASPROV_OK;
  }
};
}  // namespace detail

struct MaasResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string what;  // "POST machines/?op=allocate", for messages

  bool ok() const { return status >= 200 && status < 300; }
  // Case-insensitive header lookup; empty when absent.
  std::string header(std::string_view name) const {
    for (const auto& h : headers) {
      if (std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return h.second;
      }
    }
    return {};
  }
  // The body as JSON; a body that is not JSON is a Transient error naming the call.
  json::Value json() const {
    try {
      return json::parse(body);
    } catch (const json::ParseError& e) {
      throw PluginError(ErrorType::Transient,
                        "MAAS answered " + what + " with a body that is not JSON: " + e.what());
    }
  }
  // Throws a PluginError (Transient, retryable) unless the status is 2xx.
  const MaasResponse& expectOk() const {
    if (!ok()) {
      std::string excerpt = body.substr(0, 200);
      throw PluginError(ErrorType::Transient, "MAAS answered " + what + " with HTTP " +
                                                  std::to_string(status) + ": " + excerpt);
    }
    return *this;
  }
};

class MaasClient {
 public:
  MaasClient(const maasprov_host_services* services, maasprov_call* call)
      : services_(services), call_(call) {}

  MaasResponse get(const std::string& path, const Params& params = {}) const {
    return call("GET", path, "", params, true);
  }
  MaasResponse getOp(const std::string& path, const std::string& op,
                     const Params& params = {}) const {
    return call("GET", path, op, params, true);
  }
  // `idempotent`: true only when repeating the request is harmless (the host may then retry
  // it after a timeout, when MAAS may already have acted).
  MaasResponse post(const std::string& path, const std::string& op, const Params& params = {},
                    bool idempotent = false) const {
    return call("POST", path, op, params, idempotent);
  }
  MaasResponse put(const std::string& path, const Params& params = {}) const {
    return call("PUT", path, "", params, true);
  }
  MaasResponse del(const std::string& path) const { return call("DELETE", path, "", {}, true); }

  // Transport failures and cancellation throw PluginError (Transient, retryable); any HTTP
  // status is returned as is.
  MaasResponse call(const std::string& method, const std::string& path, const std::string& op,
                    const Params& params, bool idempotent) const {
    MaasResponse out;
    out.what = method + " " + path + (op.empty() ? "" : "?op=" + op);
    if (services_ == nullptr ||
        !MAASPROV_HAS_FIELD(services_->struct_size, maasprov_host_services, maas_call) ||
        services_->maas_call == nullptr) {
      throw PluginError(ErrorType::Internal, "the host offers no MAAS API service");
    }
    std::vector<maasprov_kv> kvs;
    kvs.reserve(params.size());
    for (const auto& p : params) kvs.push_back({detail::toStr(p.first), detail::toStr(p.second)});
    maasprov_maas_request req{};
    req.struct_size = sizeof(req);
    req.method = detail::toStr(method);
    req.path = detail::toStr(path);
    req.op = detail::toStr(op);
    req.params = kvs.empty() ? nullptr : kvs.data();
    req.param_count = kvs.size();
    req.flags = idempotent ? MAASPROV_MAAS_IDEMPOTENT : 0u;

    detail::StringSink body;
    detail::StringSink error;
    maasprov_maas_response resp{};
    resp.struct_size = sizeof(resp);
    resp.body = body.sink();
    resp.header_context = &out.headers;
    resp.on_header = [](void* ctx, maasprov_str name, maasprov_str value) {
      try {
        static_cast<std::vector<std::pair<std::string, std::string>>*>(ctx)->emplace_back(
            std::string(name.data, name.size), std::string(value.data, value.size));
      } catch (...) {  // a header lost to bad_alloc is better than an exception in the host
      }
    };
    resp.error_message = error.sink();
    int32_t rc = services_->maas_call(call_, &req, &resp);
    if (rc == MAASPROV_E_TRANSPORT) {
      throw PluginError(ErrorType::Transient,
                        "MAAS unreachable for " + out.what + ": " + error.text);
    }
    if (rc == MAASPROV_E_CANCELLED) {
      throw PluginError(ErrorType::Transient, "cancelled by the host before " + out.what);
    }
    if (rc != MAASPROV_OK) {
      throw PluginError(ErrorType::Internal, "host refused " + out.what + " (code " +
                                                 std::to_string(rc) + "): " + error.text);
    }
    out.status = resp.http_status;
    out.body = std::move(body.text);
    return out;
  }

 private:
  const maasprov_host_services* services_;
  maasprov_call* call_;
};

class Host {
 public:
  Host(const maasprov_host_services* services, maasprov_call* call)
      : services_(services), call_(call) {}

  bool logEnabled(LogLevel level) const {
    if (!has(&maasprov_host_services::log_enabled)) return false;
    return services_->log_enabled(call_, static_cast<int32_t>(level)) != 0;
  }
  void log(LogLevel level, std::string_view message) const {
    if (has(&maasprov_host_services::log)) {
      services_->log(call_, static_cast<int32_t>(level), detail::toStr(message));
    }
  }
  void debug(std::string_view m) const { log(LogLevel::Debug, m); }
  void info(std::string_view m) const { log(LogLevel::Info, m); }
  void warn(std::string_view m) const { log(LogLevel::Warn, m); }
  void error(std::string_view m) const { log(LogLevel::Error, m); }

  MaasClient maas() const { return MaasClient(services_, call_); }

  // Durably stores `status` (a JSON object merged into the object's status) before returning.
  // Throws PluginError (Transient, retryable) when the host could not store it: the plugin must
  // then stop without further changes, which letting the exception propagate does.
  void checkpoint(const json::Value& status) const {
    if (!status.isObject()) throw PluginError(ErrorType::Internal, "checkpoint needs an object");
    if (!has(&maasprov_host_services::checkpoint)) {
      throw PluginError(ErrorType::Internal, "the host offers no checkpoint service");
    }
    std::string text = status.dump();
    int32_t rc = services_->checkpoint(call_, detail::toStr(text));
    if (rc != MAASPROV_OK) {
      throw PluginError(ErrorType::Transient, "the host could not store the checkpoint (code " +
                                                  std::to_string(rc) +
                                                  "); stopping before changing anything else");
    }
  }

  bool cancelled() const {
    return has(&maasprov_host_services::cancelled) && services_->cancelled(call_) != 0;
  }

  std::chrono::nanoseconds monotonic() const {
    if (has(&maasprov_host_services::monotonic_ns)) {
      return std::chrono::nanoseconds(services_->monotonic_ns());
    }
    return std::chrono::steady_clock::now().time_since_epoch();
  }

  // Sleeps up to `d` in short slices; returns false early when the host cancels the call.
  bool sleepFor(std::chrono::milliseconds d) const {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      if (cancelled()) return false;
      auto left = end - std::chrono::steady_clock::now();
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
    return !cancelled();
  }

  const maasprov_host_services* services() const { return services_; }
  maasprov_call* call() const { return call_; }

 private:
  template <typename F>
  bool has(F maasprov_host_services::*field) const {
    if (services_ == nullptr) return false;
    // Offset of the member inside the table, computed without offsetof on a pointer-to-member.
    const auto* base = reinterpret_cast<const char*>(services_);
    const auto* member = reinterpret_cast<const char*>(&(services_->*field));
    return static_cast<size_t>(member - base) + sizeof(F) <= services_->struct_size &&
           services_->*field != nullptr;
  }

  const maasprov_host_services* services_;
  maasprov_call* call_;
};

}  // namespace maasprov
