// The controller's work queue: de-duplication, one worker per key, backoff, delays, shutdown.
// Timing is only ever asserted as "not before" (which load cannot break) or with margins of
// seconds against delays of milliseconds.
#include "framework/controller/work_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace maasprov::controller {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, KeysAreDeduplicatedWhileQueuedAndServedInOrder) {
  WorkQueue queue;
  queue.add("c");
  queue.add("a");
  queue.add("c");
  queue.add("b");
  queue.add("a");
  EXPECT_EQ(queue.depth(), 3u);
  EXPECT_EQ(queue.get(), "c");
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
  EXPECT_EQ(queue.depth(), 0u);
  EXPECT_EQ(queue.processingCount(), 3u);
}

TEST(WorkQueue, KeyAddedWhileProcessingWaitsForDone) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.get(), "a");
  queue.add("a");  // a watch event arrives mid-reconcile
  queue.add("a");
  queue.add("b");
  EXPECT_EQ(queue.depth(), 1u) << "only b may be handed out while a is processed";
  EXPECT_EQ(queue.get(), "b");
  queue.done("a");
  EXPECT_EQ(queue.depth(), 1u) << "a comes back once, after done";
  EXPECT_EQ(queue.get(), "a");
  queue.done("a");
  queue.done("b");
  EXPECT_EQ(queue.depth(), 0u);
  EXPECT_EQ(queue.processingCount(), 0u);
}

TEST(WorkQueue, BackoffDoublesPerRetryUpToTheCapAndForgetResets) {
  WorkQueue queue({.baseDelay = 10ms, .maxDelay = 80ms});
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(queue.addRateLimited("m1"));
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{10ms, 20ms, 40ms, 80ms, 80ms, 80ms}));
  EXPECT_EQ(queue.retries("m1"), 6);
  EXPECT_EQ(queue.retries("other"), 0);
  EXPECT_EQ(queue.delayedCount(), 1u) << "retries of one key are one queued key";

  const auto start = WorkQueue::Clock::now();
  EXPECT_EQ(queue.get(), "m1");
  EXPECT_GE(WorkQueue::Clock::now() - start, 5ms) << "handed out before its backoff";
  queue.done("m1");

  queue.forget("m1");
  EXPECT_EQ(queue.retries("m1"), 0);
  EXPECT_EQ(queue.addRateLimited("m1"), 10ms);
}

TEST(WorkQueue, BackoffNeverOverflows) {
  WorkQueue queue({.baseDelay = 1ms, .maxDelay = std::chrono::hours(1)});
  std::chrono::milliseconds last{0};
  for (int i = 0; i < 200; ++i) last = queue.addRateLimited("k");
  EXPECT_EQ(last, std::chrono::hours(1));
}

TEST(WorkQueue, BadBackoffSettingsAreRefused) {
  try {
    WorkQueue queue({.baseDelay = 100ms, .maxDelay = 10ms});
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("baseDelay <= maxDelay"), std::string::npos) << e.what();
  }
  EXPECT_THROW(WorkQueue({.baseDelay = 0ms, .maxDelay = 10ms}), std::invalid_argument);
}

TEST(WorkQueue, DelayedKeysComeAfterReadyOnesEarliestFirst) {
  WorkQueue queue;
  const auto start = WorkQueue::Clock::now();
  queue.addAfter("late", 600ms);
  queue.addAfter("soon", 50ms);
  queue.add("now");
  queue.addAfter("also-now", 0ms);
  EXPECT_EQ(queue.delayedCount(), 2u);
  EXPECT_EQ(queue.get(), "now");
  EXPECT_EQ(queue.get(), "also-now");
  EXPECT_EQ(queue.get(), "soon");
  EXPECT_GE(WorkQueue::Clock::now() - start, 50ms);
  EXPECT_EQ(queue.get(), "late");
  EXPECT_GE(WorkQueue::Clock::now() - start, 600ms);
}

TEST(WorkQueue, EarlierRequeueWinsOverALaterOne) {
  WorkQueue queue;
  queue.addAfter("k", std::chrono::seconds(30));
  queue.addAfter("k", 20ms);
  queue.addAfter("k", std::chrono::seconds(20));  // later than what is pending: ignored
  EXPECT_EQ(queue.delayedCount(), 1u);
  const auto start = WorkQueue::Clock::now();
  EXPECT_EQ(queue.get(), "k");
  EXPECT_LT(WorkQueue::Clock::now() - start, std::chrono::seconds(15));
  EXPECT_EQ(queue.delayedCount(), 0u);
}

