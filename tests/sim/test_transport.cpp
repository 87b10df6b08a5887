// maas-sim transport: multipart bodies (MAAS CLI), keep-alive reuse, HTTPS with a local
// self-signed certificate.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Process.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

TEST(SimTransport, MultipartFormBodyCarriesOpAndRepeatedKeys) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  Poco::Net::HTMLForm form(Poco::Net::HTMLForm::ENCODING_MULTIPART);
  form.add("op", "allocate");
  form.add("tags", "ssd");
  form.add("tags", "gpu");
  Poco::Net::HTTPClientSession session("127.0.0.1", sim.port());
  Poco::Net::HTTPRequest req("POST", Api("machines/"), Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", DefaultAuth());
  form.prepareSubmit(req);
  form.write(session.sendRequest(req));
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
  ASSERT_EQ(resp.getStatus(), 200) << body;
  EXPECT_NE(body.find("\"hostname\":\"mid-a\""), std::string::npos);
}

TEST(SimTransport, KeepAliveConnectionServesManyRequests) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  Poco::Net::HTTPClientSession session("127.0.0.1", sim.port());
  session.setKeepAlive(true);
  for (int i = 0; i < 5; ++i) {
    Poco::Net::HTTPRequest req("GET", Api("zones"), Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", DefaultAuth());
    req.setKeepAlive(true);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    EXPECT_EQ(resp.getStatus(), 200);  // also: no trailing slash needed
  }
  auto counters = Call(sim.port(), "GET", "/_sim/counters", {}, "").object();
  EXPECT_EQ(counters->getObject("endpoints")->getObject("GET zones")->getValue<int>("200"), 5);
}

TEST(SimTransport, ManyKeepAliveClientsAreServedAtOnce) {
  SimProcess sim(SimProcess::Yaml(kTestInventory));
  // 40 clients each hold a persistent connection; none may wait behind another's idle one.
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> sessions;
  auto ask = [&](Poco::Net::HTTPClientSession& s) {
    Poco::Net::HTTPRequest req("GET", Api("zones/"), Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", DefaultAuth());
    req.setKeepAlive(true);
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(s.receiveResponse(resp), body);
    return resp.getStatus();
  };
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    sessions.push_back(std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", sim.port()));
    sessions.back()->setKeepAlive(true);
    sessions.back()->setTimeout(Poco::Timespan(3, 0));
    ASSERT_EQ(ask(*sessions.back()), 200) << "client " << i;
  }
  for (auto& s : sessions) ASSERT_EQ(ask(*s), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

class SimTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = Poco::TemporaryFile::tempName();
    Poco::File(dir_).createDirectories();
    std::vector<std::string> args = {"req",
                                     "-x509",
                                     "-newkey",
                                     "rsa:2048",
                                     "-nodes",
                                     "-keyout",
                                     dir_ + "/key.pem",
                                     "-out",
                                     dir_ + "/cert.pem",
                                     "-days",
                                     "1",
                                     "-subj",
                                     "/CN=127.0.0.1",
                                     "-addext",
                                     "subjectAltName=IP:127.0.0.1"};
    try {
      Poco::Pipe out;
      auto h = Poco::Process::launch("openssl", args, nullptr, &out, &out);
      Poco::PipeInputStream drain(out);
      std::string ignored;
      Poco::StreamCopier::copyToString(drain, ignored);
      ASSERT_EQ(h.wait(), 0) << ignored;
    } catch (const Poco::Exception& e) {
      GTEST_SKIP() << "openssl CLI not available to make a test certificate: " << e.displayText();
    }
  }
  void TearDown() override { Poco::File(dir_).remove(true); }

  int Get(unsigned short port, const std::string& ca) {
    Poco::Net::Context::Ptr ctx = Poco::makeAuto<Poco::Net::Context>(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", ca, Poco::Net::Context::VERIFY_RELAXED);
    Poco::Net::HTTPSClientSession session("127.0.0.1", port, ctx);
    Poco::Net::HTTPRequest req("GET", Api("version/"), Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", DefaultAuth());
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    return resp.getStatus();
  }

  std::string dir_;
};

TEST_F(SimTls, ServesHttpsVerifiableWithItsCertificateOnly) {
  SimProcess sim(SimProcess::Yaml(
      kTestInventory, {"--tls-cert", dir_ + "/cert.pem", "--tls-key", dir_ + "/key.pem"}));
  EXPECT_EQ(Get(sim.port(), dir_ + "/cert.pem"), 200);
  // Without the CA the handshake must fail: the certificate is self-signed.
  EXPECT_THROW(Get(sim.port(), ""), Poco::Exception);
}

}  // namespace
}  // namespace maassim::testing
