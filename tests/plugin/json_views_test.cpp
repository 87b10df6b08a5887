// The SDK's unbuilt views into a document (maasprov/json.hpp: arrayElements, objectMembers):
// the exact text of each part, and the same strictness as parse().
#include <gtest/gtest.h>

#include <string>

#include "maasprov/json.hpp"

namespace maasprov::json {
namespace {

template <typename F>
std::string error(F f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(JsonViews, ArrayElementsAreTheTextOfEachElement) {
  const std::string doc = R"( [ {"a": [1, {"b": "x\"]}"}]}, "s\u00e9", 12.5e3 , null, [], {} ] )";
  const auto parts = arrayElements(doc);
  ASSERT_EQ(parts.size(), 6U);
  EXPECT_EQ(parts[0], R"({"a": [1, {"b": "x\"]}"}]})");
  EXPECT_EQ(parts[1], R"("s\u00e9")");
  EXPECT_EQ(parts[2], "12.5e3");
  EXPECT_EQ(parts[3], "null");
  EXPECT_EQ(parts[4], "[]");
  EXPECT_EQ(parts[5], "{}");
  // Each part parses to what the whole document's parse holds at that place.
  const Value whole = parse(doc);
  for (size_t i = 0; i < parts.size(); ++i) EXPECT_EQ(parse(parts[i]), whole.asArray()[i]) << i;
  EXPECT_TRUE(arrayElements(" [ ] ").empty());
}

TEST(JsonViews, ObjectMembersGiveDecodedKeysAndRawValues) {
  const auto members =
      objectMembers(R"({"system_id": "abc", "st\u0061tus_name": "Deployed", "n": {"x": [1]}})");
  ASSERT_EQ(members.size(), 3U);
  EXPECT_EQ(members[0].first, "system_id");
  EXPECT_EQ(members[0].second, R"("abc")");
  EXPECT_EQ(members[1].first, "status_name");  // the key's escape is decoded
  EXPECT_EQ(members[1].second, R"("Deployed")");
  EXPECT_EQ(members[2].second, R"({"x": [1]})");
  EXPECT_TRUE(objectMembers("{}").empty());
}

TEST(JsonViews, RefuseWhatParseRefuses) {
  EXPECT_NE(error([] { arrayElements(R"([{"a": 1,}])"); }), "(accepted)");  // trailing comma
  EXPECT_NE(error([] { arrayElements(R"([{"a": "\x01"}])"); }), "(accepted)");
  EXPECT_NE(error([] { arrayElements("[\"\xc0\xaf\"]"); }), "(accepted)");  // overlong UTF-8
  EXPECT_NE(error([] { arrayElements(R"(["\ud800"])"); }), "(accepted)");   // lone surrogate
  EXPECT_NE(error([] { arrayElements("[01]"); }), "(accepted)");
  EXPECT_NE(error([] { arrayElements("[1] x"); }), "(accepted)");
  EXPECT_NE(error([] { arrayElements(R"([{"a": [1})"); }), "(accepted)");  // unterminated
  // The same message, at the same byte, as parse() gives.
  EXPECT_EQ(error([] { objectMembers(R"({"a": 1, "a": 2})"); }),
            error([] { parse(R"({"a": 1, "a": 2})"); }));
  EXPECT_NE(error([] { parse(R"({"a": 1, "a": 2})"); }).find("duplicate key"), std::string::npos);
  EXPECT_NE(error([] { objectMembers(R"({"a" 1})"); }), "(accepted)");
}

TEST(JsonViews, SayWhenTheDocumentIsOfAnotherKind) {
  EXPECT_NE(error([] { arrayElements(R"({"a": 1})"); }).find("expected an array"),
            std::string::npos);
  EXPECT_NE(error([] { objectMembers("[1]"); }).find("expected an object"), std::string::npos);
  EXPECT_NE(error([] { arrayElements(""); }).find("expected an array"), std::string::npos);
}

TEST(JsonViews, KeepTheDepthAndSizeLimits) {
  ParseOptions shallow;
  shallow.maxDepth = 3;
  EXPECT_EQ(error([&] { arrayElements("[[[1]]]", shallow); }), "(accepted)");
  EXPECT_NE(error([&] { arrayElements("[[[[1]]]]", shallow); }).find("nesting deeper"),
            std::string::npos);
  EXPECT_NE(error([&] { parse("[[[[1]]]]", shallow); }).find("nesting deeper"), std::string::npos);
  ParseOptions small;
  small.maxBytes = 4;
  EXPECT_NE(error([&] { arrayElements("[1, 2]", small); }).find("larger than"), std::string::npos);
}

TEST(JsonViews, ParseDeferringBuildsAllButTheDeferredArray) {
  const std::string doc =
      R"({"object": {"a": [1, 2]}, "machines": [{"m": 1}, {"m": "x\"]"}], "userData": "dQ=="})";
  std::string_view deferred;
  Value built = parseDeferring(doc, "machines", &deferred);
  EXPECT_EQ(deferred, R"([{"m": 1}, {"m": "x\"]"}])");
  EXPECT_EQ(built.find("machines"), nullptr);
  built.set("machines", parse(deferred));
  EXPECT_EQ(built, parse(doc));

  // Absent, or not an array: nothing deferred, the member built like the others.
  std::string_view none;
  EXPECT_EQ(parseDeferring(R"({"a": 1})", "machines", &none), parse(R"({"a": 1})"));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(parseDeferring(R"({"machines": null})", "machines", &none),
            parse(R"({"machines": null})"));
  EXPECT_TRUE(none.empty());
}

TEST(JsonViews, ParseDeferringRefusesWhatParseRefuses) {
  std::string_view d;
  for (const char* bad :
       {R"({"machines": [{"a": 1,}]})", R"({"machines": ["\x"]})", R"({"machines": [1}, "b": 2})",
        R"({"a": 1} x)", R"({"machines": [], "machines": []})",
        R"({"machines": 1, "machines": []})", R"({"machines": [], "machines": 1})"}) {
    EXPECT_NE(error([&] { parseDeferring(bad, "machines", &d); }), "(accepted)") << bad;
    EXPECT_NE(error([&] { parse(bad); }), "(accepted)") << bad;
  }
  EXPECT_NE(error([&] { parseDeferring("[1]", "machines", &d); }).find("expected an object"),
            std::string::npos);
  // A duplicate key is reported where parse() reports it.
  EXPECT_EQ(error([&] { parseDeferring(R"({"machines": [], "machines": []})", "machines", &d); }),
            error([] { parse(R"({"machines": [], "machines": []})"); }));
}

}  // namespace
}  // namespace maasprov::json
