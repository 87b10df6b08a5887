// The status an LXD machine shows: LXD fields (lxdHost, lxdProject, vmResourceUsage) and the four
// LXD conditions, each with a reason users can act on:
//
//   LXDHostSelected        True HostSelected | False WaitingForBootstrapData, VMHostNotFound,
//                          NoMatchingHost, ProjectNotFound, ProfileNotFound,
//                          StoragePoolNotFound, BridgeNotFound, HostUnavailable,
//                          InsufficientResources, WaitingForVMDeletion
//   LXDResourcesAllocated  True ResourcesAllocated | False WaitingForHostSelection,
//                          InsufficientResources, Released
//   LXDVMCreated           True VMCreated | False WaitingForHostSelection, Commissioning,
//                          VMCreationFailed, Decomposed, VMDeleted, WaitingForVMDeletion
//   LXDVMDeployed          mirrors MachineDeployed for the VM: True Deployed | False WaitingForVM,
//                          WaitingForBootstrapData, Deploying, PoweredOff, Recomposing,
//                          VMDeploymentFailed, VMDeleted, UnexpectedMachineState
//
// Every result carries all four plus MachineDeployed (the host merges conditions by type; the
// DNS plugin's DNSAttached is never among them).
//
// Ownership: values only. Thread-safety: pure functions.
#pragma once

#include <string>

#include "conditions.hpp"
#include "maas_machine.hpp"
#include "maasprov/json.hpp"

namespace maasprov::lxd {

inline constexpr const char* kHostSelected = "LXDHostSelected";
inline constexpr const char* kResourcesAllocated = "LXDResourcesAllocated";
inline constexpr const char* kVMCreated = "LXDVMCreated";
inline constexpr const char* kVMDeployed = "LXDVMDeployed";

struct LxdConditions {
  common::Condition hostSelected;
  common::Condition resources;
  common::Condition vmCreated;
  common::Condition vmDeployed;
};

common::Condition falseCondition(const char* type, const std::string& reason,
                                 const std::string& message,
                                 const char* severity = common::kSeverityInfo);
common::Condition trueCondition(const char* type, const std::string& reason,
                                const std::string& message);

// Conditions before a VM exists: the host-selection condition given, the rest waiting for it.
LxdConditions beforeVm(const common::Condition& hostSelected,
                       const common::Condition& resources = {});

// Conditions of a VM that exists on `hostText` ("lxd-a1 (zone a, project p)"), with
// `vmCreated` and `vmDeployed` as given.
LxdConditions withVm(const std::string& hostText, const std::string& resourcesText,
                     const common::Condition& vmCreated, const common::Condition& vmDeployed);

// LXDVMDeployed from the MachineDeployed condition in `status` (the deployment driver's).
common::Condition vmDeployedFrom(const json::Value& status);

// Sets status.conditions to the four LXD conditions plus MachineDeployed (taken from
// status.conditions when present, else `machineDeployed`), keeping lastTransitionTime from
// `current` where the condition's status did not change.
void setConditions(json::Value& status, const json::Value& current, const LxdConditions& c,
                   const common::Condition& machineDeployed = {});

// lxdHost, lxdProject, vmResourceUsage of a composed machine (raw MAAS machine JSON).
void setVmFields(json::Value& status, const json::Value& machine, const std::string& host,
                 const std::string& project);

}  // namespace maasprov::lxd
