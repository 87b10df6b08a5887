// The backend-independent rules used directly: the cheap equality behind no-op detection agrees
// with comparing canonical texts, and the rules leave a stored object they only borrow untouched.
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using Var = Poco::Dynamic::Var;

Var json(const std::string& text) {
  return rules::parse(R"({"v":)" + text + "}")->get("v");
}

// An object keeping its keys in insertion order, as a client may build one.
Var ordered(std::vector<std::pair<std::string, Var>> fields) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (auto& [key, value] : fields) object->set(key, value);
  return object;
}

TEST(ObjectRules, EquivalentAgreesWithCanonicalText) {
  Poco::JSON::Array::Ptr ints = new Poco::JSON::Array;
  ints->add(1);
  ints->add(Poco::Int64{2});
  const std::vector<std::pair<Var, Var>> pairs = {
      {json(R"({"a":1,"b":{"c":[1,2,{"d":"x"}]}})"), json(R"({"b":{"c":[1,2,{"d":"x"}]},"a":1})")},
      {json(R"({"a":1,"b":2})"), ordered({{"b", 2}, {"a", 1}})},
      {json(R"({"a":1,"b":2})"), ordered({{"b", 2}, {"a", 2}})},
      {json(R"({"a":1})"), json(R"({"a":1,"b":null})")},
      {json(R"({"a":null})"), json(R"({"a":null})")},
      {json(R"({"a":null})"), json(R"({"a":"null"})")},
      {json("[1,2]"), Var(ints)},
      {json("[1,2]"), json("[2,1]")},
      {json("[1,2]"), json("[1,2,3]")},
      {json("[]"), json("{}")},
      {json("1"), Var(1)},
      {json("1"), Var(Poco::UInt64{1})},
      {json("1"), json(R"("1")")},
      {json("1"), json("1.0")},
      {json("1.5"), json("1.5")},
      {json("1.5"), Var(1.5)},
      {json("true"), Var(true)},
      {json("true"), json("1")},
      {json("false"), json("true")},
      {json(R"("a\"b\u00e9")"), Var(std::string("a\"b\xc3\xa9"))},
      {json(R"("x")"), json(R"("y")")},
      {Var(), Var()},
      {Var(), json("{}")},
  };
  // Poco parses no bare scalar: each value is compared as the one item of an array.
  auto text = [](const Var& value) {
    Poco::JSON::Array::Ptr carrier = new Poco::JSON::Array;
    carrier->add(value);
    return rules::canonical(carrier);
  };
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [a, b] = pairs[i];
    const bool expected = text(a) == text(b);
    EXPECT_EQ(rules::equivalent(a, b), expected) << i << ": " << text(a) << " vs " << text(b);
    EXPECT_EQ(rules::equivalent(b, a), expected) << i << ": " << text(b) << " vs " << text(a);
  }
}

Document storedMachine() {
  auto stored = rules::prepareCreate(
      testing::machine("default", "m1",
                       R"("spec":{"size":1},"metadata":{"name":"m1","finalizers":["f"]})"),
      1);
  stored->set("status", rules::parse(R"({"phase":"Ready","replicas":3})"));
  return stored;
}

TEST(ObjectRules, DeepCopyIsEqualAndSharesNothing) {
  auto original = rules::parse(
      R"({"a": {"b": [1, {"c": "x"}, [true, null]], "d": 2.5}, "e": "s", "f": [], "g": {}})");
  // Containers held by value, and an object keeping insertion order, as code may build them.
  Poco::JSON::Object byValue;
  byValue.set("h", 1);
  original->set("byValue", byValue);
  original->set("ordered", ordered({{"z", 1}, {"a", json(R"({"k": [1]})")}}));
  const auto before = rules::canonical(original);

  auto copy = rules::deepCopy(original);
  EXPECT_EQ(rules::canonical(copy), before);
  EXPECT_EQ(rules::serialize(copy), rules::serialize(original)) << "same text, same key order";

  copy->getObject("a")->getArray("b")->getObject(1)->set("c", "changed");
  copy->getObject("a")->getArray("b")->getArray(2)->add(3);
  copy->getObject("ordered")->getObject("a")->getArray("k")->add(2);
  copy->getObject("byValue")->set("h", 2);
  copy->getArray("f")->add(1);
  copy->getObject("g")->set("new", true);
  copy->set("e", "changed");
  EXPECT_EQ(rules::canonical(original), before) << "the copy shares no container";
  EXPECT_EQ(rules::deepCopy(nullptr), nullptr);
}

TEST(ObjectRules, BorrowedStoredObjectIsLeftAsItWas) {
  const auto stored = storedMachine();
  const auto before = rules::canonical(stored);

  auto edit = rules::deepCopy(stored);
  edit->set("spec", rules::parse(R"({"size":2})"));
  auto plan = rules::planUpdate(stored, edit, 2);
  ASSERT_TRUE(plan.changed);
  plan.object->getObject("status")->set("phase", "changed by the caller");

  edit->set("status", rules::parse(R"({"phase":"Deploying"})"));
  plan = rules::planStatusUpdate(stored, edit, 2);
  ASSERT_TRUE(plan.changed);
  plan.object->getObject("metadata")->set("name", "changed by the caller");

  plan = rules::planStatusUpdate(stored, stored, 2);
  ASSERT_FALSE(plan.changed);
  plan.object->getObject("status")->set("phase", "changed by the caller");

  plan = rules::planRemove(stored, 2);
  ASSERT_TRUE(plan.changed);
  plan.object->getObject("metadata")->set("name", "changed by the caller");

  EXPECT_EQ(rules::canonical(stored), before);
}

TEST(ObjectRules, TakenStoredObjectGivesTheSamePlanAsABorrowedOne) {
  const auto stored = storedMachine();
  auto spec = rules::deepCopy(stored);
  spec->set("spec", rules::parse(R"({"size":2})"));
  auto status = rules::deepCopy(stored);
  status->set("status", rules::parse(R"({"phase":"Deploying","replicas":3})"));
  auto same = rules::deepCopy(stored);
  same->getObject("status")->set("replicas", 3);  // an int where the stored one is Int64

  auto check = [&](const rules::WritePlan& borrowed, const rules::WritePlan& taken) {
    EXPECT_EQ(borrowed.changed, taken.changed);
    EXPECT_EQ(borrowed.deleteNow, taken.deleteNow);
    auto strip = [](const Document& object) {  // deletionTimestamp is "now"
      auto copy = rules::deepCopy(object);
      copy->getObject("metadata")->remove("deletionTimestamp");
      return rules::canonical(copy);
    };
    EXPECT_EQ(strip(borrowed.object), strip(taken.object));
  };
  for (const auto& incoming : {spec, status, same}) {
    check(rules::planUpdate(stored, incoming, 2),
          rules::planUpdate(rules::deepCopy(stored), incoming, 2));
    check(rules::planStatusUpdate(stored, incoming, 2),
          rules::planStatusUpdate(rules::deepCopy(stored), incoming, 2));
  }
  check(rules::planRemove(stored, 2), rules::planRemove(rules::deepCopy(stored), 2));
  EXPECT_FALSE(rules::planStatusUpdate(rules::deepCopy(stored), same, 2).changed)
      << "the same status built from C++ ints is no change";
  EXPECT_EQ(rules::planUpdate(rules::deepCopy(stored), spec, 2)
                .object->getObject("metadata")
                ->getValue<Poco::Int64>("generation"),
            2);
}

}  // namespace
}  // namespace maasprov::store
