// Which failures the client repeats, and how long it waits.
#include "framework/maas/retry_policy.hpp"

#include <gtest/gtest.h>

namespace maas = maasprov::maas;
using namespace std::chrono_literals;

namespace {

maas::RetrySettings settings() {
  maas::RetrySettings s;
  s.maxAttempts = 4;
  s.baseBackoff = 100ms;
  s.maxBackoff = 350ms;
  s.maxRetryAfter = 10s;
  return s;
}

maas::Response withRetryAfter(int status, const std::string& value) {
  return maas::Response{status, {{"Retry-After", value}}, ""};
}

}  // namespace

TEST(RetryPolicy, BackoffDoublesUpToTheCap) {
  EXPECT_EQ(maas::backoffDelay(settings(), 1), 100ms);
  EXPECT_EQ(maas::backoffDelay(settings(), 2), 200ms);
  EXPECT_EQ(maas::backoffDelay(settings(), 3), 350ms);
  EXPECT_EQ(maas::backoffDelay(settings(), 30), 350ms);
}

TEST(RetryPolicy, RetryAfterIsHonouredAndCapped) {
  EXPECT_EQ(maas::retryDelayFor(settings(), withRetryAfter(503, "2"), 1), 2000ms);
  EXPECT_EQ(maas::retryDelayFor(settings(), withRetryAfter(409, "3"), 1), 3000ms);
  EXPECT_EQ(maas::retryDelayFor(settings(), withRetryAfter(503, "3600"), 1), 10000ms);
  EXPECT_EQ(maas::retryDelayFor(settings(), withRetryAfter(503, "0"), 2), 200ms);
}

TEST(RetryPolicy, AnswersWithoutRetryAfterAreFinal) {
  EXPECT_FALSE(maas::retryDelayFor(settings(), maas::Response{503, {}, "down"}, 1));
  EXPECT_FALSE(
      maas::retryDelayFor(settings(), maas::Response{409, {}, "No machine available."}, 1));
  EXPECT_FALSE(maas::retryDelayFor(settings(), withRetryAfter(500, "1"), 1));
  EXPECT_FALSE(maas::retryDelayFor(settings(), maas::Response{200, {}, "{}"}, 1));
}

TEST(RetryPolicy, AttemptsAreBounded) {
  EXPECT_TRUE(maas::retryDelayFor(settings(), withRetryAfter(503, "1"), 3));
  EXPECT_FALSE(maas::retryDelayFor(settings(), withRetryAfter(503, "1"), 4));
  const maas::Request get{"GET", "machines/", "", {}};
  EXPECT_TRUE(maas::retryDelayFor(settings(), get, maas::Failure::Timeout, 3));
  EXPECT_FALSE(maas::retryDelayFor(settings(), get, maas::Failure::Timeout, 4));
}

TEST(RetryPolicy, LostAnswersAreRetriedOnlyWhenSafe) {
  const maas::Request get{"GET", "machines/", "", {}};
  const maas::Request allocate{"POST", "machines/", "allocate", {}};
  maas::Request annotate{"POST", "machines/x/", "set_workload_annotations", {}};
  annotate.idempotent = true;
  for (auto failure : {maas::Failure::Timeout, maas::Failure::Reset}) {
    EXPECT_TRUE(maas::retryDelayFor(settings(), get, failure, 1));
    EXPECT_TRUE(maas::retryDelayFor(settings(), annotate, failure, 1));
    EXPECT_FALSE(maas::retryDelayFor(settings(), allocate, failure, 1));
  }
  // A connection that never opened carried nothing: even allocate may go again.
  EXPECT_TRUE(maas::retryDelayFor(settings(), allocate, maas::Failure::NotConnected, 1));
}
