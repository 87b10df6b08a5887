// Group commit: writes from concurrent callers share one transaction and one fsync, yet each
// caller gets exactly the result it would have had alone, and the change feed stays gap-free.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using namespace std::chrono_literals;
using testing::machine;
using testing::meta;

std::uint64_t versionOf(const Document& object) {
  return parseResourceVersion(meta(object, "resourceVersion"));
}

// Collects watch events until told how many to expect.
class Recorder {
 public:
  void operator()(const WatchEvent& event) {
    std::lock_guard guard(mutex_);
    events_.push_back(event);
    changed_.notify_all();
  }
  std::vector<WatchEvent> waitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 30s, [&] { return events_.size() >= count; });
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<WatchEvent> events_;
};

// Holds SQLite's write lock from a connection of its own, so the store's next commit waits and
// every write that arrives meanwhile queues behind it: the next batch then holds them all.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) : session_("SQLite", path) {
    session_ << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
  }
  void release() { session_ << "ROLLBACK", Poco::Data::Keywords::now; }

 private:
  static bool registered() {
    Poco::Data::SQLite::Connector::registerConnector();
    return true;
  }
  [[maybe_unused]] bool registered_ = registered();
  Poco::Data::Session session_;
};

TEST(SqliteStoreGroupCommit, ConcurrentCreatesShareCommitsAndGetDistinctVersions) {
  testing::TempDir dir;
  SqliteStore store({.path = dir.file("store.db")});
  const auto before = store.writeStats();
  constexpr int kThreads = 32;
  constexpr int kEach = 20;
  std::atomic<int> ready{0};
  std::mutex resultsMutex;
  std::map<std::uint64_t, std::string> byVersion;  // version -> name of the create that got it
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready < kThreads) std::this_thread::yield();  // start together
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        const auto created = store.create(machine("default", name));
        std::lock_guard guard(resultsMutex);
        EXPECT_TRUE(byVersion.emplace(versionOf(created), name).second)
            << "two creates returned version " << versionOf(created);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  constexpr auto kWrites = static_cast<std::uint64_t>(kThreads * kEach);
  ASSERT_EQ(byVersion.size(), kWrites);
  EXPECT_EQ(byVersion.begin()->first, 1u);
  EXPECT_EQ(byVersion.rbegin()->first, kWrites);  // 1..N without gaps
  // What each caller was told is what is stored.
  for (const auto& [version, name] : byVersion) {
    EXPECT_EQ(versionOf(store.get({"MaasMachine", "default", name})), version) << name;
  }
  const auto after = store.writeStats();
  EXPECT_EQ(after.writes - before.writes, kWrites);
  EXPECT_LT(after.commits - before.commits, kWrites) << "no two writes shared a commit";
  std::printf("[ info ] %llu creates from %d threads took %llu commits\n",
              static_cast<unsigned long long>(kWrites), kThreads,
              static_cast<unsigned long long>(after.commits - before.commits));
}

