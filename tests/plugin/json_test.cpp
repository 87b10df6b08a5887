// The SDK's own JSON (maasprov/json.hpp): strict parsing with clear errors, and round trips.
#include "maasprov/json.hpp"

#include <gtest/gtest.h>

#include "maasprov/plugin.hpp"

namespace maasprov::json {
namespace {

std::string error(std::string_view text, const ParseOptions& options = {}) {
  try {
    parse(text, options);
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Json, ParsesAndSerializesADocument) {
  Value v = parse(R"( {"a": [1, -2.5, true, null, "x\n\u00e9\ud83d\ude00"], "b": {}} )");
  EXPECT_EQ(v.find("a")->asArray()[0].asInt(), 1);
  EXPECT_DOUBLE_EQ(v.find("a")->asArray()[1].asDouble(), -2.5);
  EXPECT_EQ(v.find("a")->asArray()[4].asString(), "x\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v.dump(), "{\"a\":[1,-2.5,true,null,\"x\\n\xc3\xa9\xf0\x9f\x98\x80\"],\"b\":{}}");
  EXPECT_EQ(parse(v.dump()), v);
}

TEST(Json, LargeIntegersStayExact) {
  EXPECT_EQ(parse("9007199254740993").asInt(), 9007199254740993LL);
  EXPECT_EQ(parse("-9223372036854775808").asInt(), INT64_MIN);
  EXPECT_TRUE(parse("9223372036854775808").type() == Type::Double);  // beyond int64
}

TEST(Json, RejectsWhatRfc8259Rejects) {
  EXPECT_NE(error("{\"a\":1,}").find("expected a string key"), std::string::npos);
  EXPECT_NE(error("[1,]").find("unexpected character"), std::string::npos);
  EXPECT_NE(error("01").find("leading zeros"), std::string::npos);
  EXPECT_NE(error("{\"a\":1} x").find("unexpected data after the document"), std::string::npos);
  EXPECT_NE(error("\"tab\there\"").find("control character"), std::string::npos);
  EXPECT_NE(error("// c\n1").find("unexpected character"), std::string::npos);
  EXPECT_NE(error("NaN").find("unexpected character"), std::string::npos);
  EXPECT_NE(error("1e400").find("number out of range"), std::string::npos);
  EXPECT_NE(error("{\"a\":1,\"a\":2}").find("duplicate key \"a\""), std::string::npos);
}

TEST(Json, RejectsInvalidUtf8) {
  EXPECT_NE(error("\"\xc0\xaf\"").find("invalid UTF-8"), std::string::npos);         // overlong
  EXPECT_NE(error("\"\xed\xa0\x80\"").find("surrogate"), std::string::npos);         // surrogate
  EXPECT_NE(error("\"\xf4\x90\x80\x80\"").find("out of range"), std::string::npos);  // > U+10FFFF
  EXPECT_NE(error("\"\xe2\x82\"").find("UTF-8"), std::string::npos);                 // truncated
  EXPECT_NE(error("\"\\ud800\"").find("lone high surrogate"), std::string::npos);
  EXPECT_NE(error("\"\\udc00\"").find("lone low surrogate"), std::string::npos);
}

TEST(Json, LongStringsKeepEveryCharacterWhereverEscapesFall) {
  // Plain text is copied in 8-byte steps: put each special character at every offset of a word.
  const std::string plain = "abcdefghijklmnopqrstuvwx";
  for (const std::string special :
       {"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9", "\xf0\x9f\x98\x80"}) {
    for (size_t at = 0; at <= 16; ++at) {
      const std::string text = plain.substr(0, at) + special + plain.substr(at);
      const Value v(text);
      EXPECT_EQ(parse(v.dump()).asString(), text) << v.dump();
    }
  }
  // A raw control character or a bad byte is reported where it is, deep inside a long run.
  for (size_t at = 0; at <= 16; ++at) {
    const std::string body = plain.substr(0, at) + "\x02" + plain.substr(at);
    EXPECT_EQ(error("\"" + body + "\""),
              "invalid JSON at byte " + std::to_string(at + 1) + ": control character in string");
    const std::string bad = plain.substr(0, at) + "\xff" + plain.substr(at);
    EXPECT_EQ(error("\"" + bad + "\""),
              "invalid JSON at byte " + std::to_string(at + 1) + ": invalid UTF-8");
  }
}

TEST(Json, ErrorsSayWhere) {
  try {
    parse("{\"a\": tru}");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.offset(), 6u);
    EXPECT_EQ(std::string(e.what()), "invalid JSON at byte 6: unexpected character");
  }
}

TEST(Json, DepthIsLimited) {
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_NE(error(deep).find("nesting deeper than 64 levels"), std::string::npos);
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_NO_THROW(parse(ok));
  EXPECT_NE(error("[[1]]", ParseOptions{1, 100}).find("nesting deeper than 1"), std::string::npos);
}

TEST(Json, SizeIsLimited) {
  EXPECT_NE(error("[1, 2, 3]", ParseOptions{64, 4}).find("larger than 4 bytes"), std::string::npos);
}

TEST(Json, TypedLookupsNameTheKey) {
  Value v = parse(R"({"minCPU": "many", "tags": ["a"]})");
  try {
    v.getInt("minCPU");
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_EQ(std::string(e.what()), "\"minCPU\": expected integer, got string");
  }
  EXPECT_EQ(v.getInt("missing", 7), 7);
  EXPECT_EQ(v.findPath({"tags"})->size(), 1u);
  EXPECT_EQ(v.findPath({"a", "b"}), nullptr);
}

TEST(Json, BuildsAndEscapesOnOutput) {
  Value v;
  v["s"] = "quote\" back\\ ctl\x01";
  v["n"] = nullptr;
  v["arr"].push_back(1);
  v["arr"].push_back(2.5);
  EXPECT_EQ(v.dump(), R"({"s":"quote\" back\\ ctl\u0001","n":null,"arr":[1,2.5]})");
  v.set("s", 3);
  EXPECT_EQ(v.find("s")->asInt(), 3);
  EXPECT_TRUE(v.erase("n"));
  EXPECT_EQ(v.size(), 2u);
}

// Result::extra: further top-level members of the result document (machineStatus, endpoint).
TEST(ResultDocument, ExtraMembersSitBesideStatusAndRequeue) {
  maasprov::Result r;
  r.status.set("ready", true);
  r.requeueAfterSeconds = 5;
  r.extra.set("machineStatus", Value(Object{{"cp-a", Value(Object{{"dnsAttached", true}})}}));
  r.extra.set("endpoint", Value(Object{{"host", "c.maas.test"}, {"port", 6443}}));
  Value doc = parse(r.toJson().dump());
  EXPECT_TRUE(doc.find("status")->getBool("ready"));
  EXPECT_EQ(doc.getInt("requeueAfterSeconds"), 5);
  EXPECT_TRUE(doc.find("machineStatus")->find("cp-a")->getBool("dnsAttached"));
  EXPECT_EQ(doc.find("endpoint")->getInt("port"), 6443);
  EXPECT_EQ(maasprov::Result().toJson().dump(), R"({"status":{}})");  // unchanged without extra
}

TEST(ResultDocument, ExtraCannotReplaceTheSdksOwnMembers) {
  maasprov::RemoveResult r;
  r.extra.set("done", true);
  try {
    r.toJson();
    ADD_FAILURE() << "extra replaced \"done\"";
  } catch (const maasprov::PluginError& e) {
    EXPECT_EQ(e.type(), maasprov::ErrorType::Internal);
    EXPECT_NE(std::string(e.what()).find("\"done\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace maasprov::json
