// Status patches and conditions on stored documents: what changes, what stays put, and when
// nothing changes at all (so the caller writes nothing).
#include "framework/controller/json_status.hpp"

#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

#include "framework/store/object_rules.hpp"

namespace maasprov::controller {
namespace {

Json parse(const std::string& text) {
  return store::rules::parse(text);
}

std::vector<std::string> conditionTypes(Json status) {
  std::vector<std::string> types;
  auto list = status->getArray("conditions");
  for (std::size_t i = 0; list && i < list->size(); ++i) {
    types.push_back(list->getObject(static_cast<unsigned>(i))->getValue<std::string>("type"));
  }
  return types;
}

const model::Time kEarlier = *model::parseTime("2026-12-01T10:00:00Z");
const model::Time kLater = *model::parseTime("2026-12-01T11:00:00Z");

TEST(JsonStatus, SetConditionReplacesInPlaceAndMovesTheTransitionOnlyWithTheStatus) {
  Json status = new Poco::JSON::Object;
  EXPECT_TRUE(
      setCondition(status, {"Ready", "False", "Provisioning", "deploying", "Info"}, kEarlier));
  EXPECT_TRUE(setCondition(status, {"DNSAttached", "True", "", "", ""}, kEarlier));
  // Rewriting Ready keeps it first: rewriting conditions never reorders them.
  EXPECT_TRUE(setCondition(status, {"Ready", "False", "Provisioning", "almost", "Info"}, kLater));
  EXPECT_EQ(conditionTypes(status), (std::vector<std::string>{"Ready", "DNSAttached"}));
  Json ready = findCondition(status, "Ready");
  EXPECT_EQ(ready->getValue<std::string>("message"), "almost");
  EXPECT_EQ(ready->getValue<std::string>("lastTransitionTime"), "2026-12-01T10:00:00Z");
  EXPECT_TRUE(setCondition(status, {"Ready", "True", "", "", ""}, kLater));
  ready = findCondition(status, "Ready");
  EXPECT_EQ(ready->getValue<std::string>("lastTransitionTime"), "2026-12-01T11:00:00Z");
  EXPECT_FALSE(ready->has("message"));
  EXPECT_EQ(conditionTypes(status), (std::vector<std::string>{"Ready", "DNSAttached"}));
}

TEST(JsonStatus, SayingTheSameAgainChangesNothing) {
  Json status = new Poco::JSON::Object;
  setCondition(status, {"Ready", "False", "Provisioning", "deploying", "Info"}, kEarlier);
  const std::string before = store::rules::canonical(status);
  EXPECT_FALSE(
      setCondition(status, {"Ready", "False", "Provisioning", "deploying", "Info"}, kLater));
  EXPECT_EQ(store::rules::canonical(status), before);
  // A member the condition does not say (a stale one written by someone else) is a change.
  findCondition(status, "Ready")->set("observedGeneration", 3);
  EXPECT_TRUE(
      setCondition(status, {"Ready", "False", "Provisioning", "deploying", "Info"}, kLater));
  EXPECT_FALSE(findCondition(status, "Ready")->has("observedGeneration"));
}

TEST(JsonStatus, MergeStatusSaysWhetherThePatchChangedAnything) {
  Json status =
      parse(R"({"dnsAttached":false,"addresses":[{"type":"InternalIP","address":"10.0.0.5"}]})");
  Json patch = parse(
      R"({"dnsAttached":true,"conditions":[{"type":"DNSAttached","status":"True","reason":"Attached"}]})");
  EXPECT_TRUE(mergeStatus(status, patch, kEarlier));
  EXPECT_TRUE(boolAt(status, {"dnsAttached"}));
  const std::string merged = store::rules::canonical(status);
  // The same report again, later: nothing to write.
  EXPECT_FALSE(mergeStatus(status, parse(store::rules::canonical(patch)), kLater));
  EXPECT_EQ(store::rules::canonical(status), merged);
  EXPECT_TRUE(mergeStatus(status, parse(R"({"addresses":[]})"), kLater));
  EXPECT_FALSE(mergeStatus(status, parse(R"({"conditions":"not a list"})"), kLater));
  EXPECT_FALSE(mergeStatus(status, nullptr, kLater));
}

}  // namespace
}  // namespace maasprov::controller
