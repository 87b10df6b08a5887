// The cluster's control-plane machines as the DNS plugin sees them in the request's "machines"
// list: which run (label cluster.x-k8s.io/control-plane; machinePowered; machineState
// Deploying or Deployed; no deletionTimestamp), which address each contributes (the first
// ExternalIP, else InternalIP, inside the preferred subnets when any are set), and the
// per-machine attachment report built from the actual DNS record.
//
// Ownership: ControlPlaneMachine borrows the request's JSON (valid during the call).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ip_address.hpp"
#include "maasprov/json.hpp"

namespace maasprov::dns {

inline constexpr const char* kControlPlaneLabel = "cluster.x-k8s.io/control-plane";
inline constexpr const char* kDnsAttached = "DNSAttached";

struct ControlPlaneMachine {
  std::string name;
  std::string ns;
  std::string uid;
  const json::Value* status = nullptr;  // the machine's status as the controller sent it
  std::optional<IpAddress> address;     // what it would put in the record
  bool running = false;
  std::string notRunning;  // CamelCase reason when !running or no address
  std::string detail;      // for people
};

std::vector<ControlPlaneMachine> controlPlaneMachines(const json::Array& machines,
                                                      const std::vector<Cidr>& preferred);

// Addresses of the running machines: sorted, de-duplicated.
std::vector<IpAddress> desiredAddresses(const std::vector<ControlPlaneMachine>& machines);

// The "machineStatus" member of the result document: one status patch per control-plane
// machine, keyed by its name (machines live in the cluster's namespace):
//   {"<machine>": {"dnsAttached": b, "conditions": [<DNSAttached only>]}}
// The controller merges each patch into that machine's status, conditions by type.
// `custom`: the endpoint is the user's; every machine counts as attached.
json::Value attachmentReport(const std::vector<ControlPlaneMachine>& machines,
                             const std::vector<IpAddress>& record, const std::string& fqdn,
                             bool custom);

}  // namespace maasprov::dns
