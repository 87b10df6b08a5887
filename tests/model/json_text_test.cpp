// model::readObject and model::printObject: the host's quick way between JSON text and Poco's
// tree must give exactly what Poco's own parser and printer give, or fall back to them.
#include "framework/model/json_text.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace maasprov::model {
namespace {

Poco::JSON::Object::Ptr pocoParse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string pocoPrint(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// A stored MaasMachine's kind of content: nesting, arrays, escapes, UTF-8, negative numbers.
const std::string kMachine =
    R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
    R"("metadata":{"name":"cp-0","namespace":"default","generation":3,"resourceVersion":"41",)"
    R"("labels":{"cluster.x-k8s.io/cluster-name":"c1"},"finalizers":["a","b"]},)"
    R"("spec":{"minCPU":2,"minMemory":4096,"tags":[],"userData":"I2Nsb3VkLWNvbmZpZw=="},)"
    R"("status":{"ready":false,"addresses":[{"type":"InternalIP","address":"10.0.0.5"}],)"
    R"("failureMessage":"line one\nline \"two\"\t\\ caf\u00e9 \u00e9t\u00e9","offset":-42,)"
    R"("none":null,"conditions":[{"type":"Ready","status":"False","severity":"Info"}]}})";

TEST(JsonText, ReadsTheTreePocosParserReads) {
  const auto quick = readObject(kMachine);
  ASSERT_TRUE(quick);
  EXPECT_EQ(pocoPrint(*quick), pocoPrint(*pocoParse(kMachine)));
  EXPECT_EQ(quick->getObject("status")->getValue<Poco::Int64>("offset"), -42);
  EXPECT_EQ(quick->getObject("status")->getValue<std::string>("failureMessage"),
            "line one\nline \"two\"\t\\ caf\xc3\xa9 \xc3\xa9t\xc3\xa9");
}

TEST(JsonText, NumbersOnlyPocoReadsExactlyAreReadByPoco) {
  // A double and an integer beyond int64: Poco's own types, as its parser makes them.
  const std::string text = R"({"ratio":1.5,"huge":18446744073709551615,"small":1})";
  const auto quick = readObject(text);
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->get("ratio").type(), pocoParse(text)->get("ratio").type());
  EXPECT_EQ(quick->get("huge").type(), pocoParse(text)->get("huge").type());
  EXPECT_EQ(pocoPrint(*quick), pocoPrint(*pocoParse(text)));
}

TEST(JsonText, ANonObjectIsNullAndMalformedTextIsPocosError) {
  EXPECT_FALSE(readObject("[1,2]"));
  EXPECT_FALSE(readObject("\"text\""));
  EXPECT_THROW(readObject("{\"a\":"), Poco::Exception);
  EXPECT_THROW(readObject(""), Poco::Exception);
}

TEST(JsonText, PrintsWhatPocosStringifyPrints) {
  const auto parsed = pocoParse(kMachine);
  EXPECT_EQ(printObject(*parsed), pocoPrint(*parsed));
  // Objects that keep their members in insertion order print in that order, as Poco's do.
  Poco::JSON::Object ordered(Poco::JSON_PRESERVE_KEY_ORDER);
  ordered.set("zeta", 1);
  ordered.set("alpha", Poco::Int64(-2));
  ordered.set("mid", std::string("/path"));
  auto list = Poco::makeShared<Poco::JSON::Array>();
  list->add(true);
  list->add(Poco::Dynamic::Var());
  list->add(Poco::UInt64(18446744073709551615ULL));
  ordered.set("list", list);
  EXPECT_EQ(printObject(ordered), pocoPrint(ordered));
  EXPECT_EQ(printObject(ordered),
            R"({"zeta":1,"alpha":-2,"mid":"/path","list":[true,null,18446744073709551615]})");
}

TEST(JsonText, ADoubleIsPrintedByPoco) {
  Poco::JSON::Object object;
  object.set("ratio", 0.1);
  object.set("name", std::string("x"));
  EXPECT_EQ(printObject(object), pocoPrint(object));
  EXPECT_EQ(printObject(object), R"({"name":"x","ratio":0.1})");
}

TEST(JsonText, WhatItPrintsReadsBackTheSame) {
  const auto once = readObject(kMachine);
  const std::string printed = printObject(*once);
  EXPECT_EQ(printObject(*readObject(printed)), printed);
}

}  // namespace
}  // namespace maasprov::model
