#include "framework/maas/dns_resources.hpp"

#include <stdexcept>

#include "framework/maas/call.hpp"
#include "framework/maas/errors.hpp"
#include "framework/maas/json_fields.hpp"

namespace maasprov::maas {
namespace {

// MAAS takes the address list as one whitespace-separated string, not as repeated keys.
std::string joinAddresses(const std::vector<std::string>& ips) {
  std::string out;
  for (const auto& ip : ips) {
    if (ip.empty() || ip.find_first_of(" \t,") != std::string::npos) {
      throw std::invalid_argument("ip_addresses: expected IP addresses, got '" + ip + "'");
    }
    if (!out.empty()) out += ' ';
    out += ip;
  }
  return out;
}

std::string itemPath(std::int64_t id) {
  return "dnsresources/" + std::to_string(id) + "/";
}

}  // namespace

DnsResource parseDnsResource(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  DnsResource r;
  r.id = json::requiredInteger(o, "id", what);
  const std::string w = what + " " + std::to_string(r.id);
  r.fqdn = json::string(o, "fqdn", w);
  if (o->has("address_ttl") && !o->isNull("address_ttl"))
    r.addressTtl = json::integer(o, "address_ttl", w);
  // Each address is an object {"ip": ..., ...}; tolerate plain strings as well.
  if (const auto ips = json::array(o, "ip_addresses", w)) {
    for (std::size_t i = 0; i < ips->size(); ++i) {
      const auto item = ips->get(static_cast<unsigned>(i));
      if (item.isString()) {
        r.ipAddresses.push_back(item.extract<std::string>());
      } else if (item.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto ip =
            json::string(item.extract<Poco::JSON::Object::Ptr>(), "ip", w + " ip_addresses");
        if (!ip.empty()) r.ipAddresses.push_back(ip);
      } else if (!item.isEmpty()) {
        throw ProtocolError(w + ": field 'ip_addresses' holds neither objects nor strings");
      }
    }
  }
  return r;
}

std::vector<DnsResource> DnsResources::list(const std::string& fqdn) {
  Request request{"GET", "dnsresources/", "", {}, false};
  if (!fqdn.empty()) request.params.emplace_back("fqdn", fqdn);
  std::vector<DnsResource> out;
  for (const auto& o : json::objects(callForArray(transport_, request), "DNS resource")) {
    out.push_back(parseDnsResource(o));
  }
  return out;
}

DnsResource DnsResources::create(const std::string& fqdn,
                                 const std::vector<std::string>& ipAddresses,
                                 std::optional<std::int64_t> addressTtl) {
  if (fqdn.empty()) throw std::invalid_argument("fqdn: expected a fully qualified name");
  Request request{"POST",
                  "dnsresources/",
                  "",
                  {{"fqdn", fqdn}, {"ip_addresses", joinAddresses(ipAddresses)}},
                  false};
  if (addressTtl) request.params.emplace_back("address_ttl", std::to_string(*addressTtl));
  return parseDnsResource(callForObject(transport_, request));
}

DnsResource DnsResources::update(std::int64_t id, const std::vector<std::string>& ipAddresses) {
  return parseDnsResource(callForObject(
      transport_, {"PUT", itemPath(id), "", {{"ip_addresses", joinAddresses(ipAddresses)}}, true}));
}

void DnsResources::remove(std::int64_t id) {
  call(transport_, {"DELETE", itemPath(id), "", {}, false});
}

}  // namespace maasprov::maas
