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
#include <charconv>
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
#include <variant>
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
  Value(bool b) : v_(std::in_place_type<bool>, b) {}
  Value(int i) : v_(std::in_place_type<int64_t>, i) {}
  Value(long i) : v_(std::in_place_type<int64_t>, i) {}
  Value(long long i) : v_(std::in_place_type<int64_t>, i) {}
  Value(unsigned u) : v_(std::in_place_type<int64_t>, u) {}
  Value(unsigned long u) : Value(static_cast<unsigned long long>(u)) {}
  Value(unsigned long long u) {
    if (u > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
      v_.emplace<double>(static_cast<double>(u));
    } else {
      v_.emplace<int64_t>(static_cast<int64_t>(u));
    }
  }
  Value(double d) : v_(std::in_place_type<double>, d) {}
  Value(const char* s) : v_(std::in_place_type<std::string>, s) {}
  Value(std::string s) : v_(std::in_place_type<std::string>, std::move(s)) {}
  Value(std::string_view s) : v_(std::in_place_type<std::string>, s) {}
  Value(Array a) : v_(std::in_place_type<Array>, std::move(a)) {}
  Value(Object o) : v_(std::in_place_type<Object>, std::move(o)) {}

  static Value array() { return Value(Array{}); }
  static Value object() { return Value(Object{}); }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool isNull() const { return type() == Type::Null; }
  bool isBool() const { return type() == Type::Bool; }
  bool isNumber() const { return type() == Type::Int || type() == Type::Double; }
  bool isInt() const { return type() == Type::Int; }
  bool isString() const { return type() == Type::String; }
  bool isArray() const { return type() == Type::Array; }
  bool isObject() const { return type() == Type::Object; }

  bool asBool() const { return expect(Type::Bool), *std::get_if<bool>(&v_); }
  int64_t asInt() const {
    if (const auto* i = std::get_if<int64_t>(&v_)) return *i;
    if (const auto* d = std::get_if<double>(&v_)) {
      if (std::trunc(*d) == *d && std::abs(*d) < 9.2e18) return static_cast<int64_t>(*d);
    }
    throw TypeError(std::string("expected an integer, got ") + typeName(type()));
  }
  double asDouble() const {
    if (const auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
    return expect(Type::Double), *std::get_if<double>(&v_);
  }
  const std::string& asString() const {
    return expect(Type::String), *std::get_if<std::string>(&v_);
  }
  const Array& asArray() const { return expect(Type::Array), *std::get_if<Array>(&v_); }
  Array& asArray() { return expect(Type::Array), *std::get_if<Array>(&v_); }
  const Object& asObject() const { return expect(Type::Object), *std::get_if<Object>(&v_); }
  Object& asObject() { return expect(Type::Object), *std::get_if<Object>(&v_); }

  // Object member lookup; nullptr when this is not an object or has no such member.
  const Value* find(std::string_view key) const {
    const auto* object = std::get_if<Object>(&v_);
    if (object == nullptr) return nullptr;
    for (const auto& m : *object) {
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
    return *std::get_if<std::string>(&v->v_);
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
    return *std::get_if<bool>(&v->v_);
  }

  // Object member access that inserts null when absent; turns a null value into an object.
  Value& operator[](std::string_view key) {
    if (isNull()) v_.emplace<Object>();
    expect(Type::Object);
    if (Value* v = find(key)) return *v;
    auto& object = *std::get_if<Object>(&v_);
    object.emplace_back(std::string(key), Value());
    return object.back().second;
  }
  // Sets a member, replacing an existing one in place.
  void set(std::string_view key, Value v) { (*this)[key] = std::move(v); }
  bool erase(std::string_view key) {
    auto* object = std::get_if<Object>(&v_);
    if (object == nullptr) return false;
    for (auto it = object->begin(); it != object->end(); ++it) {
      if (it->first == key) {
        object->erase(it);
        return true;
      }
    }
    return false;
  }
  void push_back(Value v) {
    if (isNull()) v_.emplace<Array>();
    expect(Type::Array);
    std::get_if<Array>(&v_)->push_back(std::move(v));
  }
  size_t size() const {
    if (const auto* a = std::get_if<Array>(&v_)) return a->size();
    if (const auto* o = std::get_if<Object>(&v_)) return o->size();
    return 0;
  }

  friend bool operator==(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
      if (a.isInt() && b.isInt()) return std::get<int64_t>(a.v_) == std::get<int64_t>(b.v_);
      return a.asDouble() == b.asDouble();
    }
    if (a.type() != b.type()) return false;
    switch (a.type()) {
      case Type::Null:
        return true;
      case Type::Bool:
        return std::get<bool>(a.v_) == std::get<bool>(b.v_);
      case Type::String:
        return std::get<std::string>(a.v_) == std::get<std::string>(b.v_);
      case Type::Array:
        return std::get<Array>(a.v_) == std::get<Array>(b.v_);
      case Type::Object: {
        const Object& ao = std::get<Object>(a.v_);
        if (ao.size() != b.size()) return false;
        for (const auto& m : ao) {  // member order does not matter for equality
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
    out.reserve(256);  // skips the first few regrowths of a typical document
    dumpTo(out);
    return out;
  }
  void dumpTo(std::string& out) const;

  static Value parse(std::string_view text, const ParseOptions& options = {});

 private:
  void expect(Type t) const {
    if (type() != t) {
      throw TypeError(std::string("expected ") + typeName(t) + ", got " + typeName(type()));
    }
  }
  static TypeError memberTypeError(std::string_view key, Type want, Type got) {
    return TypeError("\"" + std::string(key) + "\": expected " + typeName(want) + ", got " +
                     typeName(got));
  }

  // One alternative per Type, in the enum's order: index() is the type.
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> v_;
};

namespace detail {

inline void escapeString(std::string_view s, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  const char* const data = s.data();
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Most text needs no escaping: copy runs of it at once.
    size_t run = i;
    while (run < n && static_cast<unsigned char>(data[run]) >= 0x20 && data[run] != '"' &&
           data[run] != '\\') {
      ++run;
    }
    out.append(data + i, run - i);
    if (run == n) break;
    const auto c = static_cast<unsigned char>(data[run]);
    i = run + 1;
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
      default:  // the other control characters
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
  }
  out.push_back('"');
}

}  // namespace detail

}  // namespace maasprov::json

#include "maasprov/json_parser.hpp"  // IWYU pragma: export

namespace maasprov::json {

inline void Value::dumpTo(std::string& out) const {
  switch (type()) {
    case Type::Null:
      out += "null";
      break;
    case Type::Bool:
      out += *std::get_if<bool>(&v_) ? "true" : "false";
      break;
    case Type::Int: {
      char digits[24];
      const auto r = std::to_chars(digits, digits + sizeof digits, *std::get_if<int64_t>(&v_));
      out.append(digits, r.ptr);
      break;
    }
    case Type::Double: {
      const double d = *std::get_if<double>(&v_);
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      std::ostringstream s;
      s.imbue(std::locale::classic());
      s.precision(17);
      s << d;
      out += s.str();
      break;
    }
    case Type::String:
      detail::escapeString(*std::get_if<std::string>(&v_), out);
      break;
    case Type::Array: {
      const Array& array = *std::get_if<Array>(&v_);
      out.push_back('[');
      for (size_t i = 0; i < array.size(); ++i) {
        if (i != 0) out.push_back(',');
        array[i].dumpTo(out);
      }
      out.push_back(']');
      break;
    }
    case Type::Object: {
      const Object& object = *std::get_if<Object>(&v_);
      out.push_back('{');
      for (size_t i = 0; i < object.size(); ++i) {
        if (i != 0) out.push_back(',');
        detail::escapeString(object[i].first, out);
        out.push_back(':');
        object[i].second.dumpTo(out);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace maasprov::json
