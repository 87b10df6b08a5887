// HTTPS: the client verifies the server's certificate by default, against the CA file it is
// given, including the host name; verification is off only when explicitly disabled (logged).
// The self-signed certificates are made at test time with the openssl CLI.
#include <Poco/File.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "framework/maas/client.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/inventory.hpp"
#include "scripted_server.hpp"
#include "test_certs.hpp"

namespace maas = maasprov::maas;
using maas::testing::ScriptedServer;
using namespace std::chrono_literals;

namespace {

using maas::testing::CertPair;

class ClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Poco::Net::initializeSSL();
    dir_ = std::make_unique<Poco::TemporaryFile>();
    dir_->createDirectories();
    loopback_ = maas::testing::makeSelfSignedCert(dir_->path(), "loopback", "127.0.0.1", true);
    other_ = maas::testing::makeSelfSignedCert(dir_->path(), "other", "other.example", false);
  }
  static void TearDownTestSuite() {
    dir_.reset();  // removes the directory and the certificates
    Poco::Net::uninitializeSSL();
  }

  static Poco::Net::Context::Ptr serverContext(const CertPair& pair) {
    return Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_SERVER_USE, pair.key,
                                              pair.cert, "", Poco::Net::Context::VERIFY_NONE);
  }

  static maas::ClientConfig config(const ScriptedServer& server) {
    maas::ClientConfig c;
    c.url = server.url();
    c.apiKey = "c:t:s";
    c.retry.maxAttempts = 2;
    c.retry.baseBackoff = 5ms;
    c.retry.maxBackoff = 5ms;
    return c;
  }

  static ScriptedServer::Handler version() {
    return [](int, auto&, auto& response) {
      ScriptedServer::reply(response, 200, R"({"version": "3.6.0", "capabilities": []})");
    };
  }

  static inline std::unique_ptr<Poco::TemporaryFile> dir_;
  static inline CertPair loopback_;
  static inline CertPair other_;
};

}  // namespace

TEST_F(ClientTls, AcceptedWithTheCaFile) {
  ScriptedServer server(version(), serverContext(loopback_));
  auto c = config(server);
  c.caFile = loopback_.cert;
  maas::Client client(c);
  EXPECT_EQ(maas::Inventory(client).version().version, "3.6.0");
  EXPECT_EQ(server.requestCount(), 1);
}

TEST_F(ClientTls, RefusedWithoutTheCa) {
  ScriptedServer server(version(), serverContext(loopback_));
  maas::Client client(config(server));  // system CAs only: the self-signed cert is unknown
  try {
    maas::Inventory(client).version();
    FAIL() << "expected TransportError";
  } catch (const maas::TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("TLS"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.requestCount(), 0);  // no request crossed an unverified connection
}

TEST_F(ClientTls, RefusedWhenTheNameDoesNotMatch) {
  ScriptedServer server(version(), serverContext(other_));  // valid for other.example only
  auto c = config(server);
  c.caFile = other_.cert;
  maas::Client client(c);
  EXPECT_THROW(maas::Inventory(client).version(), maas::TransportError);
  EXPECT_EQ(server.requestCount(), 0);
}

TEST_F(ClientTls, VerificationOffIsExplicitAndLogged) {
  std::ostringstream logs;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(logs)));
  {
    ScriptedServer server(version(), serverContext(other_));
    auto c = config(server);
    c.verifyTls = false;
    maas::Client client(c);
    EXPECT_EQ(maas::Inventory(client).version().version, "3.6.0");
  }
  spdlog::set_default_logger(previous);
  EXPECT_NE(logs.str().find("verification is OFF"), std::string::npos) << logs.str();
  EXPECT_NE(logs.str().find("warn"), std::string::npos) << logs.str();
}
