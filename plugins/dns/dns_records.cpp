#include "dns_records.hpp"

#include <algorithm>

#include "maasprov/error.hpp"

namespace maasprov::dns {
namespace {

DnsRecord fromJson(const json::Value& v, const std::string& what) {
  const json::Value* id = v.find("id");
  const json::Value* fqdn = v.find("fqdn");
  if (!v.isObject() || id == nullptr || !id->isInt() || fqdn == nullptr || !fqdn->isString()) {
    throw PluginError(ErrorType::Transient,
                      "MAAS answered " + what + " with something that is not a DNS resource");
  }
  DnsRecord r;
  r.id = id->asInt();
  r.fqdn = fqdn->asString();
  if (const json::Value* ips = v.find("ip_addresses"); ips != nullptr && ips->isArray()) {
    for (const auto& entry : ips->asArray()) {
      const json::Value* ip = entry.isObject() ? entry.find("ip") : &entry;
      if (ip == nullptr || !ip->isString()) continue;
      if (auto parsed = IpAddress::parse(ip->asString())) r.addresses.push_back(*parsed);
    }
  }
  std::sort(r.addresses.begin(), r.addresses.end());
  r.addresses.erase(std::unique(r.addresses.begin(), r.addresses.end()), r.addresses.end());
  return r;
}

std::string joined(const std::vector<IpAddress>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += (out.empty() ? "" : " ") + a.toString();
  return out;
}

std::string recordPath(const DnsRecord& r) {
  return "dnsresources/" + std::to_string(r.id) + "/";
}

}  // namespace

std::optional<DnsRecord> findRecord(const MaasClient& maas, const std::string& fqdn) {
  MaasResponse r = maas.get("dnsresources/", {{"fqdn", fqdn}});
  r.expectOk();
  json::Value list = r.json();
  if (!list.isArray()) {
    throw PluginError(ErrorType::Transient, "MAAS answered " + r.what + " with a " +
                                                json::typeName(list.type()) + ", not a list");
  }
  for (const auto& item : list.asArray()) {
    DnsRecord record = fromJson(item, r.what);
    if (record.fqdn == fqdn) return record;
  }
  return std::nullopt;
}

DnsRecord createRecord(const MaasClient& maas, const std::string& fqdn,
                       const std::vector<IpAddress>& addresses, std::optional<int64_t> ttl,
                       const std::string& field) {
  Params p = {{"fqdn", fqdn}};
  if (ttl) p.emplace_back("address_ttl", std::to_string(*ttl));
  if (!addresses.empty()) p.emplace_back("ip_addresses", joined(addresses));
  MaasResponse r = maas.post("dnsresources/", "", p, false);
  if (r.status == 400) {
    // Usually the domain does not exist in MAAS; an operator can create it, so keep retrying.
    throw PluginError(ErrorType::InvalidSpec,
                      field + ": MAAS refused a DNS resource named \"" + fqdn +
                          "\" (is its domain defined in MAAS?): " + r.body.substr(0, 200))
        .retryable(true)
        .requeueAfterSeconds(300);
  }
  r.expectOk();
  return fromJson(r.json(), r.what);
}

DnsRecord updateRecord(const MaasClient& maas, const DnsRecord& record,
                       const std::vector<IpAddress>& addresses) {
  MaasResponse r = maas.put(recordPath(record), {{"ip_addresses", joined(addresses)}});
  r.expectOk();
  return fromJson(r.json(), r.what);
}

void deleteRecord(const MaasClient& maas, const DnsRecord& record) {
  MaasResponse r = maas.del(recordPath(record));
  if (r.status == 404) return;
  r.expectOk();
}

}  // namespace maasprov::dns
