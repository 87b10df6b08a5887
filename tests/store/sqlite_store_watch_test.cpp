// The change feed: every write delivered once, in resourceVersion order, resumable from a
// version (also after a restart), and honest about versions that were compacted away.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using testing::machine;
using testing::meta;

// Records delivered events; waitFor's timeout only guards against a hang, it asserts no speed.
class Collector {
 public:
  WatchCallback callback() {
    return [this](const WatchEvent& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    };
  }
  bool waitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60),
                             [&] { return events_.size() >= count; });
  }
  std::vector<WatchEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<WatchEvent> events_;
};

class SqliteStoreWatchTest : public ::testing::Test {
 protected:
  void reopen(std::size_t retention = 10000) {
    store.reset();
    store = std::make_unique<SqliteStore>(
        SqliteStore::Options{.path = dir.file("store.db"), .eventRetention = retention});
  }
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::make_unique<SqliteStore>(SqliteStore::Options{.path = dir.file("store.db")});
};

TEST_F(SqliteStoreWatchTest, ConcurrentWritesArriveOnceInVersionOrder) {
  Collector collector;
  auto subscription = store->watch(0, collector.callback());
  constexpr int kThreads = 3;
  constexpr int kObjects = 20;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kObjects; ++i) {
        auto object = store->create(machine("ns" + std::to_string(t), "m" + std::to_string(i)));
        object->set("status", rules::parse(R"({"phase":"Provisioning"})"));
        store->updateStatus(object);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  const std::size_t total = 2 * kThreads * kObjects;
  ASSERT_TRUE(collector.waitFor(total));
  subscription.reset();

  const auto events = collector.events();
  ASSERT_EQ(events.size(), total);
  int added = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].resourceVersion, i + 1) << "no gap, no duplicate, in order";
    EXPECT_EQ(rules::resourceVersionOf(events[i].object), events[i].resourceVersion);
    if (events[i].type == EventType::Added) {
      ++added;
    } else {
      EXPECT_EQ(events[i].type, EventType::Modified);
      EXPECT_EQ(events[i].object->getObject("status")->getValue<std::string>("phase"),
                "Provisioning");
    }
  }
  EXPECT_EQ(added, kThreads * kObjects);
}

TEST_F(SqliteStoreWatchTest, ListThenWatchFromItsVersionMissesNothing) {
  auto a = store->create(machine("default", "a"));
  store->create(machine("default", "b"));
  const auto snapshot = store->list("MaasMachine", std::nullopt);
  ASSERT_EQ(snapshot.items.size(), 2u);

  store->create(machine("default", "c"));
  a->getObject("spec")->set("provisioningMode", "baremetal");
  store->update(a);
  store->remove({"MaasMachine", "default", "b"});

  Collector collector;
  auto subscription = store->watch(snapshot.resourceVersion, collector.callback());
  ASSERT_TRUE(collector.waitFor(3));
  store->create(machine("default", "d"));  // live events follow the replayed ones
  ASSERT_TRUE(collector.waitFor(4));
  subscription.reset();

  const auto events = collector.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, EventType::Added);
  EXPECT_EQ(meta(events[0].object, "name"), "c");
  EXPECT_EQ(events[1].type, EventType::Modified);
  EXPECT_EQ(meta(events[1].object, "name"), "a");
  EXPECT_EQ(meta(events[1].object, "generation"), "2");
  EXPECT_EQ(events[2].type, EventType::Deleted);
  EXPECT_EQ(meta(events[2].object, "name"), "b");
  EXPECT_EQ(events[3].type, EventType::Added);
  EXPECT_EQ(meta(events[3].object, "name"), "d");
  EXPECT_EQ(toString(events[2].type), "DELETED");
}

