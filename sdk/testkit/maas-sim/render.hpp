// Turns simulator objects into the JSON MAAS 3.x sends: same keys and value types as the real
// payloads in the shared gomaasclient fixtures.
//
// Ownership: every function returns a fresh JSON object the caller owns (Poco SharedPtr).
// Thread-safety: reads the World; the caller holds the state mutex.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "world.hpp"

namespace maassim {

extern const char* const kApiRoot;  // "/MAAS/api/2.0/"

Poco::JSON::Object::Ptr RenderMachine(const World& w, const Machine& m);
// `collection` is "vm-hosts" or "pods": the path the client used, reflected in resource_uri.
Poco::JSON::Object::Ptr RenderVmHost(const World& w, const VmHost& h,
                                     const std::string& collection);
Poco::JSON::Object::Ptr RenderZone(const Zone& z);
Poco::JSON::Object::Ptr RenderPool(const Pool& p);
Poco::JSON::Object::Ptr RenderDomain(const World& w, const Domain& d);
Poco::JSON::Object::Ptr RenderSubnet(const Subnet& s);
Poco::JSON::Object::Ptr RenderDnsResource(const World& w, const DnsResource& d);
Poco::JSON::Object::Ptr RenderTag(const Tag& t);

}  // namespace maassim
