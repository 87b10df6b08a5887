// A real HTTP(S) server on 127.0.0.1 (ephemeral port) whose answers a test scripts, and which
// records what it received: method, URI, headers and body as they crossed the socket.
//
// Ownership: owns its Poco server and listening socket; stops them on destruction.
// Thread-safety: the handler runs on the server's threads (several at once); requests() and
// the counters may be read from the test thread at any time.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace maasprov::maas::testing {

struct Recorded {
  std::string method;
  std::string uri;
  std::string contentType;
  std::string authorization;
  std::string body;
};

class ScriptedServer {
 public:
  // Called once per request; `index` counts requests from 0.
  using Handler =
      std::function<void(int index, Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

  // With a server context, serves HTTPS.
  explicit ScriptedServer(Handler handler, Poco::Net::Context::Ptr tls = nullptr);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  // e.g. "http://127.0.0.1:40123/MAAS"
  std::string url() const;
  std::vector<Recorded> requests() const;
  int requestCount() const;
  int connectionCount() const;  // TCP connections accepted so far
  int maxInFlight() const;      // most requests handled at the same time

  // Ends the connection with a TCP reset instead of answering (call from a handler).
  static void resetConnection(Poco::Net::HTTPServerRequest& request);
  // Sends a JSON body with the given status.
  static void reply(Poco::Net::HTTPServerResponse& response, int status, const std::string& body,
                    const std::string& contentType = "application/json");

 private:
  // Shared with the request handlers, which Poco may still be running after the server object
  // is gone (a handler sleeping past the end of a test).
  struct State {
    Handler handler;
    std::mutex mutex;
    std::vector<Recorded> requests;
    std::atomic<int> count{0};
    std::atomic<int> inFlight{0};
    std::atomic<int> maxInFlight{0};
  };
  class Factory;
  class RecordingHandler;

  std::shared_ptr<State> state_;
  std::string scheme_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace maasprov::maas::testing
