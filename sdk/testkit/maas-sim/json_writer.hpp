// Appends the simulator's JSON payloads straight to a string, without building a document tree:
// building and stringifying Poco::JSON trees was most of maas-sim's CPU under load. Strings are
// escaped by the SDK's serializer (maasprov/json.hpp); floats are written as MAAS writes them.
//
// Usage: JsonWriter j(out); j.BeginObject(); j.Key("id").Int(1); j.EndObject();
// Commas are placed from the text already written, so callers only open, name and close.
//
// Ownership: borrows the output string. Thread-safety: none; one writer per output.
#pragma once


#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "maasprov/json.hpp"

namespace maassim {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // A key from data (annotation names): escaped.
  JsonWriter& Key(std::string_view key) {
    Separate();
    maasprov::json::detail::escapeString(key, out_);
    out_.push_back(':');
    return *this;
  }
  // A key written as a string literal in the renderer: plain ASCII, so copied as it is.
  template <size_t N>
  JsonWriter& Key(const char (&key)[N]) {
    const bool comma = NeedsComma();
    char buf[N + 4];
    size_t n = 0;
    if (comma) buf[n++] = ',';
    buf[n++] = '"';
    for (size_t i = 0; i + 1 < N; ++i) buf[n++] = key[i];
    buf[n++] = '"';
    buf[n++] = ':';
    out_.append(buf, n);
    return *this;
  }
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  JsonWriter& Str(std::string_view s) {
    Separate();
    maasprov::json::detail::escapeString(s, out_);
    return *this;
  }
  // MAAS sends null for an unset optional string.
  JsonWriter& StrOrNull(std::string_view s) { return s.empty() ? Null() : Str(s); }
  JsonWriter& Int(int64_t v) {
    Separate();
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, v);
    out_.append(digits, r.ptr);
    return *this;
  }
  JsonWriter& UInt(uint64_t v) {
    Separate();
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, v);
    out_.append(digits, r.ptr);
    return *this;
  }
  // As MAAS (Python's json) writes a float: the shortest text that reads back the same, and
  // always with a fraction or exponent ("1.0", "3693.436416", "1e+16"), so a client that reads
  // an over-commit ratio or a storage size as an integer fails here as it would against MAAS.
  JsonWriter& Double(double v) {
    Separate();
    char digits[32];
    auto r = std::to_chars(digits, digits + sizeof digits, v);
    const std::string_view text(digits, static_cast<size_t>(r.ptr - digits));
    out_ += text;
    if (text.find_first_of(".en") == std::string_view::npos) out_ += ".0";
    return *this;
  }
  JsonWriter& Bool(bool v) {
    Separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonWriter& Null() {
    Separate();
    out_ += "null";
    return *this;
  }
  JsonWriter& Strings(const std::vector<std::string>& items) {
    BeginArray();
    for (const auto& s : items) Str(s);
    return EndArray();
  }
  JsonWriter& EmptyArray() {
    Separate();
    out_ += "[]";
    return *this;
  }
  // Already-rendered JSON (a memoised fragment, not a view into the output), as one value.
  JsonWriter& Raw(std::string_view json) {
    Separate();
    out_ += json;
    return *this;
  }
  // Writes again, as one value, the text this writer's output holds at [begin, end).
  JsonWriter& Copy(size_t begin, size_t end) {
    Separate();
    out_.append(out_, begin, end - begin);  // by offsets: the output may reallocate
    return *this;
  }
  size_t size() const { return out_.size(); }

 private:
  // A value or key needs a comma unless it opens a container or follows its key.
  bool NeedsComma() const {
    if (out_.empty()) return false;
    char last = out_.back();
    return last != '{' && last != '[' && last != ':';
  }
  void Separate() {
    if (NeedsComma()) out_.push_back(',');
  }
  JsonWriter& Open(char c) {
    Separate();
    out_.push_back(c);
    return *this;
  }
  JsonWriter& Close(char c) {
    out_.push_back(c);
    return *this;
  }

  std::string& out_;
};

}  // namespace maassim
