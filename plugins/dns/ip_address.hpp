// IPv4/IPv6 addresses and CIDR subnets as the DNS plugin compares them: parsed with inet_pton,
// ordered by family then numerically, printed in canonical form (so "10.0.0.010" never counts
// as a change against "10.0.0.10" and "fd00::1" sorts after "10.0.0.1").
//
// Ownership: value types. Thread-safety: pure functions.
#pragma once

#include <array>
#include <optional>
#include <string>

namespace maasprov::dns {

struct IpAddress {
  int family = 0;  // 4 or 6
  std::array<unsigned char, 16> bytes{};

  static std::optional<IpAddress> parse(const std::string& text);
  std::string toString() const;
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    return a.family != b.family ? a.family < b.family : a.bytes < b.bytes;
  }
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family == b.family && a.bytes == b.bytes;
  }
};

struct Cidr {
  IpAddress network;
  int prefix = 0;

  // "10.0.0.0/24", "fd00::/64"; nullopt when malformed (host bits may be set).
  static std::optional<Cidr> parse(const std::string& text);
  bool contains(const IpAddress& ip) const;
};

}  // namespace maasprov::dns
