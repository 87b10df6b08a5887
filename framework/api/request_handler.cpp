#include "framework/api/request_handler.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <array>
#include <charconv>

#include "framework/api/api_error.hpp"
#include "framework/api/request_body.hpp"
#include "framework/api/watch_stream.hpp"
#include "framework/model/json_text.hpp"

namespace maasprov::api {

ServerContext::ServerContext(ApiOptions options_, store::Store& store_, ApiHooks hooks_)
    : options(std::move(options_)),
      store(store_),
      hooks(std::move(hooks_)),
      auth(options.token),
      resources(store_, options.namespaces) {}

bool ServerContext::tryOpenWatch() {
  std::lock_guard lock(watchMutex_);
  if (watches_ >= options.maxThreads - 1) return false;
  ++watches_;
  metrics.watchOpened();
  return true;
}

void ServerContext::closeWatch() {
  std::lock_guard lock(watchMutex_);
  --watches_;
  metrics.watchClosed();
}

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct Query {
  std::string labelSelector;
  std::string fieldSelector;
  std::string watch;
  std::string resourceVersion;
  std::string timeoutSeconds;
};

Query parseQuery(const Poco::URI& uri) {
  Query query;
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key == "labelSelector") query.labelSelector = value;
    if (key == "fieldSelector") query.fieldSelector = value;
    if (key == "watch") query.watch = value;
    if (key == "resourceVersion") query.resourceVersion = value;
    if (key == "timeoutSeconds") query.timeoutSeconds = value;
  }
  return query;
}

bool parseWatchFlag(const std::string& text) {
  if (text.empty() || text == "0" || text == "false") return false;
  if (text == "1" || text == "true") return true;
  throw ApiError(400, "BadRequest", "watch: expected true, false, 1 or 0");
}

std::optional<std::string> parseFieldSelector(const std::string& text) {
  if (text.empty()) return std::nullopt;
  for (const std::string_view prefix : {"metadata.name==", "metadata.name="}) {
    if (text.starts_with(prefix) && text.size() > prefix.size()) return text.substr(prefix.size());
  }
  throw ApiError(400, "BadRequest", "fieldSelector: only metadata.name=NAME is supported");
}

std::optional<std::chrono::seconds> parseTimeout(const std::string& text) {
  if (text.empty()) return std::nullopt;
  long seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() || seconds < 1 || seconds > 86400) {
    throw ApiError(400, "BadRequest", "timeoutSeconds: expected a whole number from 1 to 86400");
  }
  return std::chrono::seconds(seconds);
}

std::string methodLabel(const std::string& method) {
  static constexpr std::array<std::string_view, 7> kKnown{"GET",    "POST", "PUT",    "PATCH",
                                                          "DELETE", "HEAD", "OPTIONS"};
  for (const auto known : kKnown) {
    if (method == known) return method;
  }
  return "other";
}

