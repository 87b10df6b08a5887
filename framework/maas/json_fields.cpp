#include "framework/maas/json_fields.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include "framework/maas/errors.hpp"

namespace maasprov::maas::json {
namespace {

[[noreturn]] void badField(const std::string& what, const std::string& key,
                           const std::string& expected) {
  throw ProtocolError(what + ": field '" + key + "' is not " + expected);
}

Poco::Dynamic::Var parse(const std::string& body, const std::string& what) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(body);
  } catch (const Poco::Exception& e) {
    std::string start = body.substr(0, 80);
    throw ProtocolError(what + ": expected JSON, got '" + start + (body.size() > 80 ? "..." : "") +
                        "' (" + e.message() + ")");
  }
}

// The value of a present, non-null field, or an empty Var.
Poco::Dynamic::Var field(const ObjectPtr& object, const std::string& key) {
  if (!object || !object->has(key)) return {};
  return object->get(key);
}

}  // namespace

ObjectPtr parseObject(const std::string& body, const std::string& what) {
  const auto value = parse(body, what);
  if (value.type() != typeid(ObjectPtr)) throw ProtocolError(what + ": expected a JSON object");
  return value.extract<ObjectPtr>();
}

ArrayPtr parseArray(const std::string& body, const std::string& what) {
  const auto value = parse(body, what);
  if (value.type() != typeid(ArrayPtr)) throw ProtocolError(what + ": expected a JSON array");
  return value.extract<ArrayPtr>();
}

std::vector<ObjectPtr> objects(const ArrayPtr& array, const std::string& what) {
  std::vector<ObjectPtr> out;
  if (!array) return out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto value = array->get(static_cast<unsigned>(i));
    if (value.type() != typeid(ObjectPtr)) {
      throw ProtocolError(what + ": element " + std::to_string(i) + " is not a JSON object");
    }
    out.push_back(value.extract<ObjectPtr>());
  }
  return out;
}

std::string string(const ObjectPtr& object, const std::string& key, const std::string& what) {
  const auto value = field(object, key);
  if (value.isEmpty()) return {};
  if (value.isString() || value.isNumeric() || value.isBoolean())
    return value.convert<std::string>();
  badField(what, key, "a string");
}

std::string requiredString(const ObjectPtr& object, const std::string& key,
                           const std::string& what) {
  std::string value = string(object, key, what);
  if (value.empty()) throw ProtocolError(what + ": required field '" + key + "' is missing");
  return value;
}

std::int64_t integer(const ObjectPtr& object, const std::string& key, const std::string& what,
                     std::int64_t fallback) {
  const auto value = field(object, key);
  if (value.isEmpty()) return fallback;
  try {
    if (value.isInteger()) return value.convert<std::int64_t>();
    if (value.isNumeric()) return static_cast<std::int64_t>(value.convert<double>());
    if (value.isString()) return std::stoll(value.extract<std::string>());
  } catch (const std::exception&) {
  }
  badField(what, key, "an integer");
}

std::int64_t requiredInteger(const ObjectPtr& object, const std::string& key,
                             const std::string& what) {
  if (field(object, key).isEmpty())
    throw ProtocolError(what + ": required field '" + key + "' is missing");
  return integer(object, key, what);
}

double number(const ObjectPtr& object, const std::string& key, const std::string& what,
              double fallback) {
  const auto value = field(object, key);
  if (value.isEmpty()) return fallback;
  try {
    if (value.isNumeric()) return value.convert<double>();
    if (value.isString()) return std::stod(value.extract<std::string>());
  } catch (const std::exception&) {
  }
  badField(what, key, "a number");
}

bool boolean(const ObjectPtr& object, const std::string& key, const std::string& what,
             bool fallback) {
  const auto value = field(object, key);
  if (value.isEmpty()) return fallback;
  if (value.isBoolean()) return value.extract<bool>();
  badField(what, key, "true or false");
}

std::vector<std::string> strings(const ObjectPtr& object, const std::string& key,
                                 const std::string& what) {
  std::vector<std::string> out;
  const auto value = field(object, key);
  if (value.isEmpty()) return out;
  if (value.type() != typeid(ArrayPtr)) badField(what, key, "a list");
  const auto list = value.extract<ArrayPtr>();
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto item = list->get(static_cast<unsigned>(i));
    if (item.isEmpty()) continue;
    if (!item.isString() && !item.isNumeric()) badField(what, key, "a list of strings");
    out.push_back(item.convert<std::string>());
  }
  return out;
}

std::map<std::string, std::string> stringMap(const ObjectPtr& object, const std::string& key,
                                             const std::string& what) {
  std::map<std::string, std::string> out;
  const auto nested = json::object(object, key, what);
  if (!nested) return out;
  for (const auto& [name, value] : *nested) {
    out[name] = value.isEmpty() ? std::string() : value.convert<std::string>();
  }
  return out;
}

ObjectPtr object(const ObjectPtr& object, const std::string& key, const std::string& what) {
  const auto value = field(object, key);
  if (value.isEmpty()) return nullptr;
  if (value.type() != typeid(ObjectPtr)) badField(what, key, "an object");
  return value.extract<ObjectPtr>();
}

ArrayPtr array(const ObjectPtr& object, const std::string& key, const std::string& what) {
  const auto value = field(object, key);
  if (value.isEmpty()) return nullptr;
  if (value.type() != typeid(ArrayPtr)) badField(what, key, "a list");
  return value.extract<ArrayPtr>();
}

}  // namespace maasprov::maas::json
