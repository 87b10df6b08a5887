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

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : text_(text), options_(options) {}

  Value parseDocument() {
    if (text_.size() > options_.maxBytes) {
      throw ParseError(0, "document larger than " + std::to_string(options_.maxBytes) + " bytes");
    }
    skipSpace();
    Value v = parseValue(0);
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected data after the document");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw ParseError(pos_, what); }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  void skipSpace() {
    while (!atEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                        text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  void expectLiteral(std::string_view lit) {
    if (text_.substr(pos_, lit.size()) != lit) fail("unexpected character");
    pos_ += lit.size();
  }

  Value parseValue(size_t depth) {
    if (atEnd()) fail("unexpected end of document");
    switch (peek()) {
      case '{':
        return parseObject(depth + 1);
      case '[':
        return parseArray(depth + 1);
      case '"':
        return Value(parseString());
      case 't':
        expectLiteral("true");
        return Value(true);
      case 'f':
        expectLiteral("false");
        return Value(false);
      case 'n':
        expectLiteral("null");
        return Value();
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parseNumber();
        fail("unexpected character");
    }
  }

  void checkDepth(size_t depth) const {
    if (depth > options_.maxDepth) {
      fail("nesting deeper than " + std::to_string(options_.maxDepth) + " levels");
    }
  }

  Value parseObject(size_t depth) {
    checkDepth(depth);
    ++pos_;  // '{'
    Object members;
    skipSpace();
    if (peek() == '}') {
      ++pos_;
      return Value(std::move(members));
    }
    for (;;) {
      skipSpace();
      if (peek() != '"') fail("expected a string key");
      std::string key = parseString();
      for (const auto& m : members) {
        if (m.first == key) fail("duplicate key \"" + key + "\"");
      }
      skipSpace();
      if (peek() != ':') fail("expected ':'");
      ++pos_;
      skipSpace();
      members.emplace_back(std::move(key), parseValue(depth));
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return Value(std::move(members));
      }
      fail("expected ',' or '}'");
    }
  }

  Value parseArray(size_t depth) {
    checkDepth(depth);
    ++pos_;  // '['
    Array items;
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return Value(std::move(items));
    }
    for (;;) {
      skipSpace();
      items.push_back(parseValue(depth));
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return Value(std::move(items));
      }
      fail("expected ',' or ']'");
    }
  }

  Value parseNumber() {
    size_t start = pos_;
    bool integral = true;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (peek() >= '0' && peek() <= '9') fail("leading zeros are not allowed");
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++pos_;
    } else {
      fail("expected a digit");
    }
    if (peek() == '.') {
      integral = false;
      ++pos_;
      if (!(peek() >= '0' && peek() <= '9')) fail("expected a digit after '.'");
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!(peek() >= '0' && peek() <= '9')) fail("expected a digit in the exponent");
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    std::string token(text_.substr(start, pos_ - start));
    if (integral) {
      // Integers that fit stay exact; larger ones fall back to double.
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(token.c_str(), &end, 10);
      if (errno == 0 && end == token.c_str() + token.size()) return Value(v);
    }
    std::istringstream in(token);
    in.imbue(std::locale::classic());  // decimal point regardless of the process locale
    double d = 0;
    in >> d;
    if (in.fail() || !std::isfinite(d)) fail("number out of range");
    return Value(d);
  }

  unsigned parseHex4() {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= unsigned(c - 'A' + 10);
      else
        fail("invalid hex digit in \\u escape");
    }
    return v;
  }

  static void appendUtf8(unsigned cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Validates one raw UTF-8 sequence starting at pos_ and copies it.
  void copyUtf8Sequence(std::string& out) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text_[i]); };
    unsigned char b0 = byte(pos_);
    size_t len = 0;
    unsigned cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF)
      len = 2, cp = b0 & 0x1F;
    else if (b0 >= 0xE0 && b0 <= 0xEF)
      len = 3, cp = b0 & 0x0F;
    else if (b0 >= 0xF0 && b0 <= 0xF4)
      len = 4, cp = b0 & 0x07;
    else
      fail("invalid UTF-8");
    if (pos_ + len > text_.size()) fail("truncated UTF-8 sequence");
    for (size_t i = 1; i < len; ++i) {
      unsigned char b = byte(pos_ + i);
      if ((b & 0xC0) != 0x80) fail("invalid UTF-8");
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      fail("invalid UTF-8 (overlong, surrogate or out of range)");
    }
    out.append(text_.substr(pos_, len));
    pos_ += len;
  }

  std::string parseString() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (atEnd()) fail("unterminated string");
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c == '\\') {
        ++pos_;
        if (atEnd()) fail("unterminated escape");
        char e = text_[pos_++];
        switch (e) {
          case '"':
            out.push_back('"');
            break;
          case '\\':
            out.push_back('\\');
            break;
          case '/':
            out.push_back('/');
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u': {
            unsigned cp = parseHex4();
            if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              if (text_.substr(pos_, 2) != "\\u") fail("lone high surrogate in \\u escape");
              pos_ += 2;
              unsigned lo = parseHex4();
              if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid surrogate pair in \\u escape");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            appendUtf8(cp, out);
            break;
          }
          default:
            fail("invalid escape");
        }
      } else if (c < 0x80) {
        out.push_back(static_cast<char>(c));
        ++pos_;
      } else {
        copyUtf8Sequence(out);
      }
    }
  }

  std::string_view text_;
  ParseOptions options_;
  size_t pos_ = 0;
};

}  // namespace detail

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

inline Value Value::parse(std::string_view text, const ParseOptions& options) {
  return detail::Parser(text, options).parseDocument();
}

inline Value parse(std::string_view text, const ParseOptions& options = {}) {
  return Value::parse(text, options);
}

}  // namespace maasprov::json
