#include "framework/model/json_text.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <cstdint>
#include <sstream>

#include "maasprov/json.hpp"

namespace maasprov::model {
namespace {

// Converts an SDK JSON value into the Poco value Poco's parser would have made of the same text;
// false when that is not certain, so the caller falls back to Poco's parser.
bool toPoco(const json::Value& v, Poco::Dynamic::Var& out) {
  switch (v.type()) {
    case json::Type::Null:
      out.empty();
      return true;
    case json::Type::Bool:
      out = v.asBool();
      return true;
    case json::Type::Int:
      // Poco 1.11 reads negative integers through a double: exact only down to -2^53.
      if (v.asInt() < -(std::int64_t{1} << 53)) return false;
      out = static_cast<Poco::Int64>(v.asInt());
      return true;
    case json::Type::Double:
      return false;  // Poco keeps some integral texts (beyond int64) as UInt64
    case json::Type::String:
      if (v.asString().find('\0') != std::string::npos) return false;
      out = v.asString();
      return true;
    case json::Type::Array: {
      auto array = Poco::makeShared<Poco::JSON::Array>();
      for (const auto& item : v.asArray()) {
        Poco::Dynamic::Var x;
        if (!toPoco(item, x)) return false;
        array->add(x);
      }
      out = array;
      return true;
    }
    case json::Type::Object: {
      auto object = Poco::makeShared<Poco::JSON::Object>();
      for (const auto& [key, member] : v.asObject()) {
        Poco::Dynamic::Var x;
        if (!toPoco(member, x)) return false;
        object->set(key, x);
      }
      out = object;
      return true;
    }
  }
  return false;
}

bool printValue(const Poco::Dynamic::Var& v, std::string& out);

bool printObjectTo(const Poco::JSON::Object& object, std::string& out) {
  out.push_back('{');
  bool first = true;
  // In the order Poco prints: insertion order for objects that keep it, else by name.
  for (const std::string& name : object.getNames()) {
    if (!first) out.push_back(',');
    first = false;
    json::detail::escapeString(name, out);
    out.push_back(':');
    if (!printValue(object.get(name), out)) return false;
  }
  out.push_back('}');
  return true;
}

bool printValue(const Poco::Dynamic::Var& v, std::string& out) {
  if (v.isEmpty()) {
    out += "null";
    return true;
  }
  const std::type_info& type = v.type();
  if (type == typeid(Poco::JSON::Object::Ptr)) {
    const auto& object = v.extract<Poco::JSON::Object::Ptr>();
    if (!object) return false;
    return printObjectTo(*object, out);
  }
  if (type == typeid(Poco::JSON::Array::Ptr)) {
    const auto& array = v.extract<Poco::JSON::Array::Ptr>();
    if (!array) return false;
    out.push_back('[');
    bool first = true;
    for (const Poco::Dynamic::Var& item : *array) {  // by reference: get(i) copies each one
      if (!first) out.push_back(',');
      first = false;
      if (!printValue(item, out)) return false;
    }
    out.push_back(']');
    return true;
  }
  if (type == typeid(std::string)) {
    json::detail::escapeString(v.extract<std::string>(), out);
    return true;
  }
  if (type == typeid(bool)) {
    out += v.extract<bool>() ? "true" : "false";
    return true;
  }
  char digits[24];
  std::to_chars_result printed{};
  if (type == typeid(Poco::Int64) || type == typeid(Poco::Int32) || type == typeid(Poco::Int16) ||
      type == typeid(long long)) {
    printed = std::to_chars(digits, digits + sizeof digits, v.convert<Poco::Int64>());
  } else if (type == typeid(Poco::UInt64) || type == typeid(Poco::UInt32) ||
             type == typeid(Poco::UInt16) || type == typeid(unsigned long long)) {
    printed = std::to_chars(digits, digits + sizeof digits, v.convert<Poco::UInt64>());
  } else {
    return false;  // doubles (Poco prints them its own way), chars, anything else
  }
  out.append(digits, printed.ptr);
  return true;
}

}  // namespace

std::string printObject(const Poco::JSON::Object& object) {
  std::string out;
  out.reserve(1024);
  if (printObjectTo(object, out)) return out;
  std::ostringstream poco;
  object.stringify(poco);
  return poco.str();
}

Poco::JSON::Object::Ptr readObject(const std::string& text) {
  try {
    const json::Value value = json::parse(text);
    if (!value.isObject()) return nullptr;
    Poco::Dynamic::Var converted;
    if (toPoco(value, converted)) return converted.extract<Poco::JSON::Object::Ptr>();
  } catch (const json::ParseError&) {
  }
  Poco::JSON::Parser parser;
  const Poco::Dynamic::Var parsed = parser.parse(text);
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
  return parsed.extract<Poco::JSON::Object::Ptr>();
}

}  // namespace maasprov::model
