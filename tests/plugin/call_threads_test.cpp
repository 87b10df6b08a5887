// CallThreads: plugin calls run on reused threads, a call that never returns holds only its own
// thread, and surplus idle threads go away.
#include "framework/plugin/call_threads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>

namespace maasprov::plugin {
namespace {

using namespace std::chrono_literals;

// Waits until `done` holds, at most 10 s (a generous bound: nothing here is a speed test).
template <typename F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

TEST(CallThreads, SequentialTasksReuseOneThread) {
  CallThreads pool;
  for (int i = 0; i < 20; ++i) {
    // As the controller does: the caller hears of the result through `done` and calls again.
    std::promise<std::thread::id> ran;
    auto id = ran.get_future();
    std::thread::id worker;
    pool.run([&worker] { worker = std::this_thread::get_id(); },
             [&ran, &worker] { ran.set_value(worker); });
    EXPECT_NE(id.get(), std::this_thread::get_id());
  }
  EXPECT_EQ(pool.started(), 1u);
  EXPECT_EQ(pool.threads(), 1u);
}

TEST(CallThreads, ATaskThatNeverReturnsDoesNotHoldUpOthers) {
  CallThreads pool;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.run([released] { released.wait(); });  // an abandoned plugin call
  for (int i = 0; i < 3; ++i) {
    std::promise<void> ran;
    auto done = ran.get_future();
    pool.run([&ran] { ran.set_value(); });
    EXPECT_EQ(done.wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(eventually([&] { return pool.idle() == 1; }));
  }
  EXPECT_EQ(pool.started(), 2u);  // the stuck one, and one more for everything else
  release.set_value();
  EXPECT_TRUE(eventually([&] { return pool.idle() == 2; }));
}

TEST(CallThreads, IdleThreadsAboveTheBoundExit) {
  CallThreads pool(CallThreadLimits{1, 20ms});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> finished{0};
  for (int i = 0; i < 4; ++i) {
    pool.run([released, &finished] {
      released.wait();
      ++finished;
    });
  }
  EXPECT_EQ(pool.threads(), 4u);
  release.set_value();
  ASSERT_TRUE(eventually([&] { return finished == 4; }));
  EXPECT_TRUE(eventually([&] { return pool.threads() == 1; }));
  EXPECT_EQ(pool.idle(), 1u);  // the kept one still serves
  std::promise<void> ran;
  auto done = ran.get_future();
  pool.run([&ran] { ran.set_value(); });
  EXPECT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(pool.started(), 4u);
}

TEST(CallThreads, DestroyingThePoolDoesNotWaitForARunningTask) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  {
    CallThreads pool;
    pool.run([released, finished] {
      released.wait();
      finished->store(true);
    });
  }  // returns although the task is blocked
  EXPECT_FALSE(finished->load());
  release.set_value();
  EXPECT_TRUE(eventually([&] { return finished->load(); }));
}

}  // namespace
}  // namespace maasprov::plugin
