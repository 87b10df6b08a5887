// The strict JSON parser behind maasprov::json::parse(). json.hpp includes it; it is a separate
// file only to keep one concept per file.
//
// Ownership: a Parser borrows the text it parses. Thread-safety: one Parser per thread; parsing
// shares no state. C++17, header-only.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "maasprov/json.hpp"

namespace maasprov::json::detail {

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : text_(text), options_(options) {
    members_.reserve(32);
    items_.reserve(16);
  }

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

  // parseDocument() of a document that is an object, except that the value of its member
  // `key`, when it is an array, is only checked (as parseDocument() checks it, except for
  // duplicate keys inside it) and its text stored in `*deferred` instead of being built.
  Value parseObjectDeferring(std::string_view key, std::string_view* deferred) {
    if (text_.size() > options_.maxBytes) {
      throw ParseError(0, "document larger than " + std::to_string(options_.maxBytes) + " bytes");
    }
    skipSpace();
    if (peek() != '{') fail("expected an object");
    Object built;
    bool seen = false;
    items('}', [&] {
      std::string name;
      memberKey(&name, [&] {
        if (name == key && seen) fail("duplicate key \"" + name + "\"");
        for (const auto& m : built) {
          if (m.first == name) fail("duplicate key \"" + name + "\"");
        }
      });
      if (name == key && peek() == '[') {
        seen = true;
        const size_t from = pos_;
        skipValue(1);
        *deferred = text_.substr(from, pos_ - from);
        return;
      }
      built.emplace_back(std::move(name), parseValue(1));
    });
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected data after the document");
    return Value(std::move(built));
  }

  // The text of each element of a document that is an array, checked as parseDocument() checks
  // it (except for duplicate keys inside the elements) but not built.
  std::vector<std::string_view> arrayElements() {
    std::vector<std::string_view> out;
    container('[', ']', [&](size_t from) { out.push_back(text_.substr(from, pos_ - from)); });
    return out;
  }

  // The members of a document that is an object: each key, and its value's text, unbuilt.
  std::vector<std::pair<std::string, std::string_view>> objectMembers() {
    std::vector<std::pair<std::string, std::string_view>> out;
    container('{', '}', [&](size_t) {
      std::string key;
      const size_t from = memberKey(&key, [&] {
        for (const auto& m : out) {
          if (m.first == key) fail("duplicate key \"" + key + "\"");
        }
      });
      skipValue(1);
      out.emplace_back(std::move(key), text_.substr(from, pos_ - from));
    });
    return out;
  }

 private:
  // The top-level `open`...`close` of the document: `each(start)` at each item (an array's
  // item is skipped first, an object's member is read by `each`), then nothing after it.
  template <typename Each>
  void container(char open, char close, Each each) {
    if (text_.size() > options_.maxBytes) {
      throw ParseError(0, "document larger than " + std::to_string(options_.maxBytes) + " bytes");
    }
    skipSpace();
    if (peek() != open) fail(open == '[' ? "expected an array" : "expected an object");
    items(close, [&] {
      const size_t from = pos_;
      if (open == '[') skipValue(1);
      each(from);
    });
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected data after the document");
  }

  // Steps over the `[` or `{` at pos_ and its items up to the matching `close`, calling `item()`
  // with pos_ at each item (after the space before it); `item` must step over the item.
  template <typename Item>
  void items(char close, Item item) {
    ++pos_;
    skipSpace();
    if (peek() == close) {
      ++pos_;
      return;
    }
    for (;;) {
      skipSpace();
      item();
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == close) {
        ++pos_;
        return;
      }
      fail(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }

  // Reads a member's key into `key` (or only checks it when null), calls `checkKey()` right
  // after it (so an error points where parse()'s would), then the ':'; returns where the value
  // starts.
  template <typename CheckKey>
  size_t memberKey(std::string* key, CheckKey checkKey) {
    if (peek() != '"') fail("expected a string key");
    scanString(key);
    checkKey();
    skipSpace();
    if (peek() != ':') fail("expected ':'");
    ++pos_;
    skipSpace();
    return pos_;
  }

  // parseValue's checks without building anything.
  void skipValue(size_t depth) {
    if (atEnd()) fail("unexpected end of document");
    const char c = peek();
    if (c == '{' || c == '[') {
      checkDepth(depth + 1);
      items(c == '{' ? '}' : ']', [&] {
        if (c == '{') memberKey(nullptr, [] {});
        skipValue(depth + 1);
      });
      return;
    }
    if (c == '"') return scanString(nullptr);
    parseValue(depth);  // a scalar: building it allocates nothing
  }

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

  // Members and items are gathered on stacks shared by the whole document, then moved once into
  // a vector of the exact size, rather than regrowing each object's vector as it fills.
  Value parseObject(size_t depth) {
    checkDepth(depth);
    ++pos_;  // '{'
    skipSpace();
    if (peek() == '}') {
      ++pos_;
      return Value(Object{});
    }
    const size_t first = members_.size();
    for (;;) {
      skipSpace();
      if (peek() != '"') fail("expected a string key");
      std::string key = parseString();
      for (size_t i = first; i < members_.size(); ++i) {
        if (members_[i].first == key) fail("duplicate key \"" + key + "\"");
      }
      skipSpace();
      if (peek() != ':') fail("expected ':'");
      ++pos_;
      skipSpace();
      Value value = parseValue(depth);
      members_.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return Value(takeFrom(members_, first));
      }
      fail("expected ',' or '}'");
    }
  }

