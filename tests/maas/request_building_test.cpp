// How requests look on the wire before they are sent: encoding, op placement, labels, keys,
// compose's storage and interface strings, the OAuth header.
#include <Poco/Net/HTTPRequest.h>
#include <Poco/RegularExpression.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "framework/maas/api_key.hpp"
#include "framework/maas/endpoint_label.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/oauth_signer.hpp"
#include "framework/maas/request_encoding.hpp"
#include "framework/maas/vm_hosts.hpp"

namespace maas = maasprov::maas;

TEST(RequestEncoding, GetPutsOpAndParamsInQueryWithRepeatedKeys) {
  const auto e = maas::encodeRequest(
      {"GET", "machines/", "", {{"id", "a1"}, {"id", "b2"}, {"id", "c3"}, {"agent_name", "c1"}}},
      "/MAAS/api/2.0/");
  EXPECT_EQ(e.method, "GET");
  EXPECT_EQ(e.pathAndQuery, "/MAAS/api/2.0/machines/?id=a1&id=b2&id=c3&agent_name=c1");
  EXPECT_TRUE(e.body.empty());
  EXPECT_TRUE(e.contentType.empty());
}

TEST(RequestEncoding, PostPutsOpInQueryAndParamsInForm) {
  const auto e = maas::encodeRequest(
      {"POST", "machines/", "allocate", {{"tags", "gpu"}, {"tags", "ssd"}, {"zone", "az 1"}}},
      "/MAAS/api/2.0/");
  EXPECT_EQ(e.pathAndQuery, "/MAAS/api/2.0/machines/?op=allocate");
  EXPECT_EQ(e.contentType, "application/x-www-form-urlencoded");
  EXPECT_NE(e.body.find("tags=gpu&tags=ssd"), std::string::npos) << e.body;
  EXPECT_NE(e.body.find("zone=az"), std::string::npos) << e.body;
  EXPECT_EQ(e.body.find(' '), std::string::npos) << e.body;
}

TEST(RequestEncoding, ReservedCharactersAreEscaped) {
  const auto get = maas::encodeRequest({"GET", "dnsresources/", "", {{"fqdn", "a&b=c+d.maas"}}},
                                       "/MAAS/api/2.0/");
  EXPECT_EQ(get.pathAndQuery.find("a&b"), std::string::npos) << get.pathAndQuery;
  EXPECT_NE(get.pathAndQuery.find("fqdn=a%26b%3Dc%2Bd.maas"), std::string::npos)
      << get.pathAndQuery;
  const auto post = maas::encodeRequest(
      {"POST", "machines/x/", "deploy", {{"user_data", "aGk+/w=="}}}, "/MAAS/api/2.0/");
  EXPECT_EQ(post.body, "user_data=aGk%2B%2Fw%3D%3D");
}

TEST(RequestEncoding, DeleteUsesQueryAndPutUsesForm) {
  EXPECT_EQ(
      maas::encodeRequest({"DELETE", "dnsresources/3/", "", {{"x", "1"}}}, "/r/").pathAndQuery,
      "/r/dnsresources/3/?x=1");
  const auto put = maas::encodeRequest({"PUT", "machines/abc/", "", {{"hostname", "h1"}}}, "/r/");
  EXPECT_EQ(put.pathAndQuery, "/r/machines/abc/");
  EXPECT_EQ(put.body, "hostname=h1");
}

TEST(RequestEncoding, RejectsBadMethodAndPaths) {
  EXPECT_THROW(maas::encodeRequest({"PATCH", "machines/", "", {}}, "/r/"), std::invalid_argument);
  EXPECT_THROW(maas::encodeRequest({"GET", "/machines/", "", {}}, "/r/"), std::invalid_argument);
  EXPECT_THROW(maas::encodeRequest({"GET", "../admin/", "", {}}, "/r/"), std::invalid_argument);
}

