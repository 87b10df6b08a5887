// The C functions behind maasprov_host_services. Each one validates what the plugin passed,
// never lets a C++ exception escape, and reports failures with the ABI's status codes.
#include <Poco/JSON/Parser.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <string_view>
#include <typeinfo>

#include "framework/plugin/call_context.hpp"

namespace maasprov::plugin {
namespace {

std::string_view view(maasprov_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

std::shared_ptr<spdlog::logger> loggerFor(const maasprov_call* call) {
  if (call != nullptr && call->env && call->env->logger) return call->env->logger;
  return spdlog::default_logger();
}

spdlog::level::level_enum toSpdlog(int32_t level) {
  switch (level) {
    case MAASPROV_LOG_TRACE:
      return spdlog::level::trace;
    case MAASPROV_LOG_DEBUG:
      return spdlog::level::debug;
    case MAASPROV_LOG_INFO:
      return spdlog::level::info;
    case MAASPROV_LOG_WARN:
      return spdlog::level::warn;
    default:
      return spdlog::level::err;
  }
}

// Plugin text goes into one log line: control characters would let it forge other lines.
std::string oneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

void appendTo(const maasprov_sink& sink, std::string_view text) {
  if (sink.append != nullptr && !text.empty()) sink.append(sink.context, text.data(), text.size());
}

bool sinkUsable(const maasprov_sink& sink) {
  return sink.struct_size >= sizeof(maasprov_sink) && sink.append != nullptr;
}

void record(maasprov_call* call, const maas::Request& req, int status) {
  std::lock_guard<std::mutex> lock(call->mutex);
  call->maasCalls.push_back(MaasCallRecord{req.method, req.path, req.op, status});
}

int32_t logEnabled(maasprov_call* call, int32_t level) noexcept {
  try {
    return loggerFor(call)->should_log(toSpdlog(level)) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

void log(maasprov_call* call, int32_t level, maasprov_str message) noexcept {
  try {
    auto logger = loggerFor(call);
    auto lvl = toSpdlog(level);
    if (!logger->should_log(lvl)) return;
    if (call == nullptr) {
      logger->log(lvl, "[plugin] {}", oneLine(view(message)));
    } else if (call->objectKey.empty()) {
      logger->log(lvl, "[plugin {}] {}", call->pluginName, oneLine(view(message)));
    } else {
      logger->log(lvl, "[plugin {}] {}: {}", call->pluginName, call->objectKey,
                  oneLine(view(message)));
    }
  } catch (...) {  // logging must never take the plugin down
  }
}

int32_t maasCall(maasprov_call* call, const maasprov_maas_request* request,
                 maasprov_maas_response* response) noexcept {
  if (call == nullptr || request == nullptr || response == nullptr ||
      request->struct_size < sizeof(maasprov_maas_request) ||
      response->struct_size < sizeof(maasprov_maas_response) || !sinkUsable(response->body)) {
    return MAASPROV_E_INVALID_ARGUMENT;
  }
  auto fail = [&](int32_t code, std::string_view why) {
    if (sinkUsable(response->error_message)) appendTo(response->error_message, why);
    return code;
  };
  try {
    maas::Request req;
    req.method = std::string(view(request->method));
    req.path = std::string(view(request->path));
    req.op = std::string(view(request->op));
    req.idempotent = (request->flags & MAASPROV_MAAS_IDEMPOTENT) != 0 || req.method == "GET";
    if (req.method != "GET" && req.method != "POST" && req.method != "PUT" &&
        req.method != "DELETE") {
      return fail(MAASPROV_E_INVALID_ARGUMENT,
                  "method must be GET, POST, PUT or DELETE, got \"" + req.method + "\"");
    }
    if (req.path.empty() || req.path.front() == '/' || req.path.find("..") != std::string::npos) {
      return fail(
          MAASPROV_E_INVALID_ARGUMENT,
          "path must be relative to the API root (e.g. \"machines/\"), got \"" + req.path + "\"");
    }
    if (request->param_count > 0 && request->params == nullptr) {
      return fail(MAASPROV_E_INVALID_ARGUMENT, "params is NULL but param_count is not 0");
    }
    for (size_t i = 0; i < request->param_count; ++i) {
      req.params.emplace_back(std::string(view(request->params[i].key)),
                              std::string(view(request->params[i].value)));
    }
    if (call->isCancelled()) {
      record(call, req, MaasCallRecord::kCancelled);
      return fail(MAASPROV_E_CANCELLED, "the call was cancelled or ran past its deadline");
    }
    if (!call->env || call->env->transport == nullptr) {
      record(call, req, MaasCallRecord::kTransportFailed);
      return fail(MAASPROV_E_TRANSPORT, "no MAAS API is configured in this host");
    }
    maas::Response resp;
    try {
      resp = call->env->transport->send(req);
    } catch (const maas::TransportError& e) {
      record(call, req, MaasCallRecord::kTransportFailed);
      return fail(MAASPROV_E_TRANSPORT, e.what());
    }
    record(call, req, resp.status);
    if (resp.body.size() > call->env->maxDocumentBytes) {
      return fail(MAASPROV_E_TOO_LARGE, "MAAS response body exceeds the host's limit");
    }
    response->http_status = resp.status;
    if (response->on_header != nullptr) {
      for (const auto& [name, value] : resp.headers) {
        response->on_header(response->header_context, {name.data(), name.size()},
                            {value.data(), value.size()});
      }
    }
    if (!resp.body.empty() && response->body.append(response->body.context, resp.body.data(),
                                                    resp.body.size()) != MAASPROV_OK) {
      return fail(MAASPROV_E_TOO_LARGE, "the plugin's body sink refused the response");
    }
    return MAASPROV_OK;
  } catch (const std::exception& e) {
    return fail(MAASPROV_E_TRANSPORT, std::string("MAAS call failed: ") + e.what());
  } catch (...) {
    return fail(MAASPROV_E_TRANSPORT, "MAAS call failed");
  }
}

int64_t monotonicNs() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int32_t checkpoint(maasprov_call* call, maasprov_str statusJson) noexcept {
  if (call == nullptr) return MAASPROV_E_INVALID_ARGUMENT;
  if (!call->checkpoint) return MAASPROV_E_UNSUPPORTED;
  if (call->isCancelled()) return MAASPROV_E_CANCELLED;
  Poco::JSON::Object::Ptr object;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(std::string(view(statusJson)));
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return MAASPROV_E_INVALID_ARGUMENT;
    object = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (...) {
    return MAASPROV_E_INVALID_ARGUMENT;
  }
  try {
    call->checkpoint(object);
    std::lock_guard<std::mutex> lock(call->mutex);
    ++call->checkpoints;
    return MAASPROV_OK;
  } catch (const Poco::Exception& e) {
    loggerFor(call)->error("[plugin {}] {}: checkpoint could not be stored: {}", call->pluginName,
                           call->objectKey, e.displayText());
  } catch (const std::exception& e) {
    loggerFor(call)->error("[plugin {}] {}: checkpoint could not be stored: {}", call->pluginName,
                           call->objectKey, e.what());
  } catch (...) {
  }
  return MAASPROV_E_CHECKPOINT;
}

int32_t cancelled(maasprov_call* call) noexcept {
  return call != nullptr && call->isCancelled() ? 1 : 0;
}

int32_t clusterMachines(maasprov_call* call, const maasprov_sink* machines) noexcept {
  if (call == nullptr || machines == nullptr || !sinkUsable(*machines)) {
    return MAASPROV_E_INVALID_ARGUMENT;
  }
  if (!call->machines) return MAASPROV_E_UNSUPPORTED;
  std::string text;
  try {
    text = call->machines();
  } catch (const std::exception& e) {
    loggerFor(call)->error("[plugin {}] {}: the cluster's machines could not be listed: {}",
                           call->pluginName, call->objectKey, e.what());
    return MAASPROV_E_UNSUPPORTED;
  } catch (...) {
    return MAASPROV_E_UNSUPPORTED;
  }
  return machines->append(machines->context, text.data(), text.size()) == MAASPROV_OK
             ? MAASPROV_OK
             : MAASPROV_E_TOO_LARGE;
}

constexpr maasprov_host_services kServices = {
    sizeof(maasprov_host_services),
    MAASPROV_ABI_VERSION_CURRENT,
    &logEnabled,
    &log,
    &maasCall,
    &monotonicNs,
    &checkpoint,
    &cancelled,
    &clusterMachines,
};

}  // namespace

const maasprov_host_services* hostServices() {
  return &kServices;
}

}  // namespace maasprov::plugin