TEST(SqliteStoreGroupCommit, EachWriteOfOneBatchGetsItsOwnResult) {
  testing::TempDir dir;
  const std::string path = dir.file("store.db");
  SqliteStore store({.path = path, .busyTimeout = 60s});
  const auto shared = store.create(machine("default", "shared"));
  const auto steady = store.create(machine("default", "steady"));
  store.create(machine("default", "exists"));
  store.create(machine("default", "doomed"));
  auto held = machine("default", "held");
  testing::setMeta(held, "finalizers", R"(["example.com/hold"])");
  store.create(held);
  const auto start = versionOf(store.get({"MaasMachine", "default", "held"}));
  Recorder recorder;
  auto subscription = store.watch(start, std::ref(recorder));
  const auto statsBefore = store.writeStats();

  // Every outcome a write can have, all queued while the write lock is held elsewhere.
  enum class Outcome { Ok, Conflict, AlreadyExists, NotFound, Invalid };
  struct Call {
    Call(std::string w, std::function<Document()> f) : what(std::move(w)), write(std::move(f)) {}
    std::string what;
    std::function<Document()> write;
    Outcome outcome = Outcome::Ok;
    Document result;
  };
  std::vector<Call> calls;
  for (int i = 0; i < 8; ++i) {  // all based on the same version: one wins, seven conflict
    calls.push_back({"status " + std::to_string(i), [&, i] {
                       auto next = rules::deepCopy(shared);
                       next->set("status", rules::parse(R"({"writer":)" + std::to_string(i) + "}"));
                       return store.updateStatus(next);
                     }});
  }
  for (int i = 0; i < 6; ++i) {
    calls.push_back({"create new-" + std::to_string(i), [&, i] {
                       return store.create(machine("default", "new-" + std::to_string(i)));
                     }});
  }
  calls.push_back({"create exists", [&] { return store.create(machine("default", "exists")); }});
  calls.push_back({"update missing", [&] {
                     auto missing = machine("default", "missing");
                     testing::setMeta(missing, "resourceVersion", R"("1")");
                     return store.update(missing);
                   }});
  calls.push_back({"update without version", [&] {
                     return store.update(machine("default", "shared", R"("spec":{"x":1})"));
                   }});
  calls.push_back({"no-op update", [&] { return store.update(rules::deepCopy(steady)); }});
  calls.push_back({"remove doomed", [&] {
                     return store.remove({"MaasMachine", "default", "doomed"}).object;
                   }});
  calls.push_back({"remove held", [&] {
                     return store.remove({"MaasMachine", "default", "held"}).object;
                   }});

  WriteLockHolder lock(path);
  std::atomic<std::size_t> started{0};
  std::vector<std::thread> threads;
  for (auto& call : calls) {
    threads.emplace_back([&] {
      ++started;
      try {
        call.result = call.write();
      } catch (const Conflict&) {
        call.outcome = Outcome::Conflict;
      } catch (const AlreadyExists&) {
        call.outcome = Outcome::AlreadyExists;
      } catch (const NotFound&) {
        call.outcome = Outcome::NotFound;
      } catch (const Invalid&) {
        call.outcome = Outcome::Invalid;
      }
    });
  }
  while (started < calls.size()) std::this_thread::yield();
  std::this_thread::sleep_for(300ms);  // let them reach the queue; the test holds either way
  lock.release();
  for (auto& thread : threads) thread.join();

  int winners = 0;
  Document winner;
  for (std::size_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(calls[i].outcome == Outcome::Ok || calls[i].outcome == Outcome::Conflict)
        << calls[i].what;
    if (calls[i].outcome == Outcome::Ok) {
      ++winners;
      winner = calls[i].result;
    }
  }
  ASSERT_EQ(winners, 1);
  const auto stored = store.get({"MaasMachine", "default", "shared"});
  EXPECT_EQ(rules::canonical(stored), rules::canonical(winner));
  for (std::size_t i = 8; i < 14; ++i) {
    EXPECT_EQ(calls[i].outcome, Outcome::Ok) << calls[i].what;
    EXPECT_EQ(rules::canonical(store.get(testing::keyOf(calls[i].result))),
              rules::canonical(calls[i].result));
  }
  EXPECT_EQ(calls[14].outcome, Outcome::AlreadyExists);
  EXPECT_EQ(calls[15].outcome, Outcome::NotFound);
  EXPECT_EQ(calls[16].outcome, Outcome::Invalid);
  EXPECT_EQ(calls[17].outcome, Outcome::Ok);
  EXPECT_EQ(versionOf(calls[17].result), versionOf(steady)) << "a no-op write got a version";
  EXPECT_THROW(store.get({"MaasMachine", "default", "doomed"}), NotFound);
  EXPECT_FALSE(meta(store.get({"MaasMachine", "default", "held"}), "deletionTimestamp").empty());

  // 1 status + 6 creates + 2 removes changed something: versions start+1..start+9, in order.
  constexpr std::size_t kChanged = 9;
  const auto events = recorder.waitFor(kChanged);
  ASSERT_EQ(events.size(), kChanged);
  std::set<std::string> names;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].resourceVersion, start + 1 + i);
    names.insert(meta(events[i].object, "name"));
  }
  EXPECT_EQ(names, (std::set<std::string>{"shared", "new-0", "new-1", "new-2", "new-3", "new-4",
                                          "new-5", "doomed", "held"}));
  const auto statsAfter = store.writeStats();
  EXPECT_EQ(statsAfter.writes - statsBefore.writes, kChanged);
  // The first caller's batch waited for the lock; everyone else queued behind it.
  EXPECT_LE(statsAfter.commits - statsBefore.commits, 3u);
}

TEST(SqliteStoreGroupCommit, WatchSeesConcurrentWritesInVersionOrderWithoutGaps) {
  testing::TempDir dir;
  SqliteStore store({.path = dir.file("store.db")});
  constexpr int kThreads = 16;
  constexpr int kEach = 15;  // a create and then status writes on it, per thread
  Recorder recorder;
  auto subscription = store.watch(0, std::ref(recorder));
  std::mutex returnedMutex;
  std::map<std::uint64_t, std::string> returned;  // version each call returned -> canonical doc
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto object = store.create(machine("default", "m" + std::to_string(t)));
      auto record = [&](const Document& doc) {
        std::lock_guard guard(returnedMutex);
        returned.emplace(versionOf(doc), rules::canonical(doc));
      };
      record(object);
      for (int i = 1; i < kEach; ++i) {
        object->set("status", rules::parse(R"({"step":)" + std::to_string(i) + "}"));
        object = store.updateStatus(object);
        record(object);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  constexpr std::size_t kWrites = kThreads * kEach;
  const auto events = recorder.waitFor(kWrites);
  ASSERT_EQ(events.size(), kWrites);
  ASSERT_EQ(returned.size(), kWrites);
  for (std::size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].resourceVersion, i + 1);
    // The event carries exactly what the caller that made the write was given.
    EXPECT_EQ(rules::canonical(events[i].object), returned.at(i + 1));
  }
}

TEST(SqliteStoreGroupCommit, LoneWriterCommitsEveryWriteOnItsOwn) {
  testing::TempDir dir;
  SqliteStore store({.path = dir.file("store.db")});
  for (int i = 0; i < 5; ++i) store.create(machine("default", "m" + std::to_string(i)));
  store.update(rules::deepCopy(store.get({"MaasMachine", "default", "m0"})));  // no-op: no commit
  EXPECT_THROW(store.create(machine("default", "m1")), AlreadyExists);
  const auto stats = store.writeStats();
  EXPECT_EQ(stats.writes, 5u);
  EXPECT_EQ(stats.commits, 5u);
}

}  // namespace
}  // namespace maasprov::store
