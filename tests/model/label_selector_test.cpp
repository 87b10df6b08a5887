// Label selectors: kubectl's syntax and semantics, and parse errors that point at the problem.
#include "framework/model/label_selector.hpp"

#include <gtest/gtest.h>

namespace maasprov::model {
namespace {

using Labels = std::map<std::string, std::string>;

const Labels kControlPlane{{"cluster.x-k8s.io/cluster-name", "demo"},
                           {"cluster.x-k8s.io/control-plane", ""},
                           {"zone", "zone-a"}};
const Labels kWorker{{"cluster.x-k8s.io/cluster-name", "demo"}, {"zone", "zone-b"}};
const Labels kOther{{"cluster.x-k8s.io/cluster-name", "other"}};

bool matches(const std::string& selector, const Labels& labels) {
  return LabelSelector::parse(selector).matches(labels);
}

TEST(LabelSelector, EqualityOperators) {
  EXPECT_TRUE(matches("cluster.x-k8s.io/cluster-name=demo", kWorker));
  EXPECT_TRUE(matches("cluster.x-k8s.io/cluster-name==demo", kWorker));
  EXPECT_FALSE(matches("cluster.x-k8s.io/cluster-name=demo", kOther));
  EXPECT_TRUE(matches("cluster.x-k8s.io/cluster-name!=demo", kOther));
  EXPECT_FALSE(matches("cluster.x-k8s.io/cluster-name!=demo", kWorker));
  EXPECT_TRUE(matches("zone!=zone-a", kOther)) << "!= matches objects without the label";
  EXPECT_TRUE(matches("cluster.x-k8s.io/control-plane=", kControlPlane)) << "empty value";
  EXPECT_FALSE(matches("cluster.x-k8s.io/control-plane=", kWorker));
}

TEST(LabelSelector, ExistenceOperators) {
  EXPECT_TRUE(matches("cluster.x-k8s.io/control-plane", kControlPlane));
  EXPECT_FALSE(matches("cluster.x-k8s.io/control-plane", kWorker));
  EXPECT_TRUE(matches("!cluster.x-k8s.io/control-plane", kWorker));
  EXPECT_FALSE(matches("!cluster.x-k8s.io/control-plane", kControlPlane));
}

TEST(LabelSelector, SetOperators) {
  EXPECT_TRUE(matches("zone in (zone-a,zone-c)", kControlPlane));
  EXPECT_FALSE(matches("zone in (zone-a,zone-c)", kWorker));
  EXPECT_FALSE(matches("zone in (zone-a)", kOther));
  EXPECT_TRUE(matches("zone notin (zone-a)", kWorker));
  EXPECT_TRUE(matches("zone notin (zone-a)", kOther)) << "notin matches objects without the label";
  EXPECT_FALSE(matches("zone notin (zone-a, zone-b)", kWorker));
}

TEST(LabelSelector, CommasMeanAnd) {
  const std::string workersOfDemo =
      "cluster.x-k8s.io/cluster-name=demo,!cluster.x-k8s.io/control-plane";
  EXPECT_TRUE(matches(workersOfDemo, kWorker));
  EXPECT_FALSE(matches(workersOfDemo, kControlPlane));
  EXPECT_FALSE(matches(workersOfDemo, kOther));
  EXPECT_TRUE(
      matches(" zone in ( zone-a , zone-b ) , cluster.x-k8s.io/cluster-name = demo ", kWorker));
}

TEST(LabelSelector, EmptySelectorMatchesEverything) {
  EXPECT_TRUE(LabelSelector::parse("").empty());
  EXPECT_TRUE(matches("", kOther));
  EXPECT_TRUE(matches("  ", Labels{}));
}

TEST(LabelSelector, CanonicalTextParsesBack) {
  const auto selector = LabelSelector::parse("a==b, c!=d,e, !f, g in (x, y),h notin (z)");
  EXPECT_EQ(selector.str(), "a=b,c!=d,e,!f,g in (x,y),h notin (z)");
  EXPECT_EQ(LabelSelector::parse(selector.str()).requirements(), selector.requirements());
  ASSERT_EQ(selector.requirements().size(), 6u);
  EXPECT_EQ(selector.requirements()[4].op, LabelSelector::Operator::In);
  EXPECT_EQ(selector.requirements()[4].values, (std::vector<std::string>{"x", "y"}));
}

std::string parseError(const std::string& text) {
  try {
    LabelSelector::parse(text);
  } catch (const LabelSelectorError& e) {
    return e.what();
  }
  return "no error";
}

TEST(LabelSelector, ParseErrorsPointAtTheProblem) {
  EXPECT_EQ(parseError("a in (x"),
            "invalid label selector \"a in (x\": expected \",\" or \")\" at position 8");
  EXPECT_EQ(parseError("a in x"),
            "invalid label selector \"a in x\": expected \"(\" after \"in\" at position 6");
  EXPECT_EQ(
      parseError("a in ()"),
      "invalid label selector \"a in ()\": expected a value in the \"in\" list at position 7");
  EXPECT_EQ(parseError("a=b,"),
            "invalid label selector \"a=b,\": expected a label key at position 5");
  EXPECT_EQ(parseError(",a"), "invalid label selector \",a\": expected a label key at position 1");
  EXPECT_EQ(parseError("!"),
            "invalid label selector \"!\": expected a label key after \"!\" at position 2");
  EXPECT_EQ(parseError("a>1"),
            "invalid label selector \"a>1\": expected an operator (=, ==, !=, in, notin), \",\" or "
            "the end after \"a\" at position 2");
  EXPECT_EQ(parseError("a=b c"),
            "invalid label selector \"a=b c\": expected \",\" between requirements at position 5");
  EXPECT_EQ(
      parseError("a=-b"),
      "invalid label selector \"a=-b\": invalid label value \"-b\": must be empty or at most 63 "
      "letters, digits, '-', '_' or '.', starting and ending with a letter or digit at position 3");
  EXPECT_EQ(
      parseError("Bad_/x=1"),
      "invalid label selector \"Bad_/x=1\": invalid key prefix \"Bad_\": must be a DNS subdomain "
      "at position 1");
}

}  // namespace
}  // namespace maasprov::model
