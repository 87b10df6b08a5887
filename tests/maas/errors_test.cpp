// MAAS statuses and texts map to the typed errors callers act on.
#include "framework/maas/errors.hpp"

#include <gtest/gtest.h>

namespace maas = maasprov::maas;

namespace {

maas::Response answer(int status, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  return maas::Response{status, std::move(headers), std::move(body)};
}

template <typename E>
E thrown(const maas::Response& response) {
  try {
    maas::throwIfError("POST machines/?op=allocate", response);
  } catch (const E& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong error type for " << response.status << ": " << e.what();
    throw;
  }
  ADD_FAILURE() << "no error for " << response.status;
  throw std::logic_error("no error");
}

}  // namespace

TEST(ErrorMapping, SuccessIsNotAnError) {
  EXPECT_NO_THROW(maas::throwIfError("GET machines/", answer(200, "[]")));
  EXPECT_NO_THROW(maas::throwIfError("DELETE machines/{id}/", answer(204, "")));
  EXPECT_EQ(maas::errorFor("GET machines/", answer(200, "[]")), nullptr);
}

TEST(ErrorMapping, BadRequestWithJsonFieldErrors) {
  const auto e = thrown<maas::BadRequest>(
      answer(400, R"({"mem": ["Invalid memory value"], "tags": ["No such tag(s): 'gpu'."]})"));
  EXPECT_EQ(e.status(), 400);
  ASSERT_EQ(e.fieldErrors().size(), 2u);
  EXPECT_EQ(e.fieldErrors().at("mem").at(0), "Invalid memory value");
  EXPECT_EQ(e.fieldErrors().at("tags").at(0), "No such tag(s): 'gpu'.");
  EXPECT_NE(std::string(e.what()).find("POST machines/?op=allocate answered 400"),
            std::string::npos);
}

TEST(ErrorMapping, BadRequestWithPlainText) {
  const auto e = thrown<maas::BadRequest>(answer(400, "No such constraint."));
  EXPECT_TRUE(e.fieldErrors().empty());
  EXPECT_EQ(e.body(), "No such constraint.");
  EXPECT_NE(std::string(e.what()).find("No such constraint."), std::string::npos);
}

TEST(ErrorMapping, AuthorizationFailures) {
  EXPECT_EQ(
      thrown<maas::Unauthorized>(answer(401, "Authorization Error: Invalid API key.")).status(),
      401);
  EXPECT_EQ(thrown<maas::Unauthorized>(answer(403, "Forbidden")).status(), 403);
}

TEST(ErrorMapping, NotFound) {
  EXPECT_EQ(thrown<maas::NotFound>(answer(404, "Not Found")).status(), 404);
}

TEST(ErrorMapping, NoMatchIsTellingApartFromStateConflicts) {
  thrown<maas::NoMatch>(answer(409, "No machine available."));
  thrown<maas::NoMatch>(answer(409,
                               "No available machine matches constraints: [('zone', ['az1'])] "
                               "(resolved to \"zone=az1\")"));
  const auto c = thrown<maas::Conflict>(
      answer(409, "Cannot deploy node because the node is in the 'Ready' state."));
  EXPECT_EQ(c.status(), 409);
  thrown<maas::Conflict>(answer(409, "Node with this Hostname already exists."));
}

TEST(ErrorMapping, UnavailableCarriesRetryAfter) {
  const auto with = thrown<maas::Unavailable>(answer(503, "busy", {{"retry-after", "7"}}));
  ASSERT_TRUE(with.retryAfter().has_value());
  EXPECT_EQ(with.retryAfter()->count(), 7);
  EXPECT_FALSE(
      thrown<maas::Unavailable>(answer(503, "Unable to connect")).retryAfter().has_value());
}

TEST(ErrorMapping, OtherStatusesAreServerErrors) {
  EXPECT_EQ(thrown<maas::ServerError>(answer(500, "Traceback ...")).status(), 500);
  EXPECT_EQ(thrown<maas::ServerError>(answer(502, "<html>Bad Gateway</html>")).status(), 502);
  EXPECT_EQ(thrown<maas::ServerError>(answer(302, "")).status(), 302);
}

TEST(ErrorMapping, AllAreMaasErrors) {
  for (int status : {400, 401, 403, 404, 409, 500, 503}) {
    EXPECT_THROW(maas::throwIfError("GET machines/", answer(status, "x")), maas::MaasError)
        << status;
  }
}

TEST(RetryAfter, SecondsAndHttpDates) {
  EXPECT_EQ(maas::retryAfterOf(answer(503, "", {{"Retry-After", " 12 "}}))->count(), 12);
  EXPECT_FALSE(maas::retryAfterOf(answer(503, "", {{"Retry-After", "soon"}})).has_value());
  EXPECT_FALSE(maas::retryAfterOf(answer(503, "")).has_value());
  // A date in the past means "now".
  EXPECT_EQ(maas::retryAfterOf(answer(503, "", {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}))
                ->count(),
            0);
}
