#include "framework/model/json_fields.hpp"

#include <Poco/Exception.h>
#include <Poco/UTF8Encoding.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "framework/model/field_error.hpp"

namespace maasprov::model {
namespace {

bool isValidUtf8(const std::string& text) {
  Poco::UTF8Encoding utf8;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    const int length = utf8.sequenceLength(bytes + i, static_cast<int>(text.size() - i));
    if (length <= 0 || i + static_cast<std::size_t>(length) > text.size() ||
        !Poco::UTF8Encoding::isLegal(bytes + i, length) ||
        utf8.queryConvert(bytes + i, length) < 0) {
      return false;
    }
    i += static_cast<std::size_t>(length);
  }
  return true;
}

std::string checkedString(const Poco::Dynamic::Var& value, const std::string& path) {
  if (!value.isString()) throwWrongType(path, "string", value);
  std::string text = value.extract<std::string>();
  if (!isValidUtf8(text)) throw DecodeError(path, "invalid UTF-8");
  return text;
}

}  // namespace

std::string jsonTypeName(const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) return "null";
  if (value.type() == typeid(Poco::JSON::Object::Ptr) ||
      value.type() == typeid(Poco::JSON::Object)) {
    return "object";
  }
  if (value.type() == typeid(Poco::JSON::Array::Ptr) || value.type() == typeid(Poco::JSON::Array)) {
    return "list";
  }
  if (value.isBoolean()) return "boolean";
  if (value.isInteger()) return "integer";
  if (value.isNumeric()) return "number";
  if (value.isString()) return "string";
  return "unsupported value";
}

void throwWrongType(const std::string& path, std::string_view expected,
                    const Poco::Dynamic::Var& value) {
  throw DecodeError(path, "expected " + std::string(expected) + ", got " + jsonTypeName(value));
}

Poco::JSON::Object::Ptr asObject(const Poco::Dynamic::Var& value, const std::string& path) {
  if (value.type() == typeid(Poco::JSON::Object)) {
    return Poco::makeShared<Poco::JSON::Object>(value.extract<Poco::JSON::Object>());
  }
  if (value.type() != typeid(Poco::JSON::Object::Ptr)) throwWrongType(path, "object", value);
  auto object = value.extract<Poco::JSON::Object::Ptr>();
  if (object.isNull()) throwWrongType(path, "object", Poco::Dynamic::Var());
  return object;
}

Poco::JSON::Array::Ptr asArray(const Poco::Dynamic::Var& value, const std::string& path) {
  if (value.type() == typeid(Poco::JSON::Array)) {
    return Poco::makeShared<Poco::JSON::Array>(value.extract<Poco::JSON::Array>());
  }
  if (value.type() != typeid(Poco::JSON::Array::Ptr)) throwWrongType(path, "list", value);
  auto list = value.extract<Poco::JSON::Array::Ptr>();
  if (list.isNull()) throwWrongType(path, "list", Poco::Dynamic::Var());
  return list;
}

JsonFields::JsonFields(Poco::JSON::Object::Ptr object, std::string path,
                       std::initializer_list<std::string_view> allowed)
    : object_(std::move(object)), path_(std::move(path)) {
  for (const auto& key : object_->getNames()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      throw DecodeError(pathOf(key), "unknown field");
    }
  }
}

std::string JsonFields::pathOf(std::string_view key) const {
  return childPath(path_, key);
}

std::optional<Poco::Dynamic::Var> JsonFields::find(const std::string& key) const {
  if (!object_->has(key)) return std::nullopt;
  Poco::Dynamic::Var value = object_->get(key);
  if (value.isEmpty()) return std::nullopt;
  return value;
}

bool JsonFields::has(const std::string& key) const {
  return find(key).has_value();
}

std::optional<std::string> JsonFields::string(const std::string& key) const {
  const auto value = find(key);
  if (!value) return std::nullopt;
  return checkedString(*value, pathOf(key));
}

std::optional<std::string> JsonFields::stringOrInteger(const std::string& key) const {
  const auto value = find(key);
  if (!value) return std::nullopt;
  if (value->isInteger() && !value->isBoolean()) return value->convert<std::string>();
  if (!value->isString()) throwWrongType(pathOf(key), "string or integer", *value);
  return checkedString(*value, pathOf(key));
}

std::optional<std::int64_t> JsonFields::integer(const std::string& key) const {
  const auto value = find(key);
  if (!value) return std::nullopt;
  if (!value->isInteger() || value->isBoolean()) throwWrongType(pathOf(key), "integer", *value);
  if (value->type() == typeid(std::uint64_t) &&
      value->extract<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw DecodeError(pathOf(key), "integer out of range");
  }
  return value->convert<std::int64_t>();
}

std::optional<bool> JsonFields::boolean(const std::string& key) const {
  const auto value = find(key);
  if (!value) return std::nullopt;
  if (!value->isBoolean()) throwWrongType(pathOf(key), "boolean", *value);
  return value->extract<bool>();
}

std::optional<std::vector<std::string>> JsonFields::strings(const std::string& key) const {
  const auto list = array(key);
  if (list.isNull()) return std::nullopt;
  std::vector<std::string> result;
  result.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    result.push_back(checkedString(list->get(static_cast<unsigned>(i)), indexPath(pathOf(key), i)));
  }
  return result;
}

std::optional<std::map<std::string, std::string>> JsonFields::stringMap(
    const std::string& key) const {
  const auto map = object(key);
  if (map.isNull()) return std::nullopt;
  std::map<std::string, std::string> result;
  for (const auto& [name, value] : *map) {
    const std::string path = keyPath(pathOf(key), name);
    if (!isValidUtf8(name)) throw DecodeError(pathOf(key), "invalid UTF-8 in a key");
    result.emplace(name, checkedString(value, path));
  }
  return result;
}

Poco::JSON::Object::Ptr JsonFields::object(const std::string& key) const {
  const auto value = find(key);
  if (!value) return {};
  return asObject(*value, pathOf(key));
}

Poco::JSON::Array::Ptr JsonFields::array(const std::string& key) const {
  const auto value = find(key);
  if (!value) return {};
  return asArray(*value, pathOf(key));
}

}  // namespace maasprov::model
