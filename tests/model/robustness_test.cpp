// Hostile or damaged input: whatever the bytes, decoding either yields objects or throws
// DecodeError, and validation and encoding of what decodes never throw. Seeded, so a failure
// reproduces.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/encode.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::model {
namespace {

std::string exampleText() {
  std::ifstream in(std::filesystem::path(MAASPROV_SOURCE_DIR) / "examples" / "cluster.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Decodes, and for what decodes, defaults, validates and re-encodes. Returns false when
// something other than a DecodeError escaped.
bool survives(const std::string& text, std::string& what) {
  try {
    auto objects = decodeDocuments(text, "fuzz.yaml");
    for (auto& object : objects) {
      applyDefaults(object);
      validate(object);
      if (decodeDocument(toYamlText(object)) != object) {
        what = "round trip changed the object";
        return false;
      }
    }
    return true;
  } catch (const DecodeError&) {
    return true;
  } catch (const std::exception& e) {
    what = e.what();
    return false;
  }
}

TEST(Robustness, EveryPrefixOfAnExampleDecodesOrFailsCleanly) {
  const std::string text = exampleText();
  ASSERT_FALSE(text.empty());
  for (std::size_t length = 0; length <= text.size(); length += 7) {
    std::string what;
    ASSERT_TRUE(survives(text.substr(0, length), what)) << "prefix " << length << ": " << what;
  }
}

TEST(Robustness, RandomByteDamageDecodesOrFailsCleanly) {
  const std::string text = exampleText();
  std::mt19937 random(20240501);
  const std::string alphabet = "{}[]:,-'\"&*!|>#%@` \n\t0123456789aZ~.\\\xff\xc3";
  for (int round = 0; round < 1500; ++round) {
    std::string damaged = text;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < edits; ++i) {
      damaged[random() % damaged.size()] = alphabet[random() % alphabet.size()];
    }
    std::string what;
    ASSERT_TRUE(survives(damaged, what)) << "round " << round << ": " << what;
  }
}

TEST(Robustness, JsonFormDamageDecodesOrFailsCleanly) {
  std::vector<Object> objects = decodeDocuments(exampleText());
  std::mt19937 random(7);
  for (const auto& object : objects) {
    const std::string json = toJsonText(object, 0);
    for (int round = 0; round < 200; ++round) {
      std::string damaged = json;
      damaged[random() % damaged.size()] = "{}[]:,\"0a\\ -"[random() % 12];
      std::string what;
      ASSERT_TRUE(survives(damaged, what)) << damaged << ": " << what;
    }
  }
}

}  // namespace
}  // namespace maasprov::model
