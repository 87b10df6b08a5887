#include "framework/maas/client.hpp"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "framework/maas/api_key.hpp"
#include "framework/maas/endpoint_label.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/oauth_signer.hpp"
#include "framework/maas/request_encoding.hpp"
#include "framework/maas/session_pool.hpp"

namespace maasprov::maas {
namespace {

struct Root {
  Poco::URI server;       // scheme, host and port only
  std::string path;       // e.g. "/MAAS/api/2.0/"
  std::string printable;  // server + path, for messages
};

Root normaliseUrl(const std::string& url) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    throw ConfigError("url: expected the MAAS URL such as http://maas:5240/MAAS, got '" + url +
                      "' (" + e.message() + ")");
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https") {
    throw ConfigError(
        "url: expected an http:// or https:// MAAS URL such as "
        "http://maas:5240/MAAS, got '" +
        url + "'");
  }
  if (uri.getHost().empty()) throw ConfigError("url: no host in '" + url + "'");
  if (!uri.getUserInfo().empty() || !uri.getRawQuery().empty() || !uri.getFragment().empty()) {
    throw ConfigError("url: expected no user info, query or fragment in the MAAS URL");
  }
  std::string path = uri.getPath();
  while (!path.empty() && path.back() == '/') path.pop_back();
  const std::string suffix = "/api/2.0";
  if (path.size() < suffix.size() ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    path += suffix;
  }
  path += '/';
  Root root;
  root.server.setScheme(uri.getScheme());
  root.server.setHost(uri.getHost());
  root.server.setPort(uri.getPort());
  root.path = path;
  root.printable = root.server.toString() + path;
  return root;
}

void checkConfig(const ClientConfig& config) {
  using namespace std::chrono_literals;
  if (config.connectTimeout <= 0ms)
    throw ConfigError("connectTimeout: expected a positive duration");
  if (config.readTimeout <= 0ms) throw ConfigError("readTimeout: expected a positive duration");
  if (config.idleTimeout < 0ms)
    throw ConfigError("idleTimeout: expected zero or a positive duration");
  if (config.maxConnections < 1) throw ConfigError("maxConnections: expected at least 1");
  if (config.retry.maxAttempts < 1) throw ConfigError("retry.maxAttempts: expected at least 1");
  if (config.retry.baseBackoff < 0ms || config.retry.maxBackoff < config.retry.baseBackoff) {
    throw ConfigError("retry.baseBackoff/maxBackoff: expected 0 <= baseBackoff <= maxBackoff");
  }
  if (config.retry.maxRetryAfter < 0ms) throw ConfigError("retry.maxRetryAfter: expected >= 0");
  if (!config.caFile.empty() && !Poco::File(config.caFile).exists()) {
    throw ConfigError("caFile: cannot read CA file '" + config.caFile + "'");
  }
}

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(ms).count());
}

// Keeps OpenSSL initialised for as long as a Client exists (Poco counts the calls).
struct SslScope {
  SslScope() { Poco::Net::initializeSSL(); }
  ~SslScope() { Poco::Net::uninitializeSSL(); }
  SslScope(const SslScope&) = delete;
  SslScope& operator=(const SslScope&) = delete;
};

}  // namespace

struct Client::Impl {
  Impl(const ClientConfig& cfg, Root r, ApiKey key)
      : config(cfg),
        root(std::move(r)),
        signer(std::move(key)),
        pool(makeFactory(), cfg.maxConnections) {}

  SessionPool::Factory makeFactory() {
    const bool https = root.server.getScheme() == "https";
    if (https) {
      if (!config.verifyTls) {
        spdlog::warn(
            "MAAS client: TLS certificate verification is OFF for {}; any server can "
            "impersonate MAAS",
            root.printable);
      }
      tls.emplace();
      // STRICT, because in RELAXED mode Poco skips the host name check for loopback names.
      try {
        context = Poco::makeAuto<Poco::Net::Context>(
            Poco::Net::Context::TLS_CLIENT_USE, config.caFile,
            config.verifyTls ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE,
            9, config.caFile.empty());
      } catch (const Poco::Exception& e) {
        throw ConfigError("caFile: cannot use '" + config.caFile + "' as CA file: " + e.message());
      }
    }
    return [this, https]() -> std::unique_ptr<Poco::Net::HTTPClientSession> {
      std::unique_ptr<Poco::Net::HTTPClientSession> session;
      const auto& host = root.server.getHost();
      const auto port = root.server.getPort();
      if (https) {
        session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, context);
      } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
      }
      session->setTimeout(toTimespan(config.connectTimeout), toTimespan(config.readTimeout),
                          toTimespan(config.readTimeout));
      session->setKeepAlive(true);
      session->setKeepAliveTimeout(toTimespan(config.idleTimeout));
      return session;
    };
  }

  Response perform(Poco::Net::HTTPClientSession& session, const EncodedRequest& encoded) {
    Poco::Net::HTTPRequest request(encoded.method, encoded.pathAndQuery,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    request.set("Accept", "application/json");
    request.set("User-Agent", "maasprov");
    Poco::URI uri(root.server);
    uri.setPathEtc(encoded.pathAndQuery);
    signer.sign(request, uri);
    if (!encoded.contentType.empty()) request.setContentType(encoded.contentType);
    if (encoded.method == "POST" || encoded.method == "PUT") {
      request.setContentLength64(static_cast<Poco::Int64>(encoded.body.size()));
    }
    std::ostream& out = session.sendRequest(request);
    out << encoded.body;
    out.flush();

    Poco::Net::HTTPResponse answer;
    std::istream& in = session.receiveResponse(answer);
    Response response;
    response.status = static_cast<int>(answer.getStatus());
    // One allocation for a long list instead of a doubling string (the poller reads megabytes);
    // the length is MAAS's word, so it is only a hint, capped.
    constexpr Poco::Int64 kReserveCap = 64LL << 20;
    if (answer.hasContentLength() && answer.getContentLength64() > 0) {
      response.body.reserve(
          static_cast<std::size_t>(std::min(answer.getContentLength64(), kReserveCap)));
    }
    Poco::StreamCopier::copyToString(in, response.body);
    if (answer.hasContentLength() &&
        static_cast<Poco::Int64>(response.body.size()) != answer.getContentLength64()) {
      throw Poco::Net::ConnectionResetException("response body cut short");
    }
    for (const auto& [name, value] : answer) response.headers.emplace_back(name, value);
    return response;
  }

  ClientConfig config;
  Root root;
  OAuthSigner signer;
  std::optional<SslScope> tls;
  Poco::Net::Context::Ptr context;
  SessionPool pool;
  RequestMetrics metrics;
};

