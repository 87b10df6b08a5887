// Turns simulator objects into the JSON MAAS 3.x sends: same keys and value types as the real
// payloads in the shared gomaasclient fixtures. Objects are written straight as text (see
// json_writer.hpp) with their keys in sorted order, as the Poco renderer before it sent them.
//
// Ownership: a RenderContext borrows the World and owns the fragments it memoises; it lives for
// one request. Thread-safety: reads the World; the caller holds the state mutex.
#pragma once

#include <map>
#include <string>

#include "json_writer.hpp"
#include "world.hpp"

namespace maassim {

extern const char* const kApiRoot;  // "/MAAS/api/2.0/"

// Zones, pools, domains and subnets are embedded in every machine: within one request each is
// rendered once (a domain's record count scans every DNS resource).
class RenderContext {
 public:
  explicit RenderContext(const World& w) : w_(w) {}
  const World& world() const { return w_; }
  const std::string& Zone(int id);
  const std::string& Pool(int id);
  const std::string& Domain(int id);
  const std::string& Subnet(int id);
  // The VLAN of subnet `id`, or MAAS's default untagged VLAN when the subnet is unknown.
  const std::string& Vlan(int id);

 private:
  const World& w_;
  std::map<int, std::string> zones_, pools_, domains_, subnets_, vlans_;
};

void WriteMachine(JsonWriter& j, RenderContext& ctx, const Machine& m);
// `collection` is "vm-hosts" or "pods": the path the client used, reflected in resource_uri.
void WriteVmHost(JsonWriter& j, RenderContext& ctx, const VmHost& h, const VmHostUsage& u,
                 const std::string& collection);
void WriteZone(JsonWriter& j, const Zone& z);
void WritePool(JsonWriter& j, const Pool& p);
void WriteDomain(JsonWriter& j, const World& w, const Domain& d);
void WriteSubnet(JsonWriter& j, RenderContext& ctx, const Subnet& s);
void WriteDnsResource(JsonWriter& j, const World& w, const DnsResource& d);
void WriteTag(JsonWriter& j, const Tag& t);

// One object as a JSON document.
std::string RenderMachine(const World& w, const Machine& m);
std::string RenderVmHost(const World& w, const VmHost& h, const std::string& collection);

}  // namespace maassim
