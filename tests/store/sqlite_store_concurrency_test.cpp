// Several threads writing the same objects: optimistic concurrency must lose no update.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using testing::machine;
using testing::meta;

TEST(SqliteStoreConcurrency, ReadModifyWriteFromManyThreadsLosesNoIncrement) {
  testing::TempDir dir;
  SqliteStore store({.path = dir.file("store.db")});
  store.create(machine("default", "counter", R"("spec":{"count":0})"));
  const ObjectKey key{"MaasMachine", "default", "counter"};

  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        while (true) {
          auto object = store.get(key);
          auto spec = object->getObject("spec");
          spec->set("count", spec->getValue<int>("count") + 1);
          try {
            store.update(object);
            break;
          } catch (const Conflict&) {
            ++conflicts;  // someone else won; read again and retry
          }
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();

  const auto final = store.get(key);
  EXPECT_EQ(final->getObject("spec")->getValue<int>("count"), kThreads * kIncrements);
  EXPECT_EQ(meta(final, "generation"), std::to_string(1 + kThreads * kIncrements));
  std::printf("[ info ] %d increments from %d threads, %d conflicts retried\n",
              kThreads * kIncrements, kThreads, conflicts.load());
}

TEST(SqliteStoreConcurrency, ConcurrentCreatesOfOneNameHaveOneWinner) {
  testing::TempDir dir;
  SqliteStore store({.path = dir.file("store.db")});
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        store.create(machine("default", "same", R"("spec":{"by":)" + std::to_string(t) + "}"));
        ++created;
      } catch (const AlreadyExists&) {
        ++refused;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 3);
  EXPECT_EQ(store.list("MaasMachine", std::nullopt).items.size(), 1u);
}

TEST(SqliteStoreConcurrency, ReadersSeeWholeDocumentsWhileWritersWrite) {
  testing::TempDir dir;
  SqliteStore store({.path = dir.file("store.db")});
  for (int i = 0; i < 10; ++i) store.create(machine("default", "m" + std::to_string(i)));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 10; ++i) {
        auto object = store.get({"MaasMachine", "default", "m" + std::to_string(i)});
        object->getObject("spec")->set("round", round);
        store.update(object);
      }
    }
    stop = true;
  });
  std::uint64_t lastSeen = 0;
  int lists = 0;
  while (!stop || lists == 0) {
    const auto snapshot = store.list("MaasMachine", "default");
    ASSERT_EQ(snapshot.items.size(), 10u);
    // Versions of a snapshot never go backwards and no item is newer than the snapshot.
    EXPECT_GE(snapshot.resourceVersion, lastSeen);
    lastSeen = snapshot.resourceVersion;
    for (const auto& item : snapshot.items) {
      EXPECT_LE(rules::resourceVersionOf(item), snapshot.resourceVersion);
    }
    ++lists;
  }
  writer.join();
}

}  // namespace
}  // namespace maasprov::store
