#include "framework/api/api_server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <stdexcept>

#include "framework/api/request_handler.hpp"
#include "framework/model/name_rules.hpp"

namespace maasprov::api {
namespace {

Poco::Net::SocketAddress parseListen(const std::string& listen) {
  try {
    return Poco::Net::SocketAddress(listen);
  } catch (const Poco::Exception&) {
    throw std::invalid_argument("listen: expected host:port such as 127.0.0.1:5241, got \"" +
                                listen + "\"");
  }
}

ApiOptions checked(ApiOptions options) {
  parseListen(options.listen);
  if (options.maxBodyBytes == 0) {
    throw std::invalid_argument("maxBodyBytes: expected a positive number of bytes");
  }
  if (options.maxThreads < 2) {
    throw std::invalid_argument(
        "maxThreads: expected at least 2 (watches may hold all but one thread)");
  }
  for (std::size_t i = 0; i < options.namespaces.size(); ++i) {
    if (const auto problem = model::checkDnsLabel(options.namespaces[i]); !problem.empty()) {
      throw std::invalid_argument("namespaces[" + std::to_string(i) + "]: " + problem);
    }
  }
  return options;
}

}  // namespace

class ApiServer::Impl {
 public:
  Impl(ApiOptions options, store::Store& store, ApiHooks hooks)
      : address_(parseListen(options.listen)),
        context_(std::make_shared<ServerContext>(checked(std::move(options)), store,
                                                 std::move(hooks))) {}

  void start() {
    if (server_) return;
    Poco::Net::ServerSocket socket;
    try {
      // SO_REUSEADDR only: SO_REUSEPORT would let a second maasprovd share the port silently.
      socket.bind(address_, true, false);
      socket.listen(64);
    } catch (const Poco::Exception& error) {
      throw std::runtime_error("cannot listen on " + context_->options.listen + ": " +
                               error.displayText());
    }
    auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
    params->setMaxThreads(context_->options.maxThreads);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(30, 0));  // a client stalling mid-request is dropped
    context_->stopping = false;
    pool_ = std::make_unique<Poco::ThreadPool>(1, context_->options.maxThreads);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        Poco::makeShared<RequestHandlerFactory>(context_), *pool_, socket, params);
    server_->start();
    port_ = socket.address().port();
  }

  void stop() {
    if (!server_) return;
    context_->stopping = true;  // open watches end within their poll interval
    // Waits for requests in flight, then shuts down every connection, idle ones included.
    server_->stopAll(false);
    pool_->joinAll();
    server_.reset();
    pool_.reset();
  }

  std::uint16_t port() const { return port_.load(); }
  std::string metricsText() const { return context_->metrics.text(); }

 private:
  Poco::Net::SocketAddress address_;
  std::shared_ptr<ServerContext> context_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::atomic<std::uint16_t> port_{0};
};

ApiServer::ApiServer(ApiOptions options, store::Store& store, ApiHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), store, std::move(hooks))) {}

ApiServer::~ApiServer() {
  impl_->stop();
}

void ApiServer::start() {
  impl_->start();
}
void ApiServer::stop() {
  impl_->stop();
}
std::uint16_t ApiServer::port() const {
  return impl_->port();
}
std::string ApiServer::requestMetricsText() const {
  return impl_->metricsText();
}

}  // namespace maasprov::api
