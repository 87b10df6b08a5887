#include "framework/model/yaml_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <regex>
#include <set>
#include <string>

#include "framework/model/field_error.hpp"
#include "framework/model/json_fields.hpp"

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
  static const std::regex kInt(R"([-+]?[0-9]+)");
  static const std::regex kOctHex(R"(0o[0-7]+|0x[0-9a-fA-F]+)");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (s.size() > 64) return std::nullopt;  // bounded input keeps std::regex cheap
  if (std::regex_match(s, kInt)) {
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), value);
    if (ec == std::errc()) return Poco::Dynamic::Var(value);
    return Poco::Dynamic::Var(std::strtod(s.c_str(), nullptr));
  }
  if (std::regex_match(s, kOctHex)) {
    std::int64_t value = 0;
    const auto [end, ec] =
        std::from_chars(s.data() + 2, s.data() + s.size(), value, s[1] == 'o' ? 8 : 16);
    if (ec == std::errc()) return Poco::Dynamic::Var(value);
    return Poco::Dynamic::Var(std::numeric_limits<double>::infinity());
  }
  if (std::regex_match(s, kFloat)) return Poco::Dynamic::Var(std::strtod(s.c_str(), nullptr));
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

// The value a plain (unquoted, untagged) scalar stands for.
Poco::Dynamic::Var resolvePlain(const std::string& s) {
  if (isNull(s)) return {};
  if (auto b = asBool(s)) return Poco::Dynamic::Var(*b);
  if (auto n = asNumber(s)) return *n;
  return Poco::Dynamic::Var(s);
}

class Converter {
 public:
  Poco::Dynamic::Var convert(const YAML::Node& node, const std::string& path) {
    if (++count_ > kMaxValuesPerDocument) {
      throw DecodeError(
          "", "document too large: more than " + std::to_string(kMaxValuesPerDocument) + " values");
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return {};
      case YAML::NodeType::Scalar:
        return scalar(node, path);
      case YAML::NodeType::Sequence: {
        auto list = Poco::makeShared<Poco::JSON::Array>();
        std::size_t i = 0;
        for (const auto& item : node) list->add(convert(item, indexPath(path, i++)));
        return list;
      }
      case YAML::NodeType::Map: {
        auto object = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) throw DecodeError(path, "mapping keys must be strings");
          const std::string key = entry.first.Scalar();
          const std::string keyPath = childPath(path, key);
          if (object->has(key)) throw DecodeError(keyPath, "duplicate key");
          object->set(key, convert(entry.second, keyPath));
        }
        return object;
      }
    }
    return {};
  }

 private:
  static Poco::Dynamic::Var scalar(const YAML::Node& node, const std::string& path) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!") return Poco::Dynamic::Var(text);  // quoted or block scalar
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

  std::size_t count_ = 0;
};

void emit(YAML::Emitter& out, const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) {
    out << YAML::Null;
  } else if (value.type() == typeid(Poco::JSON::Object::Ptr) ||
             value.type() == typeid(Poco::JSON::Object)) {
    const auto object = asObject(value, "");
    const auto names = object->getNames();
    if (names.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& name : names) {
      out << YAML::Key;
      emit(out, Poco::Dynamic::Var(name));
      out << YAML::Value;
      emit(out, object->get(name));
    }
    out << YAML::EndMap;
  } else if (value.type() == typeid(Poco::JSON::Array::Ptr) ||
             value.type() == typeid(Poco::JSON::Array)) {
    const auto list = asArray(value, "");
    if (list->size() == 0) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (std::size_t i = 0; i < list->size(); ++i) emit(out, list->get(static_cast<unsigned>(i)));
    out << YAML::EndSeq;
  } else if (value.isBoolean()) {
    out << value.extract<bool>();
  } else if (value.isInteger()) {
    out << value.convert<std::int64_t>();
  } else if (value.isNumeric()) {
    out << value.convert<double>();
  } else {
    const std::string text = value.convert<std::string>();
    // Quote whatever would not read back as this very string: "", "2", "true", "null", and
    // anything with line breaks or surrounding blanks.
    const bool plainIsString = resolvePlain(text).isString();
    const bool awkward = text.find_first_of("\n\r\t") != std::string::npos ||
                         (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!plainIsString || awkward) out << YAML::DoubleQuoted;
    out << text;
  }
}

}  // namespace

std::vector<Poco::Dynamic::Var> parseYamlDocuments(std::string_view text, std::string_view source) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion&) {
    // yaml-cpp's own message for this is "bad file".
    throw DecodeError("", "invalid YAML: nested too deeply").locatedIn(source, 0, 1);
  } catch (const YAML::Exception& e) {
    const std::string where = e.mark.is_null()
                                  ? std::string()
                                  : " at line " + std::to_string(e.mark.line + 1) + ", column " +
                                        std::to_string(e.mark.column + 1);
    throw DecodeError("", "invalid YAML" + where + ": " + e.msg).locatedIn(source, 0, 1);
  }
  std::vector<Poco::Dynamic::Var> documents;
  documents.reserve(nodes.size());
  const auto real = static_cast<std::size_t>(
      std::count_if(nodes.begin(), nodes.end(), [](const YAML::Node& n) { return !n.IsNull(); }));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    try {
      documents.push_back(Converter().convert(nodes[i], ""));
    } catch (const DecodeError& e) {
      throw e.locatedIn(source, static_cast<int>(i + 1), real);
    } catch (const YAML::Exception& e) {
      throw DecodeError("", "invalid YAML: " + e.msg)
          .locatedIn(source, static_cast<int>(i + 1), real);
    }
  }
  return documents;
}

std::string emitYaml(const Poco::Dynamic::Var& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace maasprov::model
