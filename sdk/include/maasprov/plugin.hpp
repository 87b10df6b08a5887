// The C++ way to write a maasprov plugin: a class plus one registration macro.
//
//   class MyPlugin {
//    public:
//     MyPlugin(const maasprov::json::Value& config, maasprov::Host& host);  // or (config), or ()
//     maasprov::Result reconcile(const maasprov::Request& req, maasprov::Host& host);
//     maasprov::RemoveResult remove(const maasprov::Request& req, maasprov::Host& host);
//     maasprov::json::Value describe(maasprov::Host& host);                 // optional
//   };
//   MAASPROV_PLUGIN(MyPlugin, "my-plugin", "1.0.0", maasprov::Kind::MachineProvisioner, "my-mode")
//
// The macro defines the exported entry point, negotiates the newest ABI version both sides speak
// (2, or 1 with an older host) and builds the descriptor. Which one was agreed changes nothing
// for the class: Request::machines() answers the same either way.
// Every exception thrown by the class is turned into the ABI's error struct at the boundary.
//
// Ownership: the SDK owns the instance (created in create(), deleted in destroy()).
// Thread-safety: reconcile/remove/describe run concurrently on ONE instance for different
// objects (several host worker threads), so they must be safe to call concurrently; the
// constructor and destructor never overlap any other call. C++17, header-only.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "maasprov/error.hpp"
#include "maasprov/host.hpp"
#include "maasprov/json.hpp"
#include "maasprov/plugin_abi.h"

namespace maasprov {

enum class Kind : int32_t {
  MachineProvisioner = MAASPROV_KIND_MACHINE_PROVISIONER,
  ClusterEndpointProvider = MAASPROV_KIND_CLUSTER_ENDPOINT_PROVIDER,
};

// The reconcile/remove request document (see plugin_abi.h), with typed access.
// Thread-safety: const methods may be called concurrently (machines() and document() build what
// they return once, on first use).
class Request {
 public:
  explicit Request(json::Value document) : doc_(std::move(document)) {
    if (!doc_.isObject()) throw invalidSpec("request", "expected a JSON object");
    const json::Value* obj = doc_.find("object");
    if (obj == nullptr || !obj->isObject()) throw invalidSpec("object", "expected a JSON object");
    const json::Value* machines = doc_.find("machines");
    if (machines != nullptr && !machines->isArray()) {
      throw invalidSpec("machines", "expected an array");
    }
    const json::Value* userData = doc_.find("userData");
    if (userData != nullptr && !userData->isString() && !userData->isNull()) {
      throw invalidSpec("userData", "expected a base64 string");
    }
    const json::Value* observed = doc_.find("observed");
    if (observed != nullptr && !observed->isObject() && !observed->isNull()) {
      throw invalidSpec("observed", "expected a JSON object (a MAAS machine)");
    }
  }

  // The request as the host sends it: every member is built at once except "machines" (the
  // cluster's other machines, often most of the text, which many calls never read): that one is
  // only checked, and built by the first machines() or document(). Throws json::ParseError for
  // text that is not one JSON object, and PluginError as the other constructor does.
  static Request fromText(std::string_view text) { return fromText(text, nullptr); }

  // As fromText(text), for a request whose host answers "machines" on demand (ABI v2, where
  // the document leaves it out): when the document has no "machines", the first machines() or
  // document() calls `machines` for the array's text, at most once. A PluginError it throws
  // reaches that caller. `machines` must stay callable while the request is used.
  static Request fromText(std::string_view text, std::function<std::string()> machines) {
    std::string_view inlined;
    Request r{json::parseDeferring(text, "machines", &inlined)};
    if (!inlined.empty()) {
      r.deferred_ = std::make_shared<Deferred>();
      r.deferred_->text = inlined;
    } else if (machines && r.doc_.find("machines") == nullptr) {
      r.deferred_ = std::make_shared<Deferred>();
      r.deferred_->fetch = std::move(machines);
    }
    return r;
  }

