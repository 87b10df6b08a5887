#include "scripted_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <thread>

namespace maasprov::maas::testing {

class ScriptedServer::RecordingHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RecordingHandler(std::shared_ptr<State> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const int now = ++state_->inFlight;
    int seen = state_->maxInFlight.load();
    while (now > seen && !state_->maxInFlight.compare_exchange_weak(seen, now)) {
    }
    Recorded r;
    r.method = request.getMethod();
    r.uri = request.getURI();
    r.contentType = request.get("Content-Type", "");
    r.authorization = request.get("Authorization", "");
    Poco::StreamCopier::copyToString(request.stream(), r.body);
    const int index = state_->count++;
    {
      std::lock_guard lock(state_->mutex);
      state_->requests.push_back(std::move(r));
    }
    try {
      state_->handler(index, request, response);
    } catch (...) {
      --state_->inFlight;
      throw;
    }
    --state_->inFlight;
  }

 private:
  std::shared_ptr<State> state_;
};

class ScriptedServer::Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    // Poco takes ownership of the handler it is given.
    return std::make_unique<RecordingHandler>(state_).release();
  }

 private:
  std::shared_ptr<State> state_;
};

ScriptedServer::ScriptedServer(Handler handler, Poco::Net::Context::Ptr tls)
    : state_(std::make_shared<State>()), scheme_(tls ? "https" : "http") {
  state_->handler = std::move(handler);
  const Poco::Net::SocketAddress address("127.0.0.1", 0);
  Poco::Net::ServerSocket socket =
      tls ? Poco::Net::SecureServerSocket(address, 64, tls) : Poco::Net::ServerSocket(address);
  auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
  params->setMaxThreads(16);
  params->setKeepAlive(true);
  server_ =
      std::make_unique<Poco::Net::HTTPServer>(Poco::makeShared<Factory>(state_), socket, params);
  server_->start();
}

ScriptedServer::~ScriptedServer() {
  server_->stopAll(true);
  // Let handlers still sleeping finish, so they do not spill into the next test.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (state_->inFlight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string ScriptedServer::url() const {
  return scheme_ + "://127.0.0.1:" + std::to_string(server_->port()) + "/MAAS";
}

std::vector<Recorded> ScriptedServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

int ScriptedServer::requestCount() const {
  return state_->count.load();
}
int ScriptedServer::connectionCount() const {
  return server_->totalConnections();
}
int ScriptedServer::maxInFlight() const {
  return state_->maxInFlight.load();
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
