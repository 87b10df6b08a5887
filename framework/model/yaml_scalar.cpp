#include "framework/model/yaml_scalar.hpp"

#include <Poco/RegularExpression.h>

#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>

#include "framework/model/field_error.hpp"

namespace maasprov::model {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

bool isNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> asBool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// Integers (decimal, 0o octal, 0x hex); too large for 64 bits becomes a floating number, as
// JSON parsers do.
std::optional<Poco::Dynamic::Var> asNumber(const std::string& s) {
  static const Poco::RegularExpression kInt(R"([-+]?[0-9]+)");
  static const Poco::RegularExpression kOctHex(R"((?:0o[0-7]+|0x[0-9a-fA-F]+))");
  static const Poco::RegularExpression kFloat(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (s.size() > 64) return std::nullopt;  // bounded input keeps matching cheap
  if (kInt.match(s)) {
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), value);
    if (ec == std::errc()) return Poco::Dynamic::Var(value);
    return Poco::Dynamic::Var(std::strtod(s.c_str(), nullptr));
  }
  if (kOctHex.match(s)) {
    std::int64_t value = 0;
    const auto [end, ec] =
        std::from_chars(s.data() + 2, s.data() + s.size(), value, s[1] == 'o' ? 8 : 16);
    if (ec == std::errc()) return Poco::Dynamic::Var(value);
    return Poco::Dynamic::Var(std::numeric_limits<double>::infinity());
  }
  if (kFloat.match(s)) return Poco::Dynamic::Var(std::strtod(s.c_str(), nullptr));
  static const std::set<std::string> kSpecial{".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF",
                                              "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
  if (kSpecial.count(s) != 0) {
    if (s.find("nan") != std::string::npos || s.find("NaN") != std::string::npos ||
        s.find("NAN") != std::string::npos) {
      return Poco::Dynamic::Var(std::numeric_limits<double>::quiet_NaN());
    }
    return Poco::Dynamic::Var(s[0] == '-' ? -std::numeric_limits<double>::infinity()
                                          : std::numeric_limits<double>::infinity());
  }
  return std::nullopt;
}

}  // namespace

Poco::Dynamic::Var resolvePlain(const std::string& s) {
  if (isNull(s)) return {};
  if (auto b = asBool(s)) return Poco::Dynamic::Var(*b);
  if (auto n = asNumber(s)) return *n;
  return Poco::Dynamic::Var(s);
}

Poco::Dynamic::Var resolveScalar(const std::string& tag, const std::string& text,
                                 const std::string& path) {
  if (tag == "!") return Poco::Dynamic::Var(text);
  if (tag.empty() || tag == "?") return resolvePlain(text);
  if (tag.rfind(kTagPrefix, 0) != 0) {
    throw DecodeError(path, "unsupported YAML tag \"" + tag + "\"");
  }
  const std::string name = tag.substr(kTagPrefix.size());
  if (name == "str") return Poco::Dynamic::Var(text);
  if (name == "null" && isNull(text)) return {};
  if (name == "bool") {
    if (auto b = asBool(text)) return Poco::Dynamic::Var(*b);
  }
  if (name == "int" || name == "float") {
    if (auto n = asNumber(text)) {
      if (name == "float" || n->isInteger()) return *n;
    }
  }
  throw DecodeError(path, "value \"" + text + "\" does not match its tag !!" + name);
}

}  // namespace maasprov::model