TEST(EndpointLabel, FoldsIdsAndKeepsOp) {
  EXPECT_EQ(maas::endpointLabel({"GET", "machines/", "", {{"id", "abc"}}}), "GET machines/");
  EXPECT_EQ(maas::endpointLabel({"GET", "machines/4y3h7n/", "", {}}), "GET machines/{id}/");
  EXPECT_EQ(maas::endpointLabel({"POST", "machines/4y3h7n/", "deploy", {{"user_data", "x"}}}),
            "POST machines/{id}/?op=deploy");
  EXPECT_EQ(maas::endpointLabel({"POST", "vm-hosts/12/", "compose", {}}),
            "POST vm-hosts/{id}/?op=compose");
  EXPECT_EQ(maas::endpointLabel({"GET", "resourcepool/0/", "", {}}), "GET resourcepool/{id}/");
  EXPECT_EQ(maas::endpointLabel({"GET", "nodes/abc/interfaces/7/", "", {}}),
            "GET nodes/{id}/interfaces/{id}/");
  EXPECT_EQ(maas::endpointLabel({"GET", "version/", "", {}}), "GET version/");
}

TEST(ApiKey, SplitsIntoThreeParts) {
  const auto key = maas::parseApiKey("cons:tok:sec");
  EXPECT_EQ(key.consumer, "cons");
  EXPECT_EQ(key.token, "tok");
  EXPECT_EQ(key.secret, "sec");
}

TEST(ApiKey, MalformedKeysNameTheSettingAndNeverQuoteTheKey) {
  for (const std::string bad : {"onlyonepart-SECRETVALUE", "a:b", "a:b:c:SECRETVALUE",
                                ":tok:SECRETVALUE", "cons::SECRETVALUE", "cons:tok:", ""}) {
    try {
      maas::parseApiKey(bad, "maas.apiKey");
      ADD_FAILURE() << "accepted a malformed key";
    } catch (const maas::ConfigError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("maas.apiKey"), std::string::npos) << message;
      EXPECT_EQ(message.find("SECRETVALUE"), std::string::npos) << message;
      EXPECT_NE(message.find("consumer:token:secret"), std::string::npos) << message;
    }
  }
}

TEST(ComposeFormat, StorageAndInterfaces) {
  EXPECT_EQ(maas::formatStorage({{"root", 20, "fast"}, {"data", 100, ""}}),
            "root:20(fast),data:100");
  EXPECT_EQ(maas::formatInterfaces({{"eth0", {{"subnet_cidr", "10.0.0.0/24"}, {"ip", "10.0.0.9"}}},
                                    {"eth1", {{"space", "storage"}}}}),
            "eth0:subnet_cidr=10.0.0.0/24,ip=10.0.0.9;eth1:space=storage");
}

TEST(ComposeFormat, RejectsValuesThatBreakTheFormat) {
  EXPECT_THROW(maas::formatStorage({{"ro:ot", 20, ""}}), std::invalid_argument);
  EXPECT_THROW(maas::formatStorage({{"root", 0, ""}}), std::invalid_argument);
  EXPECT_THROW(maas::formatStorage({{"root", 10, "a,b"}}), std::invalid_argument);
  EXPECT_THROW(maas::formatInterfaces({{"eth0", {}}}), std::invalid_argument);
  EXPECT_THROW(maas::formatInterfaces({{"eth0", {{"space", "a;b"}}}}), std::invalid_argument);
}

// MAAS refuses a request whose nonce it has seen: every signature, from any thread, gets its own.
TEST(OAuthSigner, EverySignatureHasAFreshNonceAndTheKeysParts) {
  const maas::OAuthSigner signer(maas::ApiKey{"consumer", "token", "secret"});
  const Poco::RegularExpression header(
      R"re(^OAuth .*oauth_consumer_key="consumer".*oauth_signature="%26secret".*)re"
      R"re(oauth_token="token".*oauth_nonce="([A-Za-z0-9]{32})", oauth_timestamp="\d+"$)re");
  std::mutex mutex;
  std::set<std::string> nonces;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        Poco::Net::HTTPRequest request("GET", "/MAAS/api/2.0/machines/");
        signer.sign(request, Poco::URI("http://maas:5240/MAAS/api/2.0/machines/"));
        std::vector<std::string> groups;
        const std::string auth = request.get("Authorization");
        std::lock_guard lock(mutex);
        ASSERT_EQ(header.split(auth, groups), 2) << auth;
        nonces.insert(groups[1]);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(nonces.size(), 2000u);
}
