// maas-sim over real sockets: authentication, op dispatch, read-only collections, DNS resources.
#include <gtest/gtest.h>

#include "sim_client.hpp"
#include "sim_process.hpp"
#include "test_inventory.hpp"

namespace maassim::testing {
namespace {

class SimApi : public ::testing::Test {
 protected:
  SimProcess sim_{SimProcess::Yaml(kTestInventory)};
  HttpResult Get(const std::string& rest, const Form& f = {}) {
    return Call(sim_.port(), "GET", Api(rest), f);
  }
};

TEST_F(SimApi, VersionAnswersWithMaasVersionAndCapabilities) {
  auto r = Get("version/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.object()->getValue<std::string>("version").substr(0, 2), "3.");
  EXPECT_GT(r.object()->getArray("capabilities")->size(), 0u);
}

TEST_F(SimApi, RequestWithoutOAuthHeaderIsRejected) {
  auto r = Call(sim_.port(), "GET", Api("machines/"), {}, "");
  EXPECT_EQ(r.status, 401);
}

TEST_F(SimApi, MissingOAuthParameterIsRejected) {
  auto r = Call(sim_.port(), "GET", Api("machines/"), {},
                "OAuth oauth_consumer_key=\"maasprov\", oauth_token=\"sim\", "
                "oauth_signature_method=\"PLAINTEXT\", oauth_nonce=\"1\", "
                "oauth_timestamp=\"1764000000\"");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("oauth_signature"), std::string::npos) << r.body;
}

TEST_F(SimApi, NonIntegerTimestampIsABadRequest) {
  auto r = Call(sim_.port(), "GET", Api("machines/"), {},
                "OAuth oauth_consumer_key=\"maasprov\", oauth_token=\"sim\", "
                "oauth_signature=\"%26secret\", oauth_signature_method=\"PLAINTEXT\", "
                "oauth_nonce=\"1\", oauth_timestamp=\"soon\"");
  EXPECT_EQ(r.status, 400);
}

TEST_F(SimApi, WrongConsumerKeyIsAnInvalidApiKey) {
  auto r = Call(sim_.port(), "GET", Api("machines/"), {}, OAuthHeader("other", "sim", "secret"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "Authorization Error: Invalid API key.");
}

TEST_F(SimApi, WrongTokenOrSecretIsUnauthorised) {
  EXPECT_EQ(
      Call(sim_.port(), "GET", Api("machines/"), {}, OAuthHeader("maasprov", "x", "secret")).status,
      401);
  auto r = Call(sim_.port(), "GET", Api("machines/"), {}, OAuthHeader("maasprov", "sim", "nope"));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("Authorization Error"), std::string::npos);
}

TEST(SimApiKey, ConfiguredKeyReplacesTheDefault) {
  SimProcess sim(SimProcess::Yaml(kTestInventory, {"--api-key", "ck:tk:s3cr3t"}));
  EXPECT_EQ(Call(sim.port(), "GET", Api("zones/"), {}, OAuthHeader("ck", "tk", "s3cr3t")).status,
            200);
  EXPECT_EQ(Call(sim.port(), "GET", Api("zones/")).status, 401);
}

TEST_F(SimApi, UnknownOpIsAnUnrecognisedSignature) {
  auto post = Call(sim_.port(), "POST", Api("machines/?op=frobnicate"));
  EXPECT_EQ(post.status, 400);
  EXPECT_EQ(post.body, "Unrecognised signature: method=POST op=frobnicate");
  auto get = Get("machines/", {{"op", "frobnicate"}});
  EXPECT_EQ(get.status, 400);
  EXPECT_EQ(get.body, "Unrecognised signature: method=GET op=frobnicate");
}

TEST_F(SimApi, UnknownMachineIsNotFound) {
  auto r = Get("machines/nosuch/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "No Machine matches the given query.");
}

TEST_F(SimApi, ReadOnlyCollectionsListInventoryObjects) {
  auto zones = Get("zones/");
  ASSERT_EQ(zones.status, 200);
  std::vector<std::string> names;
  for (size_t i = 0; i < zones.array()->size(); ++i)
    names.push_back(zones.array()->getObject(i)->getValue<std::string>("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"default", "zone-a", "zone-b"}));
  EXPECT_EQ(Get("zones/zone-a/").object()->getValue<std::string>("description"), "first");
  EXPECT_EQ(Get("resourcepools/").array()->size(), 2u);
  EXPECT_EQ(Get("resourcepool/1/").object()->getValue<std::string>("name"), "gold");
  EXPECT_EQ(Get("resourcepool/9/").status, 404);
  EXPECT_EQ(Get("subnets/").array()->size(), 2u);
  EXPECT_EQ(Get("subnets/1/").object()->getValue<std::string>("cidr"), "10.0.0.0/28");
  EXPECT_EQ(Get("domains/").array()->size(), 2u);
  EXPECT_TRUE(Get("domains/0/").object()->getValue<bool>("is_default"));
  auto tags = Get("tags/");
  EXPECT_GE(tags.array()->size(), 6u);  // spare plus every machine and VM host tag
  EXPECT_EQ(Get("tags/gpu/").status, 200);
}

TEST_F(SimApi, CreatedTagBecomesUsableAsConstraint) {
  EXPECT_EQ(Call(sim_.port(), "POST", Api("tags/"), {{"name", "fresh"}}).status, 200);
  EXPECT_EQ(Call(sim_.port(), "POST", Api("tags/"), {{"name", "fresh"}}).status, 400);
  EXPECT_EQ(Get("machines/", {{"tags", "fresh"}}).array()->size(), 0u);
}

TEST_F(SimApi, DnsResourceHoldsTheAddressesItIsGiven) {
  auto created = Call(sim_.port(), "POST", Api("dnsresources/"),
                      {{"fqdn", "cp.maas"}, {"ip_addresses", "10.0.0.20 10.0.0.21"}});
  ASSERT_EQ(created.status, 200) << created.body;
  int id = created.object()->getValue<int>("id");
  auto ips = created.object()->getArray("ip_addresses");
  ASSERT_EQ(ips->size(), 2u);
  EXPECT_EQ(ips->getObject(1)->getValue<std::string>("ip"), "10.0.0.21");

  auto listed = Get("dnsresources/", {{"fqdn", "cp.maas"}});
  ASSERT_EQ(listed.array()->size(), 1u);
  EXPECT_EQ(listed.array()->getObject(0)->getValue<std::string>("fqdn"), "cp.maas");
  EXPECT_EQ(Get("dnsresources/", {{"fqdn", "absent.maas"}}).array()->size(), 0u);

  std::string item = "dnsresources/" + std::to_string(id) + "/";
  auto updated = Call(sim_.port(), "PUT", Api(item), {{"ip_addresses", "10.0.0.30"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.object()->getArray("ip_addresses")->size(), 1u);
  EXPECT_EQ(Get(item).object()->getArray("ip_addresses")->getObject(0)->getValue<std::string>("ip"),
            "10.0.0.30");
  EXPECT_EQ(Get("domains/0/").object()->getValue<int>("resource_record_count"), 2);

  EXPECT_EQ(Call(sim_.port(), "DELETE", Api(item)).status, 204);
  EXPECT_EQ(Get(item).status, 404);
}

TEST_F(SimApi, DnsResourceTakesIpv6Addresses) {
  // MAAS serves AAAA records: IPv6 addresses are accepted, alone or mixed with IPv4.
  auto created = Call(sim_.port(), "POST", Api("dnsresources/"),
                      {{"fqdn", "v6.maas"}, {"ip_addresses", "2001:db8::10 10.0.0.22"}});
  ASSERT_EQ(created.status, 200) << created.body;
  auto ips = created.object()->getArray("ip_addresses");
  ASSERT_EQ(ips->size(), 2u);
  EXPECT_EQ(ips->getObject(0)->getValue<std::string>("ip"), "2001:db8::10");
  std::string item = "dnsresources/" + std::to_string(created.object()->getValue<int>("id")) + "/";
  auto updated = Call(sim_.port(), "PUT", Api(item), {{"ip_addresses", "fd00::1"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Get(item).object()->getArray("ip_addresses")->getObject(0)->getValue<std::string>("ip"),
            "fd00::1");
  for (const char* bad : {"2001:db8::zz", "2001:db8:::1", "fe80::1%eth0x:"}) {
    auto r = Call(sim_.port(), "POST", Api("dnsresources/"),
                  {{"fqdn", "bad6.maas"}, {"ip_addresses", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("is not a valid IP address"), std::string::npos) << r.body;
  }
}

TEST_F(SimApi, DnsResourceRejectsBadAddressesAndDuplicates) {
  auto bad = Call(sim_.port(), "POST", Api("dnsresources/"),
                  {{"fqdn", "x.maas"}, {"ip_addresses", "10.0.0.300"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("ip_addresses"), std::string::npos);
  auto dup = Call(sim_.port(), "POST", Api("dnsresources/"),
                  {{"fqdn", "existing.maas"}, {"ip_addresses", "10.0.0.8"}});
  EXPECT_EQ(dup.status, 400);
}

}  // namespace
}  // namespace maassim::testing
