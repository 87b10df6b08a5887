#include "framework/model/name_rules.hpp"

#include <Poco/RegularExpression.h>
#include <arpa/inet.h>

#include <charconv>

namespace maasprov::model {
namespace {

// Whole-string match (Poco anchors the pattern and requires it to cover the text). Compiled
// patterns are only read, so sharing them between threads is safe.
bool matches(std::string_view text, const Poco::RegularExpression& pattern) {
  return pattern.match(std::string(text));
}

const Poco::RegularExpression& labelPattern() {
  static const Poco::RegularExpression pattern("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  return pattern;
}

const Poco::RegularExpression& namePartPattern() {
  static const Poco::RegularExpression pattern("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  return pattern;
}

}  // namespace

std::string checkDnsLabel(std::string_view text) {
  if (text.size() <= 63 && matches(text, labelPattern())) return {};
  return "must be a DNS label: at most 63 lowercase letters, digits or '-', starting and ending "
         "with a letter or digit";
}

std::string checkDnsSubdomain(std::string_view text) {
  bool ok = !text.empty() && text.size() <= 253;
  for (std::size_t start = 0; ok;) {
    const auto dot = text.find('.', start);
    const auto part = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    ok = part.size() <= 63 && matches(part, labelPattern());
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (ok) return {};
  return "must be a DNS subdomain: dot-separated DNS labels (lowercase letters, digits or '-'), "
         "at most 253 characters";
}

std::string checkQualifiedName(std::string_view text) {
  std::string_view name = text;
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    if (!checkDnsSubdomain(text.substr(0, slash)).empty()) {
      return "invalid key prefix \"" + std::string(text.substr(0, slash)) +
             "\": must be a DNS subdomain";
    }
    name = text.substr(slash + 1);
  }
  if (!name.empty() && name.size() <= 63 && matches(name, namePartPattern())) return {};
  return "invalid key \"" + std::string(text) +
         "\": the name part must be at most 63 letters, digits, '-', '_' or '.', starting and "
         "ending with a letter or digit";
}

std::string checkLabelValue(std::string_view text) {
  if (text.empty() || (text.size() <= 63 && matches(text, namePartPattern()))) return {};
  return "invalid label value \"" + std::string(text) +
         "\": must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending "
         "with a letter or digit";
}

std::string checkCidr(std::string_view text) {
  const std::string expected = "invalid CIDR \"" + std::string(text) +
                               "\": expected an IPv4 or IPv6 network such as 10.0.0.0/24 or "
                               "fd00::/64";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || text.size() > 64) return expected;
  const std::string address(text.substr(0, slash));
  const std::string_view prefix = text.substr(slash + 1);
  const bool v6 = address.find(':') != std::string::npos;
  unsigned char buffer[16];
  // inet_pton is strict (no "10.1" shorthand), unlike inet_aton-based parsers.
  if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), buffer) != 1) return expected;
  unsigned bits = 0;
  const auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
  if (prefix.empty() || ec != std::errc() || end != prefix.data() + prefix.size() ||
      bits > (v6 ? 128U : 32U)) {
    return expected;
  }
  return {};
}

}  // namespace maasprov::model
