#include "ip_address.hpp"

#include <arpa/inet.h>

#include <cstdlib>

namespace maasprov::dns {

std::optional<IpAddress> IpAddress::parse(const std::string& text) {
  IpAddress ip;
  if (inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
    ip.family = 4;
    return ip;
  }
  if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) {
    ip.family = 6;
    return ip;
  }
  return std::nullopt;
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf) == nullptr) {
    return {};
  }
  return buf;
}

std::optional<Cidr> Cidr::parse(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto ip = IpAddress::parse(text.substr(0, slash));
  std::string bits = text.substr(slash + 1);
  if (!ip || bits.empty() || bits.size() > 3 ||
      bits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int prefix = std::atoi(bits.c_str());
  if (prefix > (ip->family == 4 ? 32 : 128)) return std::nullopt;
  return Cidr{*ip, prefix};
}

bool Cidr::contains(const IpAddress& ip) const {
  if (ip.family != network.family) return false;
  int full = prefix / 8, rest = prefix % 8;
  for (int i = 0; i < full; ++i) {
    if (ip.bytes[i] != network.bytes[i]) return false;
  }
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (ip.bytes[full] & mask) == (network.bytes[full] & mask);
}

}  // namespace maasprov::dns