  Value parseArray(size_t depth) {
    checkDepth(depth);
    ++pos_;  // '['
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return Value(Array{});
    }
    const size_t first = items_.size();
    for (;;) {
      skipSpace();
      Value item = parseValue(depth);
      items_.push_back(std::move(item));
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return Value(takeFrom(items_, first));
      }
      fail("expected ',' or ']'");
    }
  }

  // Moves stack[first..] out into a vector of its own and pops it.
  template <typename T>
  static std::vector<T> takeFrom(std::vector<T>& stack, size_t first) {
    std::vector<T> out(std::make_move_iterator(stack.begin() + static_cast<std::ptrdiff_t>(first)),
                       std::make_move_iterator(stack.end()));
    stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
    return out;
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
    if (integral && pos_ - start <= 18) {
      // Up to 18 characters (17 digits with a sign) always fit an int64: no strtoll needed.
      size_t i = start;
      const bool negative = text_[i] == '-';
      if (negative) ++i;
      int64_t v = 0;
      for (; i < pos_; ++i) v = v * 10 + (text_[i] - '0');
      return Value(negative ? -v : v);
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

  // True when none of the 8 bytes at `p` ends a plain run: no '"', '\\', control character or
  // byte >= 0x80 (bit tricks on a word; a false "no" only sends the bytes to the slow path).
  static bool plainWord(const char* p) {
    constexpr uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    const auto hasZero = [&](uint64_t v) { return ((v - ones) & ~v & high) != 0; };
    if ((w & high) != 0) return false;
    if (((w - ones * 0x20) & ~w & high) != 0) return false;  // a byte < 0x20
    return !hasZero(w ^ (ones * '"')) && !hasZero(w ^ (ones * '\\'));
  }

  // Validates one raw UTF-8 sequence starting at pos_ and steps over it.
  void skipUtf8Sequence() {
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
    pos_ += len;
  }

  std::string parseString() {
    std::string out;
    scanString(&out);
    return out;
  }

  // Reads the string at pos_ into `out`, or only checks it when `out` is null.
  void scanString(std::string* out) {
    ++pos_;  // opening quote
    const char* const data = text_.data();
    const size_t n = text_.size();
    for (;;) {
      // Copy each run of plain text (valid UTF-8 included) at once; stop at '"', '\\' or a
      // control character.
      const size_t run = pos_;
      for (;;) {
        while (pos_ + 8 <= n && plainWord(data + pos_)) pos_ += 8;
        while (pos_ < n) {
          const auto c = static_cast<unsigned char>(data[pos_]);
          if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
          ++pos_;
        }
        if (pos_ >= n || static_cast<unsigned char>(data[pos_]) < 0x80) break;
        skipUtf8Sequence();
      }
      if (out != nullptr) out->append(data + run, pos_ - run);
      if (atEnd()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(data[pos_]);
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c < 0x20) fail("control character in string");
      // c == '\\'
      ++pos_;
      if (atEnd()) fail("unterminated escape");
      char e = text_[pos_++];
      auto put = [out](char ch) {
        if (out != nullptr) out->push_back(ch);
      };
      switch (e) {
        case '"':
          put('"');
          break;
        case '\\':
          put('\\');
          break;
        case '/':
          put('/');
          break;
        case 'b':
          put('\b');
          break;
        case 'f':
          put('\f');
          break;
        case 'n':
          put('\n');
          break;
        case 'r':
          put('\r');
          break;
        case 't':
          put('\t');
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
          if (out != nullptr) appendUtf8(cp, *out);
          break;
        }
        default:
          fail("invalid escape");
      }
    }
  }

  std::string_view text_;
  ParseOptions options_;
  size_t pos_ = 0;
  std::vector<Member> members_;  // objects being parsed, innermost last
  std::vector<Value> items_;     // arrays being parsed, innermost last
};
}  // namespace maasprov::json::detail

namespace maasprov::json {

inline Value Value::parse(std::string_view text, const ParseOptions& options) {
  return detail::Parser(text, options).parseDocument();
}

inline Value parse(std::string_view text, const ParseOptions& options = {}) {
  return Value::parse(text, options);
}

// parse() of a document that is an object, except member `key` when it is an array: that one is
// checked like the rest but not built, and its text stored in `*keyText` (left as it was when
// the member is absent or not an array, which is then built like any other). For a reader that
// may never need the largest member. `*keyText` borrows `text`. Throws ParseError.
inline Value parseDeferring(std::string_view text, std::string_view key, std::string_view* keyText,
                            const ParseOptions& options = {}) {
  return detail::Parser(text, options).parseObjectDeferring(key, keyText);
}

// Views into a large document for a reader that needs little of it (a list of machines of which
// it reads a few fields, keeping the text of some): checked like parse() (duplicate keys are
// caught at the level returned, and inside an element only once it is parsed) but not built.
// The views borrow `text`. Throw ParseError, also when the document is not an array (object).
inline std::vector<std::string_view> arrayElements(std::string_view text,
                                                   const ParseOptions& options = {}) {
  return detail::Parser(text, options).arrayElements();
}
inline std::vector<std::pair<std::string, std::string_view>> objectMembers(
    std::string_view text, const ParseOptions& options = {}) {
  return detail::Parser(text, options).objectMembers();
}

}  // namespace maasprov::json