TEST_F(SqliteStoreWatchTest, FinalizerFlowIsVisibleInTheFeed) {
  auto object = machine("default", "m1");
  testing::setMeta(object, "finalizers", R"(["maasmachine.infrastructure.cluster.x-k8s.io"])");
  object = store->create(object);
  Collector collector;
  auto subscription = store->watch(rules::resourceVersionOf(object), collector.callback());
  store->remove(testing::keyOf(object));
  object = store->get(testing::keyOf(object));
  object->getObject("metadata")->remove("finalizers");
  store->update(object);
  ASSERT_TRUE(collector.waitFor(2));
  const auto events = collector.events();
  EXPECT_EQ(events[0].type, EventType::Modified);
  EXPECT_FALSE(meta(events[0].object, "deletionTimestamp").empty());
  EXPECT_EQ(events[1].type, EventType::Deleted);
}

TEST_F(SqliteStoreWatchTest, WatchResumesAcrossRestart) {
  store->create(machine("default", "before"));
  const auto version = store->list("MaasMachine", std::nullopt).resourceVersion;
  store->create(machine("default", "after"));
  reopen();

  Collector collector;
  auto subscription = store->watch(version, collector.callback());
  ASSERT_TRUE(collector.waitFor(1));
  store->create(machine("default", "later"));
  ASSERT_TRUE(collector.waitFor(2));
  subscription.reset();
  const auto events = collector.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(meta(events[0].object, "name"), "after");
  EXPECT_EQ(meta(events[1].object, "name"), "later");
}

TEST_F(SqliteStoreWatchTest, CallbackMayReadTheStore) {
  std::promise<std::string> seen;
  auto subscription = store->watch(0, [&](const WatchEvent& event) {
    // What a controller does: wake up and read the current object.
    seen.set_value(meta(store->get(testing::keyOf(event.object)), "uid"));
  });
  const auto created = store->create(machine("default", "m1"));
  auto future = seen.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(future.get(), meta(created, "uid"));
}

TEST_F(SqliteStoreWatchTest, DestroyedSubscriptionIsNeverCalledAgain) {
  Collector stopped;
  auto subscription = store->watch(0, stopped.callback());
  store->create(machine("default", "m1"));
  ASSERT_TRUE(stopped.waitFor(1));
  subscription.reset();

  store->create(machine("default", "m2"));
  store->create(machine("default", "m3"));
  Collector witness;  // once this one has both writes, the old one would have had them too
  auto other = store->watch(1, witness.callback());
  ASSERT_TRUE(witness.waitFor(2));
  EXPECT_EQ(stopped.events().size(), 1u);
}

TEST_F(SqliteStoreWatchTest, CompactedVersionIsExpired) {
  reopen(5);
  for (int i = 0; i < 20; ++i) store->create(machine("default", "m" + std::to_string(i)));
  try {
    store->watch(1, [](const WatchEvent&) {});
    FAIL() << "expected Expired";
  } catch (const Expired& e) {
    EXPECT_EQ(e.requestedVersion(), 1u);
    EXPECT_GT(e.oldestVersion(), 1u);
    EXPECT_NE(std::string(e.what()).find("list again"), std::string::npos) << e.what();
  }
  const auto snapshot = store->list("MaasMachine", std::nullopt);
  EXPECT_EQ(snapshot.items.size(), 20u);
  EXPECT_NO_THROW(store->watch(snapshot.resourceVersion, [](const WatchEvent&) {}));
}

TEST_F(SqliteStoreWatchTest, WatcherLeftBehindByCompactionGetsAnErrorAndStops) {
  reopen(5);
  std::promise<void> release;
  auto released = release.get_future().share();
  Collector collector;
  auto record = collector.callback();
  auto subscription = store->watch(0, [&](const WatchEvent& event) {
    record(event);
    if (event.resourceVersion == 1) released.wait();  // a slow consumer
  });
  store->create(machine("default", "first"));
  ASSERT_TRUE(collector.waitFor(1));
  for (int i = 0; i < 20; ++i) store->create(machine("default", "m" + std::to_string(i)));
  release.set_value();
  ASSERT_TRUE(collector.waitFor(2));
  store->create(machine("default", "ignored"));
  subscription.reset();  // joins the watch thread: nothing more can arrive

  const auto events = collector.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, EventType::Error);
  EXPECT_EQ(events[1].object->getValue<int>("code"), 410);
  EXPECT_EQ(events[1].object->getValue<std::string>("reason"), "Expired");
}

