// MAAS DNS resources: A/AAAA records that MAAS serves, e.g. a cluster's API endpoint name.
//
// Ownership: payload structs are plain values; DnsResources borrows the Transport, which must
// outlive it. Thread-safety: as thread-safe as the Transport (Client is). Operations throw the
// typed errors of errors.hpp, TransportError, or ProtocolError for a bad payload.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct DnsResource {
  std::int64_t id = 0;
  std::string fqdn;
  std::optional<std::int64_t> addressTtl;  // nullopt when the domain's default applies
  std::vector<std::string> ipAddresses;
};

DnsResource parseDnsResource(const Poco::JSON::Object::Ptr& object,
                             const std::string& what = "DNS resource");

class DnsResources {
 public:
  explicit DnsResources(Transport& transport) : transport_(transport) {}

  // GET dnsresources/?fqdn=...; all DNS resources when fqdn is empty.
  std::vector<DnsResource> list(const std::string& fqdn = {});
  // POST dnsresources/ with fqdn and ip_addresses (one space-separated string on the wire).
  DnsResource create(const std::string& fqdn, const std::vector<std::string>& ipAddresses,
                     std::optional<std::int64_t> addressTtl = std::nullopt);
  // PUT dnsresources/{id}/ replacing the addresses. Safe to repeat.
  DnsResource update(std::int64_t id, const std::vector<std::string>& ipAddresses);
  void remove(std::int64_t id);  // DELETE dnsresources/{id}/

 private:
  Transport& transport_;
};

}  // namespace maasprov::maas