std::string stringify(const Poco::JSON::Object::Ptr& document) {
  return model::printObject(*document);
}

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ApiRequestHandler(std::shared_ptr<ServerContext> context)
      : context_(std::move(context)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    std::string pattern = "other";
    int code = 500;
    // Poco echoes whatever version the request line named; answer in the one we speak, and
    // refuse requests that are not HTTP/1.x at all.
    const std::string version = request.getVersion();
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    try {
      if (version != Poco::Net::HTTPMessage::HTTP_1_0 &&
          version != Poco::Net::HTTPMessage::HTTP_1_1) {
        // A well-formed version we do not speak is 505; anything else is a broken request line.
        if (version.rfind("HTTP/", 0) == 0) {
          throw ApiError(505, "HTTPVersionNotSupported",
                         "expected HTTP/1.0 or HTTP/1.1 in the request line");
        }
        throw ApiError(400, "BadRequest", "malformed request line: expected METHOD PATH HTTP/1.1");
      }
      const Poco::URI uri(request.getURI());
      const Route route = matchRoute(uri.getPath());
      pattern = route.pattern;
      code = dispatch(route, uri, request, response);
    } catch (const ApiError& error) {
      code = sendError(request, response, error);
    } catch (const Poco::SyntaxException& error) {
      code = sendError(request, response,
                       ApiError(400, "BadRequest", "request URI: " + error.message()));
    } catch (const Poco::Exception& error) {
      code = sendError(request, response,
                       ApiError(500, "InternalError", "internal error: " + error.displayText()));
    } catch (const std::exception& error) {
      code = sendError(request, response, errorFrom(error));
    }
    context_->metrics.count(pattern, methodLabel(request.getMethod()), code);
  }

 private:
  int dispatch(const Route& route, const Poco::URI& uri, HTTPServerRequest& request,
               HTTPServerResponse& response) {
    const std::string& method = request.getMethod();
    switch (route.endpoint) {
      case Endpoint::Healthz:
        requireGet(method);
        return sendText(request, response, 200, "ok\n", "text/plain; charset=utf-8");
      case Endpoint::Readyz:
        requireGet(method);
        return readyz(request, response);
      default:
        break;
    }
    authenticate(request);
    switch (route.endpoint) {
      case Endpoint::Metrics:
        requireGet(method);
        return metrics(request, response);
      case Endpoint::Plugins:
        requireGet(method);
        return plugins(request, response);
      case Endpoint::VmHosts:
        requireGet(method);
        return vmHosts(request, response);
      case Endpoint::Collection:
        return collection(route, uri, request, response);
      case Endpoint::Object:
        return object(route, request, response);
      case Endpoint::ObjectStatus:
        if (method == "PUT" || method == "PATCH") {
          throw ApiError(405, "MethodNotAllowed",
                         "the status subresource is read-only through the API: status is "
                         "written by the controller");
        }
        requireGet(method);
        return sendJson(request, response, 200,
                        context_->resources.get(*route.resource, *route.ns, route.name));
      default:
        throw ApiError(404, "NotFound", "the path does not name an API endpoint (see docs/api.md)");
    }
  }

  void authenticate(const HTTPServerRequest& request) {
    switch (context_->auth.check(request.get("Authorization", ""))) {
      case TokenAuth::Result::Ok:
        return;
      case TokenAuth::Result::Missing:
        throw ApiError(401, "Unauthorized",
                       "authentication required: send the API token as "
                       "\"Authorization: Bearer <token>\"");
      case TokenAuth::Result::Wrong:
        throw ApiError(403, "Forbidden", "the bearer token is not valid for this server");
    }
  }

  static void requireGet(const std::string& method, std::string_view allow = "GET") {
    if (method == "GET") return;
    throw ApiError(
        405, "MethodNotAllowed",
        "method " + methodLabel(method) + " is not allowed here; allowed: " + std::string(allow));
  }

  int readyz(HTTPServerRequest& request, HTTPServerResponse& response) {
    if (!context_->hooks.ready) {
      throw ApiError(503, "ServiceUnavailable", "readiness is not reported by this process");
    }
    bool ready = false;
    try {
      ready = context_->hooks.ready();
    } catch (const std::exception& error) {
      throw ApiError(503, "ServiceUnavailable",
                     std::string("readiness check failed: ") + error.what());
    }
    if (!ready) throw ApiError(503, "ServiceUnavailable", "not ready");
    return sendText(request, response, 200, "ok\n", "text/plain; charset=utf-8");
  }

  int metrics(HTTPServerRequest& request, HTTPServerResponse& response) {
    if (!context_->hooks.metricsText) {
      throw ApiError(503, "ServiceUnavailable", "metrics are not served by this process");
    }
    std::string text;
    try {
      text = context_->hooks.metricsText();
    } catch (const std::exception& error) {
      throw ApiError(503, "ServiceUnavailable",
                     std::string("metrics are unavailable: ") + error.what());
    }
    return sendText(request, response, 200, text, "text/plain; version=0.0.4; charset=utf-8");
  }

  int plugins(HTTPServerRequest& request, HTTPServerResponse& response) {
    if (!context_->hooks.plugins) {
      throw ApiError(404, "NotFound", "plugins are not served by this process");
    }
    Poco::JSON::Object::Ptr document;
    try {
      document = context_->hooks.plugins();
    } catch (const std::exception& error) {
      throw ApiError(503, "ServiceUnavailable",
                     std::string("plugins are unavailable: ") + error.what());
    }
    if (document.isNull()) document = Poco::makeShared<Poco::JSON::Object>();
    return sendJson(request, response, 200, document);
  }

  int vmHosts(HTTPServerRequest& request, HTTPServerResponse& response) {
    if (!context_->hooks.vmHosts) {
      throw ApiError(404, "NotFound", "VM hosts are not served by this process");
    }
    Poco::JSON::Array::Ptr items;
    try {
      items = context_->hooks.vmHosts();
    } catch (const std::exception& error) {
      throw ApiError(503, "ServiceUnavailable",
                     std::string("VM hosts are unavailable: ") + error.what());
    }
    auto document = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
    document->set("apiVersion", "maasprov.io/v1");
    document->set("kind", "VMHostList");
    document->set("items", items.isNull() ? Poco::makeShared<Poco::JSON::Array>() : items);
    return sendJson(request, response, 200, document);
  }

  int collection(const Route& route, const Poco::URI& uri, HTTPServerRequest& request,
                 HTTPServerResponse& response) {
    const std::string& method = request.getMethod();
    const auto& type = *route.resource;
    if (method == "POST") {
      if (!route.ns) {
        throw ApiError(405, "MethodNotAllowed",
                       "create objects under /namespaces/{namespace}/, not in the "
                       "cross-namespace list");
      }
      context_->resources.checkWritable(*route.ns);
      auto object = decodeBody(readBody(request), request.getContentType());
      return sendJson(request, response, 201,
                      context_->resources.create(type, *route.ns, std::move(object)));
    }
    requireGet(method, route.ns ? "GET, POST" : "GET");
    const Query query = parseQuery(uri);
    const auto name = parseFieldSelector(query.fieldSelector);
    if (parseWatchFlag(query.watch)) {
      if (route.ns) checkPathSegment("namespace", *route.ns);
      WatchRequest watch{&type, route.ns,     labelPredicate(query.labelSelector),
                         name,  std::nullopt, parseTimeout(query.timeoutSeconds)};
      if (!query.resourceVersion.empty()) {
        watch.fromVersion = store::parseResourceVersion(query.resourceVersion, "resourceVersion");
      }
      if (!context_->tryOpenWatch()) {
        throw ApiError(429, "TooManyRequests",
                       "too many open watches (at most " +
                           std::to_string(context_->options.maxThreads - 1) +
                           "); close one or retry later");
      }
      struct Slot {
        ServerContext& context;
        ~Slot() { context.closeWatch(); }
      } slot{*context_};
      runWatch(context_->store, watch, request, response, context_->stopping);
      return 200;
    }
    auto list = context_->resources.list(type, route.ns, query.labelSelector);
    if (name) {
      auto kept = Poco::makeShared<Poco::JSON::Array>();
      const auto items = list->getArray("items");
      for (std::size_t i = 0; i < items->size(); ++i) {
        const auto item = items->getObject(static_cast<unsigned>(i));
        if (item->getObject("metadata")->optValue<std::string>("name", "") == *name) {
          kept->add(item);
        }
      }
      list->set("items", kept);
    }
    return sendJson(request, response, 200, list);
  }

  int object(const Route& route, HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string& method = request.getMethod();
    const auto& type = *route.resource;
    const auto& resources = context_->resources;
    if (method == "GET") {
      return sendJson(request, response, 200, resources.get(type, *route.ns, route.name));
    }
    if (method == "PUT" || method == "PATCH") {
      resources.checkWritable(*route.ns);
      auto object = decodeBody(readBody(request), request.getContentType());
      if (method == "PUT") {
        return sendJson(request, response, 200,
                        resources.replace(type, *route.ns, route.name, std::move(object)));
      }
      auto result = resources.apply(type, *route.ns, route.name, std::move(object));
      response.set("X-Maasprov-Apply-Result", std::string(toString(result.outcome)));
      return sendJson(request, response, result.outcome == ApplyOutcome::Created ? 201 : 200,
                      result.object);
    }
    if (method == "DELETE") {
      auto removal = resources.remove(type, *route.ns, route.name);
      if (!removal.deleted) return sendJson(request, response, 202, removal.object);
      auto status = successStatus(
          200, std::string(type.kind) + " " + *route.ns + "/" + route.name + " deleted");
      auto details = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
      details->set("name", route.name);
      details->set("kind", std::string(type.kind));
      status->set("details", details);
      return sendJson(request, response, 200, status);
    }
    throw ApiError(
        405, "MethodNotAllowed",
        "method " + methodLabel(method) + " is not allowed here; allowed: GET, PUT, PATCH, DELETE");
  }

  std::string readBody(HTTPServerRequest& request) {
    bodyRead_ = true;  // even a refused body counts: the connection is closed after a 413
    try {
      return api::readBody(request, context_->options.maxBodyBytes);
    } catch (const ApiError&) {
      bodyUnread_ = true;
      throw;
    }
  }

  // A body we did not read would be parsed as the next request: close the connection instead.
  void closeIfBodyUnread(const HTTPServerRequest& request, HTTPServerResponse& response) const {
    const bool hasBody = request.getChunkedTransferEncoding() ||
                         (request.hasContentLength() && request.getContentLength64() > 0);
    if (bodyUnread_ || (hasBody && !bodyRead_)) response.setKeepAlive(false);
  }

  int sendText(const HTTPServerRequest& request, HTTPServerResponse& response, int code,
               const std::string& text, const std::string& contentType) {
    closeIfBodyUnread(request, response);
    // setStatus alone would keep the reason "OK" on every status line ("404 OK").
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
    response.setContentType(contentType);
    response.setContentLength64(static_cast<Poco::Int64>(text.size()));
    response.send() << text;
    return code;
  }

  int sendJson(const HTTPServerRequest& request, HTTPServerResponse& response, int code,
               const Poco::JSON::Object::Ptr& document) {
    return sendText(request, response, code, stringify(document), "application/json");
  }

  // Never throws: a client that vanished before its error could be sent is simply gone.
  int sendError(const HTTPServerRequest& request, HTTPServerResponse& response,
                const ApiError& error) noexcept {
    try {
      if (response.sent()) return error.code();  // a watch already streaming: nothing to add
      if (error.code() == 401) response.set("WWW-Authenticate", "Bearer realm=\"maasprov\"");
      return sendJson(request, response, error.code(), statusFor(error));
    } catch (...) {
      return error.code();
    }
  }

  std::shared_ptr<ServerContext> context_;
  bool bodyRead_ = false;
  bool bodyUnread_ = false;
};

}  // namespace

RequestHandlerFactory::RequestHandlerFactory(std::shared_ptr<ServerContext> context)
    : context_(std::move(context)) {}

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  // Poco takes ownership of the returned handler and deletes it after the request.
  return std::make_unique<ApiRequestHandler>(context_).release();
}

}  // namespace maasprov::api