  // The whole request, machines included.
  const json::Value& document() const {
    if (!deferred_) return doc_;
    std::call_once(deferred_->documentOnce, [this] {
      deferred_->document = doc_;
      deferred_->document.set("machines", machines());
    });
    return deferred_->document;
  }
  const json::Value& object() const { return *doc_.find("object"); }
  // The MaasCluster; an empty object when the host sent none.
  const json::Value& cluster() const { return memberOr(doc_, "cluster"); }
  std::optional<std::string> userData() const {
    const json::Value* u = doc_.find("userData");
    if (u == nullptr || u->isNull()) return std::nullopt;
    return u->asString();
  }
  const json::Array& machines() const {
    if (deferred_) {
      std::call_once(deferred_->machinesOnce, [this] {
        if (deferred_->fetch) {
          json::Value answer = json::parse(deferred_->fetch());
          if (!answer.isArray()) {
            throw PluginError(ErrorType::Internal,
                              "the host answered the cluster's machines with JSON of type " +
                                  std::string(json::typeName(answer.type())) + ", not an array");
          }
          deferred_->machines = std::move(answer.asArray());
        } else {
          deferred_->machines = json::parse(deferred_->text).asArray();
        }
      });
      return deferred_->machines;
    }
    const json::Value* m = doc_.find("machines");
    static const json::Array empty;
    return m == nullptr ? empty : m->asArray();
  }

  // The object's MAAS machine as MAAS renders GET machines/{id}/, read by the host's poller
  // moments before this call; nullptr when the host sent none. Owned by the request. MAAS may
  // have moved on since, and it may not be the machine the object holds: check system_id.
  const json::Value* observed() const {
    const json::Value* o = doc_.find("observed");
    return o != nullptr && o->isObject() ? o : nullptr;
  }

  const json::Value& metadata() const { return memberOr(object(), "metadata"); }
  const json::Value& spec() const { return memberOr(object(), "spec"); }
  const json::Value& status() const { return memberOr(object(), "status"); }
  std::string name() const { return metadata().getString("name"); }
  std::string ns() const { return metadata().getString("namespace", "default"); }
  std::string uid() const { return metadata().getString("uid"); }
  std::string label(std::string_view key) const {
    const json::Value* labels = metadata().find("labels");
    return labels == nullptr ? std::string() : labels->getString(key);
  }

 private:
  static const json::Value& memberOr(const json::Value& v, std::string_view key) {
    static const json::Value emptyObject = json::Value::object();
    const json::Value* m = v.find(key);
    return (m == nullptr || !m->isObject()) ? emptyObject : *m;
  }
  // "machines" of a request made by fromText(): its text, or what asks the host for it, until
  // first use. Shared, so that a Request stays copyable.
  struct Deferred {
    std::string text;
    std::function<std::string()> fetch;
    std::once_flag machinesOnce;
    json::Array machines;
    std::once_flag documentOnce;
    json::Value document;
  };

  json::Value doc_;
  std::shared_ptr<Deferred> deferred_;
};

namespace detail {
// A result document holding `extra`'s members; the SDK then sets its own (`reserved`) ones.
inline json::Value documentWith(const json::Value& extra,
                                std::initializer_list<std::string_view> reserved) {
  json::Value out = json::Value::object();
  if (extra.isNull()) return out;
  if (!extra.isObject()) throw PluginError(ErrorType::Internal, "Result::extra must be an object");
  for (const auto& [key, value] : extra.asObject()) {
    for (std::string_view r : reserved) {
      if (key == r) {
        throw PluginError(ErrorType::Internal, "Result::extra may not set \"" + key +
                                                   "\"; use the Result member of that name");
      }
    }
    out.set(key, value);
  }
  return out;
}
}  // namespace detail

struct Result {
  json::Value status = json::Value::object();  // status fields to set
  std::optional<int64_t> requeueAfterSeconds;  // reconcile again after this long
  // Further top-level members of the result document, e.g. a cluster endpoint provider's
  // "machineStatus" and "endpoint". May not name status or requeueAfterSeconds.
  json::Value extra = json::Value::object();

  json::Value toJson() const {
    json::Value out = detail::documentWith(extra, {"status", "requeueAfterSeconds"});
    out.set("status", status);
    if (requeueAfterSeconds) out.set("requeueAfterSeconds", *requeueAfterSeconds);
    return out;
  }
};

struct RemoveResult {
  json::Value status = json::Value::object();
  bool done = false;  // true once nothing is left in MAAS; the host then drops its finalizer
  std::optional<int64_t> requeueAfterSeconds;
  json::Value extra = json::Value::object();  // as Result::extra; may not name done either

