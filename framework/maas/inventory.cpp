#include "framework/maas/inventory.hpp"

#include "framework/maas/call.hpp"
#include "framework/maas/json_fields.hpp"

namespace maasprov::maas {

Zone parseZone(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  return Zone{json::integer(o, "id", what), json::requiredString(o, "name", what),
              json::string(o, "description", what)};
}

ResourcePool parseResourcePool(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  return ResourcePool{json::integer(o, "id", what), json::requiredString(o, "name", what),
                      json::string(o, "description", what)};
}

Domain parseDomain(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  Domain d;
  d.id = json::integer(o, "id", what);
  d.name = json::requiredString(o, "name", what);
  d.authoritative = json::boolean(o, "authoritative", what);
  d.isDefault = json::boolean(o, "is_default", what);
  d.ttl = json::integer(o, "ttl", what);
  d.resourceRecordCount = json::integer(o, "resource_record_count", what);
  return d;
}

Subnet parseSubnet(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  Subnet s;
  s.id = json::requiredInteger(o, "id", what);
  s.name = json::string(o, "name", what);
  s.cidr = json::requiredString(o, "cidr", what);
  s.gatewayIp = json::string(o, "gateway_ip", what);
  s.dnsServers = json::strings(o, "dns_servers", what);
  s.space = json::string(o, "space", what);
  s.managed = json::boolean(o, "managed", what);
  if (const auto vlan = json::object(o, "vlan", what)) {
    s.vlanId = json::integer(vlan, "id", what + " vlan");
    s.vid = json::integer(vlan, "vid", what + " vlan");
    s.fabric = json::string(vlan, "fabric", what + " vlan");
  }
  return s;
}

Version parseVersion(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  return Version{json::requiredString(o, "version", what), json::string(o, "subversion", what),
                 json::strings(o, "capabilities", what)};
}

namespace {

template <typename T, typename Parse>
std::vector<T> listOf(Transport& transport, const std::string& path, const std::string& what,
                      Parse parse) {
  std::vector<T> out;
  for (const auto& o : json::objects(callForArray(transport, {"GET", path, "", {}, false}), what)) {
    out.push_back(parse(o, what));
  }
  return out;
}

}  // namespace

std::vector<Zone> Inventory::zones() {
  return listOf<Zone>(transport_, "zones/", "zone", parseZone);
}

Zone Inventory::zone(const std::string& name) {
  return parseZone(callForObject(transport_, {"GET", "zones/" + name + "/", "", {}, false}));
}

std::vector<ResourcePool> Inventory::resourcePools() {
  return listOf<ResourcePool>(transport_, "resourcepools/", "resource pool", parseResourcePool);
}

ResourcePool Inventory::resourcePool(std::int64_t id) {
  return parseResourcePool(callForObject(
      transport_, {"GET", "resourcepool/" + std::to_string(id) + "/", "", {}, false}));
}

std::vector<Domain> Inventory::domains() {
  return listOf<Domain>(transport_, "domains/", "domain", parseDomain);
}

std::vector<Subnet> Inventory::subnets() {
  return listOf<Subnet>(transport_, "subnets/", "subnet", parseSubnet);
}

Subnet Inventory::subnet(std::int64_t id) {
  return parseSubnet(
      callForObject(transport_, {"GET", "subnets/" + std::to_string(id) + "/", "", {}, false}));
}

Version Inventory::version() {
  return parseVersion(callForObject(transport_, {"GET", "version/", "", {}, false}));
}

}  // namespace maasprov::maas
