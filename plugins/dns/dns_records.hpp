// The MAAS DNS resource behind a cluster endpoint: find it by fqdn (one read), create it, set
// its addresses, delete it. Addresses are written as one space-separated ip_addresses value.
//
// Ownership: functions borrow the MaasClient for one call. Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ip_address.hpp"
#include "maasprov/host.hpp"

namespace maasprov::dns {

struct DnsRecord {
  int64_t id = 0;
  std::string fqdn;
  std::vector<IpAddress> addresses;  // sorted, de-duplicated
};

// GET dnsresources/?fqdn=<fqdn>; nullopt when MAAS has none of that exact fqdn.
std::optional<DnsRecord> findRecord(const MaasClient& maas, const std::string& fqdn);
// POST dnsresources/ (with address_ttl when given). `field` names the spec field behind the
// fqdn for error messages.
DnsRecord createRecord(const MaasClient& maas, const std::string& fqdn,
                       const std::vector<IpAddress>& addresses, std::optional<int64_t> ttl,
                       const std::string& field);
// PUT dnsresources/{id}/ with ip_addresses.
DnsRecord updateRecord(const MaasClient& maas, const DnsRecord& record,
                       const std::vector<IpAddress>& addresses);
// DELETE dnsresources/{id}/; a 404 counts as deleted.
void deleteRecord(const MaasClient& maas, const DnsRecord& record);

}  // namespace maasprov::dns
