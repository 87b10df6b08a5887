#include "framework/controller/array_split.hpp"

#include <cstring>

namespace maasprov::controller {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::vector<std::string_view>> splitArrayUnchecked(std::string_view text) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  while (p != end && isSpace(*p)) ++p;
  if (p == end || *p != '[') return std::nullopt;
  ++p;
  std::vector<std::string_view> out;
  const char* element = p;  // where the current element starts
  std::size_t depth = 1;    // inside the outer array
  while (p != end) {
    const char c = *p;
    if (c == '"') {
      // To the closing quote: one not preceded by an odd run of backslashes. Strings are most of
      // a machine's text, and memchr finds the next quote far faster than a loop over bytes.
      const char* q = p + 1;
      for (;;) {
        q = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end - q)));
        if (q == nullptr) return std::nullopt;  // unterminated
        std::size_t backslashes = 0;
        for (const char* b = q - 1; b > p && *b == '\\'; --b) ++backslashes;
        if (backslashes % 2 == 0) break;
        ++q;
      }
      p = q + 1;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        if (c != ']') return std::nullopt;
        const std::string_view last = trimmed({element, static_cast<std::size_t>(p - element)});
        if (!last.empty()) {
          out.push_back(last);
        } else if (!out.empty()) {
          return std::nullopt;  // "[a,]"
        }
        ++p;
        while (p != end && isSpace(*p)) ++p;
        if (p != end) return std::nullopt;  // something after the array
        return out;
      }
    } else if (c == ',' && depth == 1) {
      const std::string_view item = trimmed({element, static_cast<std::size_t>(p - element)});
      if (item.empty()) return std::nullopt;  // "[,a]" or "[a,,b]"
      out.push_back(item);
      element = p + 1;
    }
    ++p;
  }
  return std::nullopt;  // the array never closed
}

}  // namespace maasprov::controller
