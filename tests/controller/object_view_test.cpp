// What the controller's watch reads of a stored text must say what the parsed object says:
// the same peer summary, phase and fingerprints, only without building the object.
#include "framework/controller/object_view.hpp"

#include <gtest/gtest.h>

#include "framework/controller/machine_reconciler.hpp"
#include "framework/plugin/request_document.hpp"
#include "framework/store/object_rules.hpp"

namespace maasprov::controller {
namespace {

// A stored text, as the store prints it (compact, keys sorted).
std::shared_ptr<const std::string> stored(const std::string& json) {
  return std::make_shared<const std::string>(store::rules::serialize(store::rules::parse(json)));
}

std::string machine(const std::string& metadataExtra, const std::string& status) {
  return R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
         R"("metadata":{"name":"m0","namespace":"ns1","uid":"u-1","generation":3,)"
         R"("labels":{"cluster.x-k8s.io/cluster-name":"c1","tier":"cp"}, "finalizers":["f"])" +
         metadataExtra +
         R"(},"spec":{"provisioningMode":"lxd","userData":"c2VjcmV0","bootstrapDataSecretName":"s1"},)"
         R"("status":)" +
         status + "}";
}

const char* kStatuses[] = {
    "{}",
    R"({"systemID":"abc","machineState":"Deploying","machinePowered":true,"conditions":[]})",
    R"({"ready":true,"systemID":"abc","addresses":[{"type":"InternalIP","address":"10.0.0.5"}],)"
    R"("lxdHost":"h\"1","failureDomain":"z1","providerID":"maas://abc","machineState":"Deployed"})",
    R"({"failureReason":"CreateError","systemID":null,"lxdHost":null})",
};

TEST(ObjectView, ReadsTheKeyLabelsAndSpecOfTheText) {
  auto v = ObjectView::fromText(stored(machine("", "{}")));
  EXPECT_EQ(v.kind(), "MaasMachine");
  EXPECT_EQ(v.ns(), "ns1");
  EXPECT_EQ(v.name(), "m0");
  EXPECT_EQ(v.label("cluster.x-k8s.io/cluster-name"), "c1");
  EXPECT_EQ(v.label("absent"), "");
  EXPECT_EQ(v.specString("bootstrapDataSecretName"), "s1");
  EXPECT_FALSE(v.beingDeleted());
  EXPECT_TRUE(
      ObjectView::fromText(stored(machine(R"(,"deletionTimestamp":"2026-12-07T00:00:00Z")", "{}")))
          .beingDeleted());
}

TEST(ObjectView, SaysWhatTheParsedObjectSays) {
  for (const char* status : kStatuses) {
    for (const std::string extra : {"", R"(,"deletionTimestamp":"2026-12-07T00:00:00Z")"}) {
      auto text = stored(machine(extra, status));
      auto parsed = store::rules::parse(*text);
      auto v = ObjectView::fromText(text);
      EXPECT_EQ(v.peerSummary(), plugin::peerSummary(parsed)) << *text;
      EXPECT_EQ(v.machinePhase(), controller::machinePhase(parsed)) << *text;
    }
  }
  // Without spec, status or metadata members the summary leaves them out as the parsed one does.
  auto bare = stored(R"({"apiVersion":"v1","kind":"MaasMachine","metadata":{"name":"x"}})");
  EXPECT_EQ(ObjectView::fromText(bare).peerSummary(),
            plugin::peerSummary(store::rules::parse(*bare)));
}

TEST(ObjectView, ItsReconcileWakesForSpecLabelsAnnotationsOrDeletionNotForStatus) {
  const auto base = ObjectView::fromText(stored(machine("", "{}"))).trigger();
  EXPECT_EQ(ObjectView::fromText(stored(machine("", kStatuses[2]))).trigger(), base);
  for (const std::string changed :
       {R"(,"annotations":{"a":"b"})", R"(,"deletionTimestamp":"2026-12-07T00:00:00Z")"}) {
    EXPECT_NE(ObjectView::fromText(stored(machine(changed, "{}"))).trigger(), base) << changed;
  }
  std::string newGeneration = machine("", "{}");
  newGeneration.replace(newGeneration.find("\"generation\":3"), 14, "\"generation\":4");
  EXPECT_NE(ObjectView::fromText(stored(newGeneration)).trigger(), base);
}

TEST(ObjectView, ItsClusterWakesForAddressesPowerStateAndReadinessNotForConditions) {
  const auto deploying = ObjectView::fromText(stored(machine("", kStatuses[1]))).clusterView();
  std::string moreConditions = kStatuses[1];
  moreConditions.replace(moreConditions.find("[]"), 2, R"([{"type":"Ready","status":"False"}])");
  EXPECT_EQ(ObjectView::fromText(stored(machine("", moreConditions))).clusterView(), deploying);
  EXPECT_NE(ObjectView::fromText(stored(machine("", kStatuses[2]))).clusterView(), deploying);
  std::string off = kStatuses[1];
  off.replace(off.find("true"), 4, "false");
  EXPECT_NE(ObjectView::fromText(stored(machine("", off))).clusterView(), deploying);
}

TEST(ObjectView, ATextThatIsNoObjectOrHasNoNameIsRefusedWithWhy) {
  for (const char* bad : {"[1]", "{\"kind\":", R"({"kind":"MaasMachine","metadata":{}})"}) {
    try {
      ObjectView::fromText(std::make_shared<const std::string>(bad));
      FAIL() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("stored object"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(ObjectView::fromText(nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace maasprov::controller
