// Watch streams over real sockets: initial state, changes in order, resuming from a
// resourceVersion, filters, expiry, timeouts, and clean ends on shutdown and disconnect.
#include <Poco/Net/HTTPRequest.h>
#include <Poco/StreamCopier.h>

#include <thread>

#include "api_test_support.hpp"

namespace maasprov::api::testing {
namespace {

const std::string kMachines = std::string(kInfra) + "/namespaces/default/maasmachines";

class Watch : public ApiFixture {
 protected:
  std::string create(const std::string& name, const std::string& ns = "default",
                     const std::string& labels = "") {
    const auto result = post(std::string(kInfra) + "/namespaces/" + ns + "/maasmachines",
                             machineYaml(name, ns, labels));
    EXPECT_EQ(result.status, 201) << result.body;
    return metaOf(result.json(), "resourceVersion");
  }

  static std::string nameOf(const Poco::JSON::Object::Ptr& event) {
    return metaOf(event->getObject("object"), "name");
  }
};

TEST_F(Watch, StartsWithCurrentObjectsThenStreamsChangesInOrder) {
  create("a");
  WatchClient watch(port(), kMachines + "?watch=1");
  ASSERT_EQ(watch.status(), 200);
  EXPECT_EQ(watch.response().getContentType(), "application/json;stream=watch");
  EXPECT_TRUE(watch.response().getChunkedTransferEncoding());
  auto first = watch.next();
  ASSERT_FALSE(first.isNull());
  EXPECT_EQ(first->getValue<std::string>("type"), "ADDED");
  EXPECT_EQ(nameOf(first), "a");

  create("b");
  auto current = get(kMachines + "/a").json();
  current->getObject("spec")->set("failureDomain", "zone-a");
  ASSERT_EQ(put(kMachines + "/a", stringify(current)).status, 200);
  ASSERT_EQ(del(kMachines + "/b").status, 200);

  const std::vector<std::pair<std::string, std::string>> expected{
      {"ADDED", "b"}, {"MODIFIED", "a"}, {"DELETED", "b"}};
  std::uint64_t lastVersion = 0;
  for (const auto& [type, name] : expected) {
    const auto event = watch.next();
    ASSERT_FALSE(event.isNull());
    EXPECT_EQ(event->getValue<std::string>("type"), type);
    EXPECT_EQ(nameOf(event), name);
    const auto version = std::stoull(metaOf(event->getObject("object"), "resourceVersion"));
    EXPECT_GT(version, lastVersion);
    lastVersion = version;
  }
}

TEST_F(Watch, ResumesAfterAResourceVersionWithoutReplayingOlderEvents) {
  create("a");
  const auto afterB = create("b");
  create("c");
  create("d");
  WatchClient watch(port(), kMachines + "?watch=true&resourceVersion=" + afterB);
  ASSERT_EQ(watch.status(), 200);
  for (const auto* name : {"c", "d"}) {
    const auto event = watch.next();
    ASSERT_FALSE(event.isNull());
    EXPECT_EQ(event->getValue<std::string>("type"), "ADDED");
    EXPECT_EQ(nameOf(event), name);
  }
  create("e");
  EXPECT_EQ(nameOf(watch.next()), "e");
}

TEST_F(Watch, FiltersByNamespaceLabelsAndName) {
  WatchClient byLabel(port(),
                      std::string(kInfra) + "/maasmachines?watch=1&labelSelector=role%3Dcp");
  WatchClient byName(port(), kMachines + "?watch=1&fieldSelector=metadata.name%3Dtarget");
  ASSERT_EQ(byLabel.status(), 200);
  ASSERT_EQ(byName.status(), 200);
  create("w1", "default", "    role: worker\n");
  create("target", "default");
  create("cp1", "other", "    role: cp\n");
  EXPECT_EQ(nameOf(byLabel.next()), "cp1");
  EXPECT_EQ(nameOf(byName.next()), "target");
  // Nothing else arrives before the timeout-bounded end of the stream.
  WatchClient bounded(port(), kMachines +
                                  "?watch=1&resourceVersion=1&timeoutSeconds=1"
                                  "&fieldSelector=metadata.name%3Dtarget");
  EXPECT_EQ(nameOf(bounded.next()), "target");
  EXPECT_TRUE(bounded.next().isNull());  // clean end after timeoutSeconds
}

TEST_F(Watch, EndsCleanlyWhenTheServerStops) {
  WatchClient watch(port(), kMachines + "?watch=1");
  ASSERT_EQ(watch.status(), 200);
  create("a");
  EXPECT_EQ(nameOf(watch.next()), "a");
  const auto started = std::chrono::steady_clock::now();
  server().stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(watch.next().isNull());  // the final chunk arrived: a clean end, not a reset
}

TEST_F(Watch, StopClosesIdleKeepAliveConnectionsPromptlyAndTheServerCanRestart) {
  Poco::Net::HTTPClientSession idle("127.0.0.1", port());
  idle.setKeepAlive(true);
  Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  idle.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(idle.receiveResponse(response), body);
  ASSERT_TRUE(response.getKeepAlive());
  const auto started = std::chrono::steady_clock::now();
  server().stop();
  // Idle keep-alive connections are closed, not waited out (their timeout is 5 s).
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  server().stop();  // idempotent
  server().start();
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(Watch, DisconnectedClientsFreeTheirSlot) {
  // maxThreads is 4 in the fixture: three watches at once, a fourth is refused.
  std::vector<std::unique_ptr<WatchClient>> watches;
  for (int i = 0; i < 3; ++i) {
    watches.push_back(std::make_unique<WatchClient>(port(), kMachines + "?watch=1"));
    ASSERT_EQ(watches.back()->status(), 200);
  }
  {
    WatchClient refused(port(), kMachines + "?watch=1");
    EXPECT_EQ(refused.status(), 429);
  }
  EXPECT_EQ(get(kMachines).status, 200);  // ordinary calls still get a thread
  for (auto& watch : watches) watch->disconnect();
  watches.clear();
  // The server notices within its poll interval and frees the slots.
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    WatchClient again(port(), kMachines + "?watch=1&timeoutSeconds=1");
    status = again.status();
  }
  EXPECT_EQ(status, 200);
  bool drained = false;
  for (int attempt = 0; attempt < 50 && !drained; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    drained =
        server().requestMetricsText().find("maasprov_api_watches_open 0") != std::string::npos;
  }
  EXPECT_TRUE(drained) << server().requestMetricsText();
}

TEST_F(Watch, BadParametersAre400) {
  for (const auto* query :
       {"watch=maybe", "watch=1&resourceVersion=abc", "watch=1&timeoutSeconds=0",
        "watch=1&fieldSelector=spec.image%3Dx", "watch=1&labelSelector=%3D%3D"}) {
    WatchClient watch(port(), kMachines + "?" + query);
    EXPECT_EQ(watch.status(), 400) << query;
    EXPECT_NE(watch.rest().find("\"kind\":\"Status\""), std::string::npos) << query;
  }
}

class ShortFeed : public Watch {
 protected:
  std::size_t eventRetention() const override { return 5; }
};

TEST_F(ShortFeed, AnExpiredResourceVersionIs410) {
  for (int i = 0; i < 20; ++i) create("m" + std::to_string(i));
  WatchClient watch(port(), kMachines + "?watch=1&resourceVersion=1");
  EXPECT_EQ(watch.status(), 410);
  const auto body = watch.rest();
  EXPECT_NE(body.find("\"reason\":\"Expired\""), std::string::npos) << body;
  EXPECT_NE(body.find("list again"), std::string::npos) << body;
}

}  // namespace
}  // namespace maasprov::api::testing
