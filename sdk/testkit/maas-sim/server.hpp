// HTTP front end of maas-sim: MAAS's api/2.0 under /MAAS/api/2.0/ (OAuth PLAINTEXT, op dispatch,
// fault injection, latency) and the unauthenticated loopback-only control surface under /_sim/.
//
// Ownership: the factory borrows the State, Faults and Counters; they must outlive the server.
// Thread-safety: handlers run on Poco's worker threads; everything they share is internally locked.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <string>

#include "faults.hpp"
#include "state.hpp"

namespace maassim {

struct ApiKey {
  std::string consumer;
  std::string token;
  std::string secret;
};

struct ServerContext {
  State* state = nullptr;
  Faults* faults = nullptr;
  Counters* counters = nullptr;
  ApiKey key;
  bool log_requests = false;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(ServerContext ctx) : ctx_(std::move(ctx)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  ServerContext ctx_;
};

}  // namespace maassim