Client::Client(const ClientConfig& config) {
  checkConfig(config);
  Root root = normaliseUrl(config.url);
  ApiKey key = parseApiKey(config.apiKey, "apiKey");
  impl_ = std::make_unique<Impl>(config, std::move(root), std::move(key));
}

Client::~Client() = default;

const std::string& Client::apiRoot() const {
  return impl_->root.printable;
}

std::vector<RequestCount> Client::requestCounts() const {
  return impl_->metrics.snapshot();
}

Response Client::send(const Request& request) {
  const std::string label = endpointLabel(request);
  const EncodedRequest encoded = encodeRequest(request, impl_->root.path);
  const RetrySettings& retry = impl_->config.retry;
  for (int attempt = 1;; ++attempt) {
    Failure failure = Failure::Reset;
    std::string what;
    std::optional<std::chrono::milliseconds> answeredRetryDelay;
    const auto started = std::chrono::steady_clock::now();
    {
      auto lease = impl_->pool.acquire();
      try {
        Response response = impl_->perform(lease.session(), encoded);
        impl_->metrics.record(label, response.status);
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        spdlog::debug("MAAS {} -> {} in {} ms (attempt {})", label, response.status,
                      elapsed.count(), attempt);
        answeredRetryDelay = retryDelayFor(retry, response, attempt);
        if (!answeredRetryDelay) return response;
        spdlog::info("MAAS {} answered {} with Retry-After; retrying in {} ms (attempt {}/{})",
                     label, response.status, answeredRetryDelay->count(), attempt,
                     retry.maxAttempts);
      } catch (const Poco::Net::SSLException& e) {
        // Certificate or handshake failures do not heal by retrying.
        lease.discard();
        impl_->metrics.record(label, 0);
        throw TransportError("MAAS " + label + ": TLS failure talking to " + impl_->root.printable +
                             ": " + e.displayText());
      } catch (const Poco::TimeoutException& e) {
        failure = Failure::Timeout;
        what = e.displayText();
      } catch (const Poco::Net::ConnectionRefusedException& e) {
        failure = Failure::NotConnected;
        what = e.displayText();
      } catch (const Poco::Net::DNSException& e) {
        failure = Failure::NotConnected;
        what = e.displayText();
      } catch (const Poco::Exception& e) {
        failure = Failure::Reset;
        what = e.displayText();
      } catch (const std::ios_base::failure& e) {
        failure = Failure::Reset;
        what = e.what();
      }
      if (!answeredRetryDelay) lease.discard();
    }  // the connection goes back to the pool before any wait
    if (answeredRetryDelay) {
      std::this_thread::sleep_for(*answeredRetryDelay);
      continue;
    }
    impl_->metrics.record(label, 0);
    if (const auto delay = retryDelayFor(retry, request, failure, attempt)) {
      spdlog::info("MAAS {} failed ({}); retrying in {} ms (attempt {}/{})", label, what,
                   delay->count(), attempt, retry.maxAttempts);
      std::this_thread::sleep_for(*delay);
      continue;
    }
    const bool repeatable = failure == Failure::NotConnected || safeToRepeat(request);
    throw TransportError("MAAS " + label + " at " + impl_->root.printable + ": no response (" +
                         what + ") after " + std::to_string(attempt) +
                         (attempt == 1 ? " attempt" : " attempts") +
                         (repeatable ? "" : "; not retried: the request is not safe to repeat"));
  }
}

}  // namespace maasprov::maas
