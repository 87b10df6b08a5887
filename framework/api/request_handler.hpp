// The HTTP side of the API: the Poco request handler factory that authenticates, routes and
// dispatches every request, maps failures to Status objects and counts requests.
//
// Ownership: the factory shares the ServerContext with the ApiServer that created it; Poco owns
// the factory (through its SharedPtr) and every handler the factory returns (Poco's contract for
// createRequestHandler: the one place this project hands out a raw owning pointer).
// Thread-safety: handlers run concurrently on Poco's request threads; ServerContext members are
// immutable or thread-safe.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "framework/api/api_server.hpp"
#include "framework/api/request_metrics.hpp"
#include "framework/api/resource_service.hpp"
#include "framework/api/token_auth.hpp"

namespace maasprov::api {

struct ServerContext {
  ServerContext(ApiOptions options, store::Store& store, ApiHooks hooks);

  const ApiOptions options;
  store::Store& store;
  const ApiHooks hooks;
  const TokenAuth auth;
  const ResourceService resources;
  RequestMetrics metrics;
  std::atomic<bool> stopping{false};

  // Claims one of the maxThreads - 1 watch slots (one thread always stays free for other calls).
  bool tryOpenWatch();
  void closeWatch();

 private:
  std::mutex watchMutex_;
  int watches_ = 0;
};

class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit RequestHandlerFactory(std::shared_ptr<ServerContext> context);
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  std::shared_ptr<ServerContext> context_;
};

}  // namespace maasprov::api
