// The MAAS objects that describe where machines can go: zones, resource pools, DNS domains,
// subnets, and the region's version. Read-only operations over any Transport.
//
// Ownership: payload structs are plain values; Inventory borrows the Transport, which must
// outlive it. Thread-safety: as thread-safe as the Transport (Client is).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "framework/maas/transport.hpp"

namespace maasprov::maas {

struct Zone {
  std::int64_t id = 0;
  std::string name;
  std::string description;
};

struct ResourcePool {
  std::int64_t id = 0;
  std::string name;
  std::string description;
};

struct Domain {
  std::int64_t id = 0;
  std::string name;
  bool authoritative = false;
  bool isDefault = false;
  std::int64_t ttl = 0;  // 0 when MAAS sends null (the global default applies)
  std::int64_t resourceRecordCount = 0;
};

struct Subnet {
  std::int64_t id = 0;
  std::string name;
  std::string cidr;
  std::string gatewayIp;  // empty when null
  std::vector<std::string> dnsServers;
  std::string space;
  std::int64_t vlanId = 0;
  std::int64_t vid = 0;
  std::string fabric;
  bool managed = false;
};

struct Version {
  std::string version;     // e.g. "3.6.0"
  std::string subversion;  // e.g. "3.6.0-16395-g.1bd7b6e4c"
  std::vector<std::string> capabilities;
};

// Payload parsers; `what` names the payload in ProtocolErrors.
Zone parseZone(const Poco::JSON::Object::Ptr& object, const std::string& what = "zone");
ResourcePool parseResourcePool(const Poco::JSON::Object::Ptr& object,
                               const std::string& what = "resource pool");
Domain parseDomain(const Poco::JSON::Object::Ptr& object, const std::string& what = "domain");
Subnet parseSubnet(const Poco::JSON::Object::Ptr& object, const std::string& what = "subnet");
Version parseVersion(const Poco::JSON::Object::Ptr& object, const std::string& what = "version");

class Inventory {
 public:
  explicit Inventory(Transport& transport) : transport_(transport) {}

  std::vector<Zone> zones();                   // GET zones/
  Zone zone(const std::string& name);          // GET zones/{name}/
  std::vector<ResourcePool> resourcePools();   // GET resourcepools/
  ResourcePool resourcePool(std::int64_t id);  // GET resourcepool/{id}/
  std::vector<Domain> domains();               // GET domains/
  std::vector<Subnet> subnets();               // GET subnets/
  Subnet subnet(std::int64_t id);              // GET subnets/{id}/
  Version version();                           // GET version/

 private:
  Transport& transport_;
};

}  // namespace maasprov::maas
