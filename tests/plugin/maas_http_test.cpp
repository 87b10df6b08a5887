// A plugin's MAAS call going all the way through the host's real MAAS client to a real HTTP
// server on 127.0.0.1: the plugin never sees credentials, MAAS sees a signed, well-formed call.
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "framework/maas/client.hpp"
#include "framework/plugin/plugin_instance.hpp"
#include "test_support.hpp"

namespace maasprov::plugin {
namespace {

struct Seen {
  std::mutex mutex;
  std::string method, uri, body, authorization;
};

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Seen& seen) : seen_(seen) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    std::string body;
    Poco::StreamCopier::copyToString(req.stream(), body);
    {
      std::lock_guard<std::mutex> lock(seen_.mutex);
      seen_.method = req.getMethod();
      seen_.uri = req.getURI();
      seen_.body = body;
      seen_.authorization = req.get("Authorization", "");
    }
    resp.setContentType("application/json");
    resp.send() << R"({"system_id": "h8tq3n", "hostname": "node-1"})";
  }

 private:
  Seen& seen_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Seen& seen) : seen_(seen) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(seen_);  // Poco's server takes ownership of each handler
  }

 private:
  Seen& seen_;
};

TEST(PluginMaasOverHttp, PluginCallReachesMaasSignedWithRepeatedKeys) {
  Seen seen;
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::HTTPServer server(new Factory(seen), socket,  // the server owns the factory
                               new Poco::Net::HTTPServerParams);
  server.start();

  maas::ClientConfig config;
  config.url = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/MAAS";
  config.apiKey = "consumer:token:secret";
  maas::Client client(config);
  auto env = std::make_shared<HostEnvironment>();
  env->transport = &client;
  auto instance = PluginInstance::create(PluginLibrary::load(test::fixture("fixture_good")), env);
  CallOptions options;
  options.checkpoint = [](const Poco::JSON::Object::Ptr&) {};

  CallOutcome out = instance->reconcile(test::kMachineRequest, options);
  server.stop();

  ASSERT_TRUE(out.ok()) << out.error->message;
  EXPECT_EQ(out.status->getValue<std::string>("systemID"), "h8tq3n");
  EXPECT_EQ(out.status->getValue<std::string>("contentType"), "application/json");
  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.uri, "/MAAS/api/2.0/machines/?op=allocate");
  EXPECT_NE(seen.body.find("tags=a&tags=b"), std::string::npos) << seen.body;
  EXPECT_NE(seen.body.find("cpu_count=2"), std::string::npos) << seen.body;
  EXPECT_NE(seen.authorization.find("OAuth"), std::string::npos);
  EXPECT_NE(seen.authorization.find("oauth_token=\"token\""), std::string::npos)
      << seen.authorization;
}

}  // namespace
}  // namespace maasprov::plugin
