// A small, strict, self-contained JSON value, parser and serializer for plugins.
//
// Plugins must build with nothing but the SDK, so the SDK carries its own JSON rather than
// depending on Poco or a third-party library. Parsing is strict RFC 8259: valid UTF-8 only (no
// overlong forms, no lone surrogates), no comments, no trailing commas, no duplicate keys, a
// nesting depth limit. Objects keep their members in insertion order.
//
// Ownership: a Value owns its children by value. Thread-safety: a Value is a plain value type;
// concurrent reads are safe, concurrent writes to one Value are not. C++17, header-only.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <locale>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maasprov::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;

enum class Type { Null, Bool, Int, Double, String, Array, Object };

inline const char* typeName(Type t) {
  switch (t) {
    case Type::Null:
      return "null";
    case Type::Bool:
      return "boolean";
    case Type::Int:
      return "integer";
    case Type::Double:
      return "number";
    case Type::String:
      return "string";
    case Type::Array:
      return "array";
    case Type::Object:
      return "object";
  }
  return "unknown";
}

// Thrown when a document is not valid JSON; offset is the byte where parsing stopped.
class ParseError : public std::runtime_error {
 public:
  ParseError(size_t offset, const std::string& what)
      : std::runtime_error("invalid JSON at byte " + std::to_string(offset) + ": " + what),
        offset_(offset) {}
  size_t offset() const { return offset_; }

 private:
  size_t offset_;
};

// Thrown when a value is used as a type it is not (e.g. asString() on a number).
class TypeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ParseOptions {
  size_t maxDepth = 64;                   // nesting of arrays/objects
  size_t maxBytes = 64u * 1024u * 1024u;  // documents larger than this are refused
};

