// The status write decided on texts (status_text_update.hpp) against the rule it stands in for,
// rules::planStatusUpdate: wherever it decides, the same outcome and the same stored text; where
// it cannot tell, it defers. And the store's updateStatusTaking end to end.
#include "framework/store/status_text_update.hpp"

#include <gtest/gtest.h>

#include "framework/store/object_rules.hpp"
#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using testing::machine;
using testing::TempDir;

const std::string kStored =
    R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
    R"("metadata":{"generation":2,"name":"m1","namespace":"default","resourceVersion":"41",)"
    R"("uid":"u-1"},"spec":{"minCPU":2},"status":{"conditions":[{"status":"False",)"
    R"("type":"Ready"}],"systemID":"abc"}})";

// Both rules on the same input; the text rule's answer, when it gives one, must be the parsed one.
void expectAgreement(const std::string& stored, const Document& incoming, std::uint64_t version) {
  const auto byText = rules::statusUpdateByText(stored, incoming, version);
  if (!byText) return;  // deferring is always allowed
  const auto plan = rules::planStatusUpdate(rules::parse(stored), incoming, version);
  ASSERT_EQ(byText->changed, plan.changed);
  if (plan.changed) {
    EXPECT_EQ(byText->text, rules::serialize(plan.object));
  }
}

TEST(StatusTextUpdate, AChangedStatusIsTheIncomingTextAtTheNewVersion) {
  Document incoming = rules::parse(kStored);
  incoming->getObject("status")->set("systemID", "xyz");
  const auto decided = rules::statusUpdateByText(kStored, incoming, 42);
  ASSERT_TRUE(decided);
  EXPECT_TRUE(decided->changed);
  EXPECT_NE(decided->text.find(R"("resourceVersion":"42")"), std::string::npos);
  EXPECT_NE(decided->text.find(R"("systemID":"xyz")"), std::string::npos);
  EXPECT_EQ(rules::parse(kStored)->getObject("metadata")->getValue<std::string>("resourceVersion"),
            "41");
  EXPECT_EQ(incoming->getObject("metadata")->getValue<std::string>("resourceVersion"), "41")
      << "the incoming document is left alone";
  expectAgreement(kStored, incoming, 42);
}

TEST(StatusTextUpdate, TheSameStatusIsNoWrite) {
  const auto decided = rules::statusUpdateByText(kStored, rules::parse(kStored), 42);
  ASSERT_TRUE(decided);
  EXPECT_FALSE(decided->changed);
}

TEST(StatusTextUpdate, StatusAddedOrRemoved) {
  Document without = rules::parse(kStored);
  without->remove("status");
  expectAgreement(kStored, without, 42);
  ASSERT_TRUE(rules::statusUpdateByText(kStored, without, 42));
  const std::string storedWithout = rules::serialize(without);
  expectAgreement(storedWithout, rules::parse(kStored), 42);
  ASSERT_TRUE(rules::statusUpdateByText(storedWithout, rules::parse(kStored), 42));
}

TEST(StatusTextUpdate, DefersWheneverMoreThanStatusDiffers) {
  auto changed = [](const std::function<void(Document)>& edit) {
    Document d = rules::parse(kStored);
    edit(d);
    return d;
  };
  // A stale version (the parsed rule says Conflict), another spec, other labels, no version,
  // keys printed in insertion order: none is decided on the texts.
  for (const Document& incoming :
       {changed([](Document d) { d->getObject("metadata")->set("resourceVersion", "40"); }),
        changed([](Document d) { d->getObject("spec")->set("minCPU", 4); }),
        changed([](Document d) { d->getObject("metadata")->set("labels", rules::parse("{}")); }),
        changed([](Document d) { d->getObject("metadata")->remove("resourceVersion"); })}) {
    EXPECT_FALSE(rules::statusUpdateByText(kStored, incoming, 42)) << rules::serialize(incoming);
  }
  EXPECT_FALSE(rules::statusUpdateByText("not json", rules::parse(kStored), 42));
  Poco::JSON::Object::Ptr ordered = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  ordered->set("kind", "MaasMachine");
  ordered->set("apiVersion", "infrastructure.cluster.x-k8s.io/v1beta1");
  ordered->set("metadata", rules::parse(kStored)->getObject("metadata"));
  ordered->set("spec", rules::parse(kStored)->getObject("spec"));
  EXPECT_FALSE(rules::statusUpdateByText(kStored, ordered, 42));
}

// Through the store: the caller's document comes back as the stored object, at the new version;
// whatever the text rule defers gets the parsed rule's answer, errors included.
TEST(StatusTextUpdate, UpdateStatusTakingReturnsTheCallersDocumentAsStored) {
  TempDir dir;
  SqliteStore store(SqliteStore::Options{.path = dir.file("store.db")});
  const ObjectKey key{"MaasMachine", "default", "m1"};
  Document mine = store.create(machine("default", "m1"));
  mine->set("status", rules::parse(R"({"systemID":"abc"})"));
  Document written = store.updateStatusTaking(mine);
  EXPECT_EQ(written.get(), mine.get());
  EXPECT_EQ(rules::canonical(written), rules::canonical(store.get(key)));

  // Nothing new: no write, same version.
  const auto version = written->getObject("metadata")->getValue<std::string>("resourceVersion");
  Document again = store.updateStatusTaking(rules::deepCopy(written));
  EXPECT_EQ(again->getObject("metadata")->getValue<std::string>("resourceVersion"), version);

  // A spec edit in a status write is ignored, as updateStatus ignores it.
  Document edited = rules::deepCopy(written);
  edited->getObject("spec")->set("minCPU", 64);
  edited->getObject("status")->set("systemID", "def");
  Document stored = store.updateStatusTaking(edited);
  EXPECT_EQ(stored->getObject("status")->getValue<std::string>("systemID"), "def");
  EXPECT_FALSE(stored->getObject("spec")->has("minCPU"));
  EXPECT_EQ(rules::canonical(stored), rules::canonical(store.get(key)));

  // A stale version is a Conflict, as with updateStatus.
  EXPECT_THROW(store.updateStatusTaking(rules::deepCopy(written)), Conflict);
  EXPECT_THROW(store.updateStatusTaking(machine("default", "missing")), NotFound);
}

}  // namespace
}  // namespace maasprov::store