  json::Value toJson() const {
    json::Value out = detail::documentWith(extra, {"status", "done", "requeueAfterSeconds"});
    out.set("status", status);
    out.set("done", done);
    if (requeueAfterSeconds) out.set("requeueAfterSeconds", *requeueAfterSeconds);
    return out;
  }
};

namespace detail {

inline const maasprov_host_services*& hostServices() {
  static const maasprov_host_services* services = nullptr;  // set once by the entry call
  return services;
}

inline void append(const maasprov_sink& sink, std::string_view text) {
  if (text.empty() || sink.append == nullptr) return;
  if (sink.append(sink.context, text.data(), text.size()) != MAASPROV_OK) {
    throw std::length_error("the host refused a result of " + std::to_string(text.size()) +
                            " bytes");
  }
}

inline bool resultUsable(const maasprov_result* r) {
  return r != nullptr && r->struct_size >= sizeof(maasprov_result);
}

// Fills the error half of a result; never throws (it runs inside catch handlers).
inline int32_t fail(maasprov_result* r, ErrorType type, std::string_view message,
                    std::string_view host, bool retryable, int64_t requeueMs,
                    const json::Value* status) noexcept {
  if (!resultUsable(r)) return MAASPROV_E_INVALID_ARGUMENT;
  r->error_type = static_cast<int32_t>(type);
  r->retryable = retryable ? 1 : 0;
  r->requeue_after_ms = requeueMs;
  try {
    append(r->error_message, message);
    append(r->error_host, host);
    if (status != nullptr && status->isObject()) {
      json::Value doc = json::Value::object();
      doc.set("status", *status);
      append(r->document, doc.dump());
    }
  } catch (...) {  // a lost message is better than an exception crossing the boundary
  }
  return MAASPROV_FAILED;
}

// Runs `body` and converts every exception into an error result.
template <typename F>
int32_t guarded(maasprov_result* r, F&& body) noexcept {
  if (!resultUsable(r)) return MAASPROV_E_INVALID_ARGUMENT;
  try {
    return body();
  } catch (const PluginError& e) {
    const json::Value* status = e.statusUpdate() ? &*e.statusUpdate() : nullptr;
    return fail(r, e.type(), e.what(), e.host(), e.isRetryable(), e.requeueAfterMs(), status);
  } catch (const json::ParseError& e) {
    return fail(r, ErrorType::Internal, std::string("malformed JSON: ") + e.what(), "", true, 60000,
                nullptr);
  } catch (const std::bad_alloc&) {
    return fail(r, ErrorType::Internal, "out of memory", "", true, 60000, nullptr);
  } catch (const std::exception& e) {
    return fail(r, ErrorType::Internal, std::string("unexpected exception: ") + e.what(), "", true,
                60000, nullptr);
  } catch (...) {
    return fail(r, ErrorType::Internal, "unexpected exception of unknown type", "", true, 60000,
                nullptr);
  }
}

template <typename P, typename = void>
struct HasDescribe : std::false_type {};
template <typename P>
struct HasDescribe<P, std::void_t<decltype(std::declval<P&>().describe(std::declval<Host&>()))>>
    : std::true_type {};

template <typename P>
std::unique_ptr<P> construct(const json::Value& config, Host& host) {
  if constexpr (std::is_constructible_v<P, const json::Value&, Host&>) {
    return std::make_unique<P>(config, host);
  } else if constexpr (std::is_constructible_v<P, const json::Value&>) {
    return std::make_unique<P>(config);
  } else {
    static_assert(std::is_default_constructible_v<P>,
                  "a plugin class needs a constructor (const json::Value& config, Host&), "
                  "(const json::Value& config) or ()");
    return std::make_unique<P>();
  }
}

inline uint32_t& negotiatedVersion() {
  static uint32_t version = 0;  // set once by the entry call
  return version;
}

// What asks the host for the cluster's machines during `call` (ABI v2); empty with a host of v1,
// which puts them into the request itself.
inline std::function<std::string()> machinesFromHost(maasprov_call* call) {
  const maasprov_host_services* host = hostServices();
  if (negotiatedVersion() < MAASPROV_ABI_VERSION_2 || host == nullptr ||
      !MAASPROV_HAS_FIELD(host->struct_size, maasprov_host_services, cluster_machines) ||
      host->cluster_machines == nullptr) {
    return {};
  }
  return [host, call] {
    StringSink out;
    const maasprov_sink sink = out.sink();
    const int32_t rc = host->cluster_machines(call, &sink);
    if (rc != MAASPROV_OK) {
      throw PluginError(
          ErrorType::Transient,
          "the host did not answer the cluster's machines (code " + std::to_string(rc) + ")");
    }
    return std::move(out.text);
  };
}

template <typename P>
struct Glue {
  static P* self(maasprov_instance* instance) { return reinterpret_cast<P*>(instance); }