class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::Bool), bool_(b) {}
  Value(int i) : type_(Type::Int), int_(i) {}
  Value(long i) : type_(Type::Int), int_(i) {}
  Value(long long i) : type_(Type::Int), int_(i) {}
  Value(unsigned u) : type_(Type::Int), int_(u) {}
  Value(unsigned long u) : Value(static_cast<unsigned long long>(u)) {}
  Value(unsigned long long u) {
    if (u > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
      type_ = Type::Double;
      double_ = static_cast<double>(u);
    } else {
      type_ = Type::Int;
      int_ = static_cast<int64_t>(u);
    }
  }
  Value(double d) : type_(Type::Double), double_(d) {}
  Value(const char* s) : type_(Type::String), string_(s) {}
  Value(std::string s) : type_(Type::String), string_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::String), string_(s) {}
  Value(Array a) : type_(Type::Array), array_(std::move(a)) {}
  Value(Object o) : type_(Type::Object), object_(std::move(o)) {}

  static Value array() { return Value(Array{}); }
  static Value object() { return Value(Object{}); }

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBool() const { return type_ == Type::Bool; }
  bool isNumber() const { return type_ == Type::Int || type_ == Type::Double; }
  bool isInt() const { return type_ == Type::Int; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }

  bool asBool() const { return expect(Type::Bool), bool_; }
  int64_t asInt() const {
    if (type_ == Type::Int) return int_;
    if (type_ == Type::Double && std::trunc(double_) == double_ && std::abs(double_) < 9.2e18) {
      return static_cast<int64_t>(double_);
    }
    throw TypeError(std::string("expected an integer, got ") + typeName(type_));
  }
  double asDouble() const {
    if (type_ == Type::Int) return static_cast<double>(int_);
    return expect(Type::Double), double_;
  }
  const std::string& asString() const { return expect(Type::String), string_; }
  const Array& asArray() const { return expect(Type::Array), array_; }
  Array& asArray() { return expect(Type::Array), array_; }
  const Object& asObject() const { return expect(Type::Object), object_; }
  Object& asObject() { return expect(Type::Object), object_; }

  // Object member lookup; nullptr when this is not an object or has no such member.
  const Value* find(std::string_view key) const {
    if (type_ != Type::Object) return nullptr;
    for (const auto& m : object_) {
      if (m.first == key) return &m.second;
    }
    return nullptr;
  }
  Value* find(std::string_view key) {
    return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
  }
  // Follows object keys, e.g. findPath({"spec", "lxdConfig", "vmHost"}); nullptr if absent.
  const Value* findPath(std::initializer_list<std::string_view> keys) const {
    const Value* v = this;
    for (auto k : keys) {
      v = v->find(k);
      if (v == nullptr) return nullptr;
    }
    return v;
  }
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  // Typed lookups with a default for absent or null members; a wrong type throws TypeError
  // naming the key, so bad specs produce clear messages.
  std::string getString(std::string_view key, std::string fallback = {}) const {
    const Value* v = find(key);
    if (v == nullptr || v->isNull()) return fallback;
    if (!v->isString()) throw memberTypeError(key, Type::String, v->type());
    return v->string_;
  }
  int64_t getInt(std::string_view key, int64_t fallback = 0) const {
    const Value* v = find(key);
    if (v == nullptr || v->isNull()) return fallback;
    try {
      return v->asInt();
    } catch (const TypeError&) {
      throw memberTypeError(key, Type::Int, v->type());
    }
  }
  bool getBool(std::string_view key, bool fallback = false) const {
    const Value* v = find(key);
    if (v == nullptr || v->isNull()) return fallback;
    if (!v->isBool()) throw memberTypeError(key, Type::Bool, v->type());
    return v->bool_;
  }

  // Object member access that inserts null when absent; turns a null value into an object.
  Value& operator[](std::string_view key) {
    if (type_ == Type::Null) type_ = Type::Object;
    expect(Type::Object);
    if (Value* v = find(key)) return *v;
    object_.emplace_back(std::string(key), Value());
    return object_.back().second;
  }
  // Sets a member, replacing an existing one in place.
  void set(std::string_view key, Value v) { (*this)[key] = std::move(v); }
  bool erase(std::string_view key) {
    if (type_ != Type::Object) return false;
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (it->first == key) {
        object_.erase(it);
        return true;
      }
    }
    return false;
  }
  void push_back(Value v) {
    if (type_ == Type::Null) type_ = Type::Array;
    expect(Type::Array);
    array_.push_back(std::move(v));
  }
  size_t size() const {
    if (type_ == Type::Array) return array_.size();
    if (type_ == Type::Object) return object_.size();
    return 0;
  }

  friend bool operator==(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
      if (a.type_ == Type::Int && b.type_ == Type::Int) return a.int_ == b.int_;
      return a.asDouble() == b.asDouble();
    }
    if (a.type_ != b.type_) return false;
    switch (a.type_) {
      case Type::Null:
        return true;
      case Type::Bool:
        return a.bool_ == b.bool_;
      case Type::String:
        return a.string_ == b.string_;
      case Type::Array:
        return a.array_ == b.array_;
      case Type::Object: {
        if (a.object_.size() != b.object_.size()) return false;
        for (const auto& m : a.object_) {  // member order does not matter for equality
          const Value* other = b.find(m.first);
          if (other == nullptr || !(*other == m.second)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  // Compact serialization. Non-finite doubles become null (JSON has no NaN/Infinity).
  std::string dump() const {
    std::string out;
    dumpTo(out);
    return out;
  }
  void dumpTo(std::string& out) const;

  static Value parse(std::string_view text, const ParseOptions& options = {});

 private:
  void expect(Type t) const {
    if (type_ != t) {
      throw TypeError(std::string("expected ") + typeName(t) + ", got " + typeName(type_));
    }
  }
  static TypeError memberTypeError(std::string_view key, Type want, Type got) {
    return TypeError("\"" + std::string(key) + "\": expected " + typeName(want) + ", got " +
                     typeName(got));
  }

  Type type_ = Type::Null;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  Array array_;
  Object object_;
};

namespace detail {

inline void escapeString(std::string_view s, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace detail

}  // namespace maasprov::json

#include "maasprov/json_parser.hpp"  // IWYU pragma: export

namespace maasprov::json {

inline void Value::dumpTo(std::string& out) const {
  switch (type_) {
    case Type::Null:
      out += "null";
      break;
    case Type::Bool:
      out += bool_ ? "true" : "false";
      break;
    case Type::Int:
      out += std::to_string(int_);
      break;
    case Type::Double: {
      if (!std::isfinite(double_)) {
        out += "null";
        break;
      }
      std::ostringstream s;
      s.imbue(std::locale::classic());
      s.precision(17);
      s << double_;
      out += s.str();
      break;
    }
    case Type::String:
      detail::escapeString(string_, out);
      break;
    case Type::Array: {
      out.push_back('[');
      for (size_t i = 0; i < array_.size(); ++i) {
        if (i != 0) out.push_back(',');
        array_[i].dumpTo(out);
      }
      out.push_back(']');
      break;
    }
    case Type::Object: {
      out.push_back('{');
      for (size_t i = 0; i < object_.size(); ++i) {
        if (i != 0) out.push_back(',');
        detail::escapeString(object_[i].first, out);
        out.push_back(':');
        object_[i].second.dumpTo(out);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace maasprov::json