// Recent events are served from memory; a watcher far behind them reads the events table and
// must still get every write once, in order, with no gap where the two meet.
TEST_F(SqliteStoreWatchTest, WatcherFarBehindGetsEveryWriteInOrder) {
  std::promise<void> release;
  auto released = release.get_future().share();
  Collector collector;
  auto record = collector.callback();
  auto subscription = store->watch(0, [&](const WatchEvent& event) {
    record(event);
    if (event.resourceVersion == 1) released.wait();  // a slow consumer
  });
  store->create(machine("default", "first"));
  ASSERT_TRUE(collector.waitFor(1));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;  // 1,200 writes: more than the in-memory feed holds
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store->create(machine("ns" + std::to_string(t), "m" + std::to_string(i)));
      }
    });
  }
  for (auto& writer : writers) writer.join();
  release.set_value();
  const std::size_t total = 1 + kThreads * kPerThread;
  ASSERT_TRUE(collector.waitFor(total));
  subscription.reset();

  const auto events = collector.events();
  ASSERT_EQ(events.size(), total);
  for (std::size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].type, EventType::Added) << i;
    ASSERT_EQ(events[i].resourceVersion, i + 1);
    EXPECT_EQ(meta(events[i].object, "resourceVersion"), std::to_string(i + 1));
  }
  EXPECT_EQ(meta(events.back().object, "uid"),
            meta(store->get(testing::keyOf(events.back().object)), "uid"));
}

// Watches of one store are independent: what one callback does to its event is not seen by
// another, nor by a later read.
TEST_F(SqliteStoreWatchTest, CallbacksMayModifyTheirEvents) {
  Collector untouched;
  auto first = store->watch(0, [](const WatchEvent& event) {
    Document object = event.object;
    object->getObject("metadata")->set("name", "changed by a callback");
    object->remove("spec");
  });
  auto second = store->watch(0, untouched.callback());
  store->create(machine("default", "m1"));
  ASSERT_TRUE(untouched.waitFor(1));
  first.reset();
  second.reset();
  const auto event = untouched.events().front();
  EXPECT_EQ(meta(event.object, "name"), "m1");
  EXPECT_TRUE(event.object->has("spec"));
  EXPECT_EQ(meta(store->get({"MaasMachine", "default", "m1"}), "name"), "m1");
}

// A watch of texts gets each write as the store holds it, with nothing parsed: the text a get
// after the write prints; an error still comes as a Status.
TEST_F(SqliteStoreWatchTest, AWatchOfTextsDeliversTheStoredTextsAndNoTrees) {
  Collector collector;
  auto subscription = store->watchTexts(0, collector.callback());
  auto created = store->create(machine("default", "m1"));
  store->remove(testing::keyOf(created));
  ASSERT_TRUE(collector.waitFor(2));
  const auto events = collector.events();
  EXPECT_EQ(events[0].type, EventType::Added);
  EXPECT_EQ(events[0].object, nullptr);
  ASSERT_NE(events[0].text, nullptr);
  EXPECT_EQ(*events[0].text, rules::serialize(created));
  EXPECT_EQ(events[1].type, EventType::Deleted);
  ASSERT_NE(events[1].text, nullptr);
  EXPECT_EQ(meta(rules::parse(*events[1].text), "name"), "m1");
  // The parsing watch carries the same text beside its tree.
  Collector parsed;
  auto again = store->watch(0, parsed.callback());
  ASSERT_TRUE(parsed.waitFor(2));
  EXPECT_EQ(*parsed.events()[0].text, *events[0].text);
  EXPECT_EQ(rules::serialize(parsed.events()[0].object), *events[0].text);
}

TEST_F(SqliteStoreWatchTest, AWatchOfTextsRefusesACompactedStartOrNoCallbackAsAWatchDoes) {
  reopen(5);
  for (int i = 0; i < 20; ++i) store->create(machine("default", "m" + std::to_string(i)));
  EXPECT_THROW(store->watchTexts(1, [](const WatchEvent&) {}), Expired);
  EXPECT_THROW(store->watchTexts(20, nullptr), Invalid);
}

}  // namespace
}  // namespace maasprov::store