  static int32_t create(maasprov_call* call, maasprov_str config, maasprov_instance** out,
                        maasprov_result* r) {
    return guarded(r, [&]() -> int32_t {
      if (out == nullptr) return MAASPROV_E_INVALID_ARGUMENT;
      json::Value cfg = config.size == 0 ? json::Value::object()
                                         : json::parse(std::string_view(config.data, config.size));
      if (!cfg.isObject()) throw invalidSpec("plugin configuration", "expected a JSON object");
      Host host(hostServices(), call);
      *out = reinterpret_cast<maasprov_instance*>(construct<P>(cfg, host).release());
      return MAASPROV_OK;
    });
  }

  static Request parseRequest(maasprov_call* call, maasprov_str request) {
    try {
      return Request::fromText(std::string_view(request.data, request.size),
                               machinesFromHost(call));
    } catch (const json::ParseError& e) {
      throw PluginError(ErrorType::Internal,
                        std::string("the host sent a request that is not JSON: ") + e.what());
    }
  }

  static int32_t reconcile(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                           maasprov_result* r) {
    return guarded(r, [&]() -> int32_t {
      Request req = parseRequest(call, request);
      Host host(hostServices(), call);
      Result result = self(instance)->reconcile(req, host);
      append(r->document, result.toJson().dump());
      return MAASPROV_OK;
    });
  }

  static int32_t remove(maasprov_instance* instance, maasprov_call* call, maasprov_str request,
                        maasprov_result* r) {
    return guarded(r, [&]() -> int32_t {
      Request req = parseRequest(call, request);
      Host host(hostServices(), call);
      RemoveResult result = self(instance)->remove(req, host);
      append(r->document, result.toJson().dump());
      return MAASPROV_OK;
    });
  }

  static int32_t describe(maasprov_instance* instance, maasprov_call* call, maasprov_result* r) {
    return guarded(r, [&]() -> int32_t {
      Host host(hostServices(), call);
      if constexpr (HasDescribe<P>::value) {
        json::Value d = self(instance)->describe(host);
        append(r->document, d.dump());
      } else {
        append(r->document, "{}");
      }
      return MAASPROV_OK;
    });
  }

  static void destroy(maasprov_instance* instance) noexcept {
    try {
      std::unique_ptr<P> owned(self(instance));  // deletes on scope exit
    } catch (...) {  // a throwing destructor must not cross the boundary
    }
  }
};

template <typename P>
int32_t negotiate(maasprov_negotiation* n, const char* name, const char* version, Kind kind,
                  const char* const* modes, size_t modeCount) noexcept {
  if (n == nullptr || n->struct_size < sizeof(maasprov_negotiation)) {
    return MAASPROV_E_INVALID_ARGUMENT;
  }
  // The newest version both speak: 2, or 1 with a host that offers no more.
  const uint32_t abi =
      n->max_version < MAASPROV_ABI_VERSION_2 ? MAASPROV_ABI_VERSION_1 : MAASPROV_ABI_VERSION_2;
  if (n->min_version > abi || n->max_version < abi) {
    try {
      append(n->refusal, "plugin speaks ABI versions 1 and 2; host offered [" +
                             std::to_string(n->min_version) + ", " +
                             std::to_string(n->max_version) + "]");
    } catch (...) {
    }
    return MAASPROV_E_VERSION;
  }
  hostServices() = n->host;
  negotiatedVersion() = abi;
  static const maasprov_plugin_descriptor descriptor = {
      sizeof(maasprov_plugin_descriptor),
      name,
      version,
      static_cast<int32_t>(kind),
      modes,
      modeCount,
      &Glue<P>::create,
      &Glue<P>::reconcile,
      &Glue<P>::remove,
      &Glue<P>::describe,
      &Glue<P>::destroy,
  };
  n->abi_version = abi;
  n->descriptor = &descriptor;
  return MAASPROV_OK;
}

}  // namespace detail
}  // namespace maasprov

// Registers CLASS as the plugin of this shared object. NAME and VERSION are string literals;
// KIND is a maasprov::Kind; the remaining arguments are the provisioningMode values served
// (string literals; none for a cluster endpoint provider). Use it once, at namespace scope.
#define MAASPROV_PLUGIN(CLASS, NAME, VERSION, KIND, ...)                                        \
  extern "C" MAASPROV_PLUGIN_EXPORT int32_t maasprov_plugin_entry(maasprov_negotiation* n) {    \
    static const std::initializer_list<const char*> maasprov_modes = {__VA_ARGS__};             \
    return ::maasprov::detail::negotiate<CLASS>(n, NAME, VERSION, KIND, maasprov_modes.begin(), \
                                                maasprov_modes.size());                         \
  }
