#include "scripted_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

namespace maasprov::maas::testing {

class RecordingHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RecordingHandler(ScriptedServer& server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const int now = ++server_.inFlight_;
    int seen = server_.maxInFlight_.load();
    while (now > seen && !server_.maxInFlight_.compare_exchange_weak(seen, now)) {
    }
    Recorded r;
    r.method = request.getMethod();
    r.uri = request.getURI();
    r.contentType = request.get("Content-Type", "");
    r.authorization = request.get("Authorization", "");
    Poco::StreamCopier::copyToString(request.stream(), r.body);
    const int index = server_.count_++;
    server_.record(std::move(r));
    try {
      server_.handler_(index, request, response);
    } catch (...) {
      --server_.inFlight_;
      throw;
    }
    --server_.inFlight_;
  }

 private:
  ScriptedServer& server_;
};

class ScriptedServer::Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(ScriptedServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    // Poco takes ownership of the handler it is given.
    return std::make_unique<RecordingHandler>(server_).release();
  }

 private:
  ScriptedServer& server_;
};

ScriptedServer::ScriptedServer(Handler handler, Poco::Net::Context::Ptr tls)
    : handler_(std::move(handler)), scheme_(tls ? "https" : "http") {
  const Poco::Net::SocketAddress address("127.0.0.1", 0);
  Poco::Net::ServerSocket socket =
      tls ? Poco::Net::SecureServerSocket(address, 64, tls) : Poco::Net::ServerSocket(address);
  auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
  params->setMaxThreads(16);
  params->setKeepAlive(true);
  server_ =
      std::make_unique<Poco::Net::HTTPServer>(Poco::makeShared<Factory>(*this), socket, params);
  server_->start();
}

ScriptedServer::~ScriptedServer() {
  server_->stopAll(true);
}

std::string ScriptedServer::url() const {
  return scheme_ + "://127.0.0.1:" + std::to_string(server_->port()) + "/MAAS";
}

std::vector<Recorded> ScriptedServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int ScriptedServer::requestCount() const {
  return count_.load();
}
int ScriptedServer::connectionCount() const {
  return server_->totalConnections();
}
int ScriptedServer::maxInFlight() const {
  return maxInFlight_.load();
}

void ScriptedServer::record(Recorded r) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(r));
}

void ScriptedServer::resetConnection(Poco::Net::HTTPServerRequest& request) {
  auto& socket = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
  socket.setLinger(true, 0);  // close() then sends RST rather than FIN
  socket.close();
}

void ScriptedServer::reply(Poco::Net::HTTPServerResponse& response, int status,
                           const std::string& body, const std::string& contentType) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(contentType);
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response.send() << body;
}

}  // namespace maasprov::maas::testing