// Idle workers sleep until the earliest delayed key they saw; a requeue sooner than that must
// wake them, even when one of them is busy with a ready key in the meantime.
TEST(WorkQueue, SleepingWorkersWakeForAnEarlierDelayedKey) {
  WorkQueue queue;
  queue.addAfter("late", std::chrono::seconds(60));
  std::atomic<int> got{0};
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      auto key = queue.get();
      if (!key) return;
      {
        std::lock_guard lock(mutex);
        keys.push_back(*key);
      }
      ++got;
    });
  }
  std::this_thread::sleep_for(50ms);  // let them fall asleep until "late"
  queue.add("now");                   // takes one waiter away
  queue.addAfter("soon", 100ms);      // must wake one of the other two within its time
  const auto start = WorkQueue::Clock::now();
  while (got.load() < 2 && WorkQueue::Clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(got.load(), 2) << "\"soon\" waited for \"late\"";
  EXPECT_LT(WorkQueue::Clock::now() - start, std::chrono::seconds(20));
  queue.shutdown();
  for (auto& worker : workers) worker.join();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"now", "soon"}));
}

TEST(WorkQueue, DepthCountsDelayedKeysWhoseTimeHasCome) {
  WorkQueue queue;
  queue.addAfter("soon", 20ms);
  queue.addAfter("late", std::chrono::seconds(60));
  EXPECT_EQ(queue.depth(), 0u);
  std::this_thread::sleep_for(40ms);
  EXPECT_EQ(queue.depth(), 1u);
  EXPECT_EQ(queue.delayedCount(), 1u);
  EXPECT_EQ(queue.get(), "soon");
}

TEST(WorkQueue, ManyWorkersNeverProcessOneKeyAtOnceAndLoseNoAdd) {
  WorkQueue queue;
  constexpr int kKeys = 5;
  constexpr int kAddsPerKey = 200;
  std::mutex mutex;
  std::map<std::string, int> inFlight;
  std::map<std::string, int> latest;  // bumped before every add
  std::map<std::string, int> seen;    // what a worker observed when it got the key
  std::atomic<int> overlaps{0};

  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        {
          std::lock_guard lock(mutex);
          if (inFlight[*key]++ != 0) ++overlaps;
          seen[*key] = latest[*key];
        }
        std::this_thread::yield();  // widen the window in which a second worker could enter
        {
          std::lock_guard lock(mutex);
          --inFlight[*key];
        }
        queue.done(*key);
      }
    });
  }
  for (int i = 0; i < kAddsPerKey; ++i) {
    for (int k = 0; k < kKeys; ++k) {
      const std::string key = "key" + std::to_string(k);
      {
        std::lock_guard lock(mutex);
        ++latest[key];
      }
      queue.add(key);
    }
  }
  // Every key must be processed after its last add; wait for that (the limit only prevents a hang).
  const auto deadline = WorkQueue::Clock::now() + std::chrono::seconds(60);
  auto caughtUp = [&] {
    std::lock_guard lock(mutex);
    return seen == latest;
  };
  while (!caughtUp() && WorkQueue::Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  queue.shutdown();
  for (auto& worker : workers) worker.join();

  EXPECT_EQ(overlaps.load(), 0);
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, latest) << "an add made during processing was lost";
  EXPECT_EQ(latest.size(), static_cast<std::size_t>(kKeys));
}

TEST(WorkQueue, ShutdownWakesEveryWaiterAndRefusesNewKeys) {
  WorkQueue queue;
  queue.addAfter("pending", std::chrono::seconds(30));
  std::atomic<int> returned{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      EXPECT_EQ(queue.get(), std::nullopt);
      ++returned;
    });
  }
  queue.shutdown();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(returned.load(), 3);
  EXPECT_TRUE(queue.shuttingDown());
  queue.add("late");
  EXPECT_EQ(queue.depth(), 0u);
  EXPECT_EQ(queue.get(), std::nullopt);
}

}  // namespace
}  // namespace maasprov::controller
