// RecentDocuments: the byte-bounded cache of committed texts that SqliteStore::get() reads
// first, and the store's reads staying exact with it (every size, deletions, failed writes).
#include "framework/store/recent_documents.hpp"

#include <gtest/gtest.h>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using testing::machine;
using testing::TempDir;

RecentDocuments::Text text(std::size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

TEST(RecentDocuments, HoldsTheLastTextOfEachKeyAndForgetsDeletions) {
  RecentDocuments recent(1000);
  const ObjectKey a{"MaasMachine", "default", "a"};
  const ObjectKey b{"MaasMachine", "other", "a"};
  recent.put(a, text(10, '1'));
  recent.put(b, text(10, '2'));
  recent.put(a, text(20, '3'));
  ASSERT_NE(recent.find(a), nullptr);
  EXPECT_EQ(*recent.find(a), std::string(20, '3'));
  EXPECT_EQ(*recent.find(b), std::string(10, '2'));
  EXPECT_EQ(recent.bytes(), 30u);
  recent.put(a, nullptr);
  EXPECT_EQ(recent.find(a), nullptr);
  EXPECT_EQ(recent.bytes(), 10u);
  EXPECT_EQ(recent.find({"MaasCluster", "default", "a"}), nullptr);
}

TEST(RecentDocuments, StaysWithinItsBytesDroppingTheLeastRecentlyUsed) {
  RecentDocuments recent(100);
  const ObjectKey a{"K", "ns", "a"}, b{"K", "ns", "b"}, c{"K", "ns", "c"};
  recent.put(a, text(40));
  recent.put(b, text(40));
  ASSERT_NE(recent.find(a), nullptr);  // a is now the most recently used
  recent.put(c, text(40));             // 120 bytes: b goes
  EXPECT_NE(recent.find(a), nullptr);
  EXPECT_EQ(recent.find(b), nullptr);
  EXPECT_NE(recent.find(c), nullptr);
  EXPECT_LE(recent.bytes(), 100u);
  recent.put(b, text(101));  // larger than the whole budget: not held at all
  EXPECT_EQ(recent.find(b), nullptr);
  EXPECT_EQ(recent.size(), 2u);
}

TEST(RecentDocuments, KeysDoNotRunIntoEachOther) {
  RecentDocuments recent(1000);
  recent.put({"K", "ab", "c"}, text(1, '1'));
  EXPECT_EQ(recent.find({"K", "a", "bc"}), nullptr);
  EXPECT_EQ(recent.find({"Ka", "b", "c"}), nullptr);
}

// The store's reads through the cache at every size: none, one document, plenty.
class StoreReadsWithRecentDocuments : public ::testing::TestWithParam<std::size_t> {
 protected:
  TempDir dir;
  SqliteStore store{
      SqliteStore::Options{.path = dir.file("store.db"), .recentDocumentBytes = GetParam()}};
};

TEST_P(StoreReadsWithRecentDocuments, GetReadsWhatWasLastCommitted) {
  const ObjectKey key{"MaasMachine", "default", "m1"};
  auto created = store.create(machine("default", "m1"));
  for (int i = 0; i < 5; ++i) {
    // Other objects in between, so a small cache has evicted m1 by the time it is read.
    store.create(machine("default", "other-" + std::to_string(i)));
    created->set("status", rules::parse(R"({"step":)" + std::to_string(i) + "}"));
    created = store.updateStatus(created);
    const auto read = store.get(key);
    EXPECT_EQ(rules::canonical(read), rules::canonical(created)) << "after status write " << i;
  }
  // A refused write leaves the last committed text.
  auto stale = rules::deepCopy(created);
  stale->getObject("metadata")->set("resourceVersion", "1");
  stale->set("status", rules::parse(R"({"step":"stale"})"));
  EXPECT_THROW(store.updateStatus(stale), Conflict);
  EXPECT_EQ(rules::canonical(store.get(key)), rules::canonical(created));

  // The text is what get() parses: the stored document as the store prints it.
  EXPECT_EQ(*store.getText(key), rules::serialize(created));

  // Deleted: gone from reads at once, and a new object of the same name is the new one.
  EXPECT_TRUE(store.remove(key).deleted);
  EXPECT_THROW(store.get(key), NotFound);
  EXPECT_THROW(store.getText(key), NotFound);
  const auto again = store.create(machine("default", "m1"));
  EXPECT_EQ(store.get(key)->getObject("metadata")->getValue<std::string>("uid"),
            again->getObject("metadata")->getValue<std::string>("uid"));
}

TEST_P(StoreReadsWithRecentDocuments, ReadsAfterReopeningComeFromTheFile) {
  const ObjectKey key{"MaasMachine", "default", "m1"};
  std::string written;
  {
    SqliteStore other(
        SqliteStore::Options{.path = dir.file("second.db"), .recentDocumentBytes = GetParam()});
    auto created = other.create(machine("default", "m1"));
    created->set("status", rules::parse(R"({"ready":true})"));
    written = rules::canonical(other.updateStatus(created));
  }
  SqliteStore reopened(
      SqliteStore::Options{.path = dir.file("second.db"), .recentDocumentBytes = GetParam()});
  EXPECT_EQ(rules::canonical(reopened.get(key)), written);
  EXPECT_EQ(rules::canonical(rules::parse(*reopened.getText(key))), written);
}

INSTANTIATE_TEST_SUITE_P(Sizes, StoreReadsWithRecentDocuments,
                         ::testing::Values(std::size_t{0}, std::size_t{700}, std::size_t{4} << 20));

}  // namespace
}  // namespace maasprov::store
