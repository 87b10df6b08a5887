// A machine's network interface as MAAS reports it (interface_set, nodes/{id}/interfaces/).
//
// Ownership: plain values. Thread-safety: none needed (immutable once parsed).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

namespace maasprov::maas {

struct InterfaceLink {
  std::int64_t id = 0;
  std::string mode;       // "auto", "static", "dhcp", "link_up"
  std::string ipAddress;  // empty until MAAS assigns one
  std::string subnetCidr;
};

struct Interface {
  std::int64_t id = 0;
  std::string name;
  std::string type;  // "physical", "bond", "vlan", "bridge"
  std::string macAddress;
  bool enabled = false;
  std::int64_t vid = 0;
  std::vector<std::string> parents;
  std::vector<std::string> children;
  std::vector<std::string> tags;
  std::vector<InterfaceLink> links;
};

Interface parseInterface(const Poco::JSON::Object::Ptr& object,
                         const std::string& what = "interface");

}  // namespace maasprov::maas
