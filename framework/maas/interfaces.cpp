#include "framework/maas/interfaces.hpp"

#include "framework/maas/json_fields.hpp"

namespace maasprov::maas {

Interface parseInterface(const Poco::JSON::Object::Ptr& o, const std::string& what) {
  Interface i;
  i.id = json::integer(o, "id", what);
  i.name = json::requiredString(o, "name", what);
  i.type = json::string(o, "type", what);
  i.macAddress = json::string(o, "mac_address", what);
  i.enabled = json::boolean(o, "enabled", what);
  if (const auto vlan = json::object(o, "vlan", what))
    i.vid = json::integer(vlan, "vid", what + " vlan");
  i.parents = json::strings(o, "parents", what);
  i.children = json::strings(o, "children", what);
  i.tags = json::strings(o, "tags", what);
  const std::string linkWhat = what + " '" + i.name + "' link";
  for (const auto& l : json::objects(json::array(o, "links", what), linkWhat)) {
    InterfaceLink link;
    link.id = json::integer(l, "id", linkWhat);
    link.mode = json::string(l, "mode", linkWhat);
    link.ipAddress = json::string(l, "ip_address", linkWhat);
    if (const auto subnet = json::object(l, "subnet", linkWhat)) {
      link.subnetCidr = json::string(subnet, "cidr", linkWhat + " subnet");
    }
    i.links.push_back(std::move(link));
  }
  return i;
}

}  // namespace maasprov::maas
