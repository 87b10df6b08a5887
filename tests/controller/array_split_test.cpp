// The poller's first pass over MAAS's answers: it must split exactly where the checking reader
// splits, and together with each element's own check accept and refuse exactly what that reader
// does, on real MAAS answers and on every one-byte corruption of them.
#include "framework/controller/array_split.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "maasprov/json.hpp"

namespace maasprov::controller {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MAASPROV_FIXTURES_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What the poller ends up accepting: the split, then every element checked.
bool acceptedUnchecked(std::string_view text) {
  auto split = splitArrayUnchecked(text);
  if (!split) return false;
  try {
    for (auto element : *split) json::parse(element);
  } catch (const json::ParseError&) {
    return false;
  }
  return true;
}

bool acceptedChecked(std::string_view text) {
  try {
    for (auto element : json::arrayElements(text)) json::parse(element);
  } catch (const json::ParseError&) {
    return false;
  }
  return true;
}

TEST(ArraySplit, SplitsRealMaasAnswersWhereTheCheckingReaderDoes) {
  for (const char* name : {"machines.json", "vm_hosts.json", "subnets.json", "interfaces.json"}) {
    const std::string text = fixture(name);
    ASSERT_FALSE(text.empty()) << name;
    auto split = splitArrayUnchecked(text);
    ASSERT_TRUE(split) << name;
    EXPECT_EQ(*split, json::arrayElements(text)) << name;
  }
}

TEST(ArraySplit, FollowsStringsEscapesAndNesting) {
  const std::string text = R"( [ {"a":"x,]}\"y","b":[1,{"c":"\\"}]} , "s\\\"]" ,3, [ ] ,null ] )";
  auto split = splitArrayUnchecked(text);
  ASSERT_TRUE(split);
  EXPECT_EQ(*split, json::arrayElements(text));
  ASSERT_EQ(split->size(), 5u);
  EXPECT_EQ((*split)[1], R"("s\\\"]")");
  EXPECT_EQ(splitArrayUnchecked("[]")->size(), 0u);
  EXPECT_EQ(splitArrayUnchecked(" [ {} ]\n")->front(), "{}");
}

TEST(ArraySplit, RefusesWhatDoesNotSplitCleanly) {
  for (const char* bad : {"", "{}", "[", "[{}", "[{}]]", "[{}] x", "[,{}]", "[{},]", "[{},,{}]",
                          R"(["abc])", R"([{"a":"\"}])", "[{}}"}) {
    EXPECT_FALSE(splitArrayUnchecked(bad)) << bad;
  }
}

// Every single-byte change of a real answer: accepted by the split plus element checks exactly
// when the checking reader accepts it.
TEST(ArraySplit, AcceptsAndRefusesWhatTheCheckingReaderDoesOnCorruptedAnswers) {
  const std::string original = fixture("machines.json");
  ASSERT_FALSE(original.empty());
  std::mt19937 random(20261207);
  const std::string bytes = "{}[]\",:\\ax0 -";
  for (int i = 0; i < 5000; ++i) {
    std::string text = original;
    const std::size_t at = random() % text.size();
    text[at] = bytes[random() % bytes.size()];
    const bool accepted = acceptedChecked(text);
    ASSERT_EQ(acceptedUnchecked(text), accepted) << "byte " << at << " set to '" << text[at] << "'";
    if (accepted) {
      ASSERT_EQ(*splitArrayUnchecked(text), json::arrayElements(text)) << at;
    }
  }
}

}  // namespace
}  // namespace maasprov::controller
