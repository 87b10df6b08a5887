// JsonFields: reads the fields of one JSON object with type checks, for the decoders.
// Every error is a DecodeError naming the full field path: unknown keys (`spec.foo: unknown
// field`) are rejected on construction; a value of the wrong type gives
// `spec.minCPU: expected integer, got string`. JSON null counts as absent.
//
// Internal to the model layer. Ownership: holds a reference-counted pointer to the object it
// reads. Thread-safety: none; use one instance from one thread.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maasprov::model {

// "string", "integer", "number", "boolean", "object", "list" or "null".
std::string jsonTypeName(const Poco::Dynamic::Var& value);

// Throws DecodeError(path, "expected <expected>, got <type>").
[[noreturn]] void throwWrongType(const std::string& path, std::string_view expected,
                                 const Poco::Dynamic::Var& value);

// The value as an object or list (held by pointer or by value); throws DecodeError for any
// other type.
Poco::JSON::Object::Ptr asObject(const Poco::Dynamic::Var& value, const std::string& path);
Poco::JSON::Array::Ptr asArray(const Poco::Dynamic::Var& value, const std::string& path);

class JsonFields {
 public:
  // Throws DecodeError for the first key (in document order) not in `allowed`.
  JsonFields(Poco::JSON::Object::Ptr object, std::string path,
             std::initializer_list<std::string_view> allowed);

  const std::string& path() const { return path_; }
  std::string pathOf(std::string_view key) const;

  bool has(const std::string& key) const;
  std::optional<std::string> string(const std::string& key) const;
  // A string, or an integer turned into its decimal text (quantities may be written either way).
  std::optional<std::string> stringOrInteger(const std::string& key) const;
  std::optional<std::int64_t> integer(const std::string& key) const;
  std::optional<bool> boolean(const std::string& key) const;
  std::optional<std::vector<std::string>> strings(const std::string& key) const;
  std::optional<std::map<std::string, std::string>> stringMap(const std::string& key) const;
  Poco::JSON::Object::Ptr object(const std::string& key) const;  // null when absent
  Poco::JSON::Array::Ptr array(const std::string& key) const;    // null when absent

 private:
  std::optional<Poco::Dynamic::Var> find(const std::string& key) const;

  Poco::JSON::Object::Ptr object_;
  std::string path_;
};

}  // namespace maasprov::model
