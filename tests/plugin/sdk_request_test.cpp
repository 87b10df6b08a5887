// The SDK's Request as plugins receive it through the ABI (Request::fromText): the same answers as
// a request built from the parsed document, with the cluster's other machines built only when a
// plugin reads them, and every part of the text still checked when the request arrives.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "maasprov/plugin.hpp"

namespace maasprov {
namespace {

const std::string kRequest = R"({
  "object": {"metadata": {"name": "m0", "namespace": "prod", "uid": "u-0",
                          "labels": {"cluster.x-k8s.io/cluster-name": "c1"}},
             "spec": {"provisioningMode": "lxd"}, "status": {"systemID": "abc"}},
  "cluster": {"metadata": {"name": "c1"}, "spec": {"failureDomains": ["z1", "z2"]}},
  "userData": "dXNlcg==",
  "machines": [{"metadata": {"name": "m1"}, "status": {"lxdHost": "h1"}},
               {"metadata": {"name": "m2"}, "status": {"failureDomain": "z2"}}],
  "observed": {"system_id": "abc", "status_name": "Deployed"}})";

TEST(SdkRequest, FromTextAnswersAsTheParsedDocumentDoes) {
  const Request lazy = Request::fromText(kRequest);
  const Request eager(json::parse(kRequest));
  EXPECT_EQ(lazy.object(), eager.object());
  EXPECT_EQ(lazy.cluster(), eager.cluster());
  EXPECT_EQ(lazy.userData(), eager.userData());
  ASSERT_NE(lazy.observed(), nullptr);
  EXPECT_EQ(*lazy.observed(), *eager.observed());
  EXPECT_EQ(lazy.name(), "m0");
  EXPECT_EQ(lazy.ns(), "prod");
  EXPECT_EQ(lazy.label("cluster.x-k8s.io/cluster-name"), "c1");
  ASSERT_EQ(lazy.machines().size(), 2U);
  EXPECT_EQ(lazy.machines(), eager.machines());
  EXPECT_EQ(lazy.document(), eager.document());
}

TEST(SdkRequest, TheDocumentHoldsTheMachinesEvenWhenAskedForFirst) {
  const Request lazy = Request::fromText(kRequest);
  const json::Value& doc = lazy.document();  // before machines()
  const json::Value* machines = doc.find("machines");
  ASSERT_NE(machines, nullptr);
  ASSERT_TRUE(machines->isArray());
  EXPECT_EQ(machines->asArray().size(), 2U);
  EXPECT_EQ(json::parse(kRequest), doc);
}

TEST(SdkRequest, ARequestWithoutMachinesHasNone) {
  const Request r = Request::fromText(R"({"object": {"metadata": {"name": "m0"}}})");
  EXPECT_TRUE(r.machines().empty());
  EXPECT_EQ(r.document().find("machines"), nullptr);
  EXPECT_EQ(r.observed(), nullptr);
}

TEST(SdkRequest, BadJsonAmongTheMachinesIsRefusedOnArrivalNotOnFirstUse) {
  for (const char* bad :
       {R"({"object": {}, "machines": [{"a": 1,}]})",
        R"({"object": {}, "machines": [{"a": "\x"}]})", R"({"object": {}, "machines": [1, 2)"}) {
    EXPECT_THROW(Request::fromText(bad), json::ParseError) << bad;
  }
  EXPECT_THROW(Request::fromText(R"([{"object": {}}])"), json::ParseError);
}

TEST(SdkRequest, MachinesThatAreNotAListNameTheMember) {
  for (const char* bad :
       {R"({"object": {}, "machines": {"m1": {}}})", R"({"object": {}, "machines": null})",
        R"({"object": {}, "machines": "m1"})"}) {
    try {
      Request::fromText(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const PluginError& e) {
      EXPECT_EQ(e.type(), ErrorType::InvalidSpec) << bad;
      EXPECT_NE(std::string(e.what()).find("machines"), std::string::npos) << e.what();
    }
  }
  try {
    Request::fromText(R"({"machines": []})");
    ADD_FAILURE() << "accepted a request without an object";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("object"), std::string::npos) << e.what();
  }
}

TEST(SdkRequest, ConcurrentReadersAndCopiesSeeOneList) {
  const Request r = Request::fromText(kRequest);
  const Request copy = r;  // NOLINT(performance-unnecessary-copy-initialization): shares the list
  std::vector<const json::Array*> seen(8, nullptr);
  std::vector<std::thread> readers;
  for (size_t i = 0; i < seen.size(); ++i) {
    readers.emplace_back([&, i] { seen[i] = &(i % 2 == 0 ? r : copy).machines(); });
  }
  for (auto& t : readers) t.join();
  for (const json::Array* s : seen) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s, seen[0]) << "every reader must get the one list built once";
    EXPECT_EQ(s->size(), 2U);
  }
}

}  // namespace
}  // namespace maasprov
