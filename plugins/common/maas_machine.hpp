// The parts of a MAAS machine (GET machines/{id}/, allocate, deploy answers) that provisioners
// read, decoded leniently from MAAS's JSON: missing optional members become empty, but a
// missing or non-string system_id is a Transient error naming the member (MAAS answered
// something that is not a machine).
//
// Ownership: a value type. Thread-safety: none needed.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "maasprov/host.hpp"
#include "maasprov/json.hpp"

namespace maasprov::common {

// MAAS's status_name values the provisioners act on (NODE_STATUS_CHOICES).
namespace machine_state {
inline constexpr const char* kReady = "Ready";
inline constexpr const char* kAllocated = "Allocated";
inline constexpr const char* kDeploying = "Deploying";
inline constexpr const char* kDeployed = "Deployed";
inline constexpr const char* kFailedDeployment = "Failed deployment";
inline constexpr const char* kReleasing = "Releasing";
inline constexpr const char* kDiskErasing = "Disk erasing";
}  // namespace machine_state

struct MaasMachineView {
  std::string systemId;
  std::string hostname;
  std::string fqdn;
  std::string statusName;  // "Deployed", "Failed deployment", ...
  std::string powerState;  // "on", "off", "unknown", "error"
  std::string zone;        // zone name, "" when MAAS gave none
  std::string pool;        // resource pool name
  std::string podName;     // VM host name for composed machines, "" for bare metal
  std::vector<std::string> ipAddresses;
  std::map<std::string, std::string> workloadAnnotations;

  bool poweredOn() const { return powerState == "on"; }
  bool is(const char* state) const { return statusName == state; }
  // Releasing, Ready or disk erasing: on its way back to the pool, no longer held.
  bool beingReleased() const;

  // Throws maasprov::PluginError (Transient) when `machine` is not a MAAS machine object.
  static MaasMachineView fromJson(const json::Value& machine);
  // The same from a machine's JSON text, building only the members read: a MAAS machine is
  // kilobytes (interfaces, block devices) of which a view reads ten. Throws json::ParseError
  // when `machine` is not well-formed JSON or not an object.
  static MaasMachineView fromText(std::string_view machine);
  // The machine MAAS answered (allocate, deploy, power_on, GET machines/{id}/); a body that is
  // not a machine object is the Transient error MaasResponse::json() and fromJson() give.
  static MaasMachineView fromResponse(const MaasResponse& response);
  // The machines of an answer that is a list of them (GET machines/?...), as fromResponse.
  static std::vector<MaasMachineView> listFromResponse(const MaasResponse& response);
};

}  // namespace maasprov::common
